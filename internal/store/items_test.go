package store

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// itemTypes are every struct the store writes to the table or reads from it.
var itemTypes = []any{
	keys{}, tenantItem{}, domainItem{}, invitationItem{}, relationshipIDItem{}, relationshipItem{}, assignmentItem{}, roleItem{},
	sessionItem{}, auditItem{}, outboxItem{}, deadOutboxItem{}, denialItem{}, idempotencyItem{}, organizationItem{}, memberItem{},
	crossAccessItem{}, webhookItem{}, webhookCountItem{}, deliveryItem{}, templateItem{}, claimItem{},
	crossAccessItem{}, webhookItem{}, webhookCountItem{}, deliveryItem{}, changeRequestItem{}, pendingChangeItem{},
	activationRecord{}, epochRecord{}, linkRecord{}, grantRecord{}, roleRecord{},
	// and the values they hold
	actor{}, ceilingRole{}, orgTemplateAttrs{}, mappingItem{},
}

// TestItemsSpellOutTheirAttributes is what lets the domain rename its
// fields: every attribute the store keeps is named by a dynamodbav tag of a
// struct of this package, never by a Go field name, and no item holds a
// type of another package (tenancy's, period's…) whose field names would
// become attribute names. A domain field renamed then changes nothing on
// disk — the item's mapping code stops compiling instead — and
// TestStoredItemsAreGolden pins the names themselves. The list above is
// checked against the package's source, so a new item cannot miss the
// check.
func TestItemsSpellOutTheirAttributes(t *testing.T) {
	listed := map[string]bool{}
	for _, v := range itemTypes {
		typ := reflect.TypeOf(v)
		listed[typ.Name()] = true
		checkAttributes(t, typ, typ.Name(), map[reflect.Type]bool{})
	}
	for _, name := range storedStructs(t) {
		if !listed[name] {
			t.Errorf("%s is stored (it has dynamodbav tags or embeds keys) but is not in itemTypes", name)
		}
	}
}

// checkAttributes checks every field of a stored struct, and of the structs
// it holds.
func checkAttributes(t *testing.T, typ reflect.Type, path string, seen map[reflect.Type]bool) {
	t.Helper()
	if seen[typ] {
		return
	}
	seen[typ] = true
	for i := range typ.NumField() {
		f := typ.Field(i)
		where := path + "." + f.Name
		if f.Anonymous {
			if f.Type.PkgPath() != storePkg {
				t.Errorf("%s embeds %s: its field names would be stored", where, f.Type)
				continue
			}
			checkAttributes(t, f.Type, where, seen)
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("dynamodbav"), ",")
		if name == "" || name == "-" {
			t.Errorf("%s has no attribute name of its own (dynamodbav tag): it would be stored under its Go name", where)
		}
		checkValue(t, f.Type, where, seen)
	}
}

var storePkg = reflect.TypeOf(keys{}).PkgPath()

// checkValue allows the standard types DynamoDB stores and this package's
// structs, nothing of another package (but time's).
func checkValue(t *testing.T, typ reflect.Type, where string, seen map[reflect.Type]bool) {
	t.Helper()
	switch typ.Kind() {
	case reflect.Pointer, reflect.Slice:
		checkValue(t, typ.Elem(), where, seen)
		return
	case reflect.Map:
		checkValue(t, typ.Key(), where, seen)
		checkValue(t, typ.Elem(), where, seen)
		return
	}
	switch {
	case typ == reflect.TypeOf(time.Time{}) || typ == reflect.TypeOf(time.Duration(0)):
	case typ.PkgPath() == storePkg && typ.Kind() == reflect.Struct:
		checkAttributes(t, typ, typ.Name(), seen)
	case typ.PkgPath() != "":
		t.Errorf("%s holds %s, a type of another package: what it stores would follow that package's names", where, typ)
	}
}

// storedStructs answers the struct types of the package's source that are
// stored: those with a dynamodbav tag or embedding keys.
func storedStructs(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			st, ok := spec.Type.(*ast.StructType)
			if !ok {
				return true
			}
			for _, field := range st.Fields.List {
				embedsKeys := len(field.Names) == 0 && fmtExpr(field.Type) == "keys"
				if embedsKeys || field.Tag != nil && strings.Contains(field.Tag.Value, "dynamodbav:") {
					out = append(out, spec.Name.Name)
					break
				}
			}
			return true
		})
	}
	slices.Sort(out)
	return out
}

func fmtExpr(e ast.Expr) string {
	if id, ok := e.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// TestAttributeConstantsAreStoredAttributes: the constants that conditions,
// filters, updates and projections name are attributes their items store, so
// an expression can never name an attribute no item has (a filtered list
// would come back empty without an error).
func TestAttributeConstantsAreStoredAttributes(t *testing.T) {
	versioned := []any{tenantItem{}, invitationItem{}, relationshipItem{}, assignmentItem{}, roleItem{}, organizationItem{}, memberItem{}, webhookItem{}, changeRequestItem{}}
	cases := []struct {
		path []string
		in   []any
	}{
		{[]string{AttrVersion}, versioned},
		{[]string{AttrTTL}, []any{sessionItem{}, auditItem{}, denialItem{}, idempotencyItem{}, deliveryItem{}, activationRecord{}}},
		{[]string{attrTenantID}, []any{tenantItem{}}},
		{[]string{attrTenantName}, []any{tenantItem{}}},
		{[]string{attrInvitationStatus}, []any{invitationItem{}}},
		{[]string{attrRelationshipStatus}, []any{relationshipItem{}}},
		{[]string{attrAssignmentRelationship}, []any{assignmentItem{}}},
		{[]string{attrAssignmentEligible}, []any{assignmentItem{}}},
		{attrAuditActorTenant, []any{auditItem{}}},
		{[]string{attrClaimedAt}, []any{idempotencyItem{}}},
		{[]string{attrWebhookCount}, []any{webhookCountItem{}}},
		{[]string{attrDeadCode}, []any{deadOutboxItem{}}},
		{[]string{attrDeadReason}, []any{deadOutboxItem{}}},
		{[]string{attrDenialsStart}, []any{denialItem{}}},
		{[]string{attrDenialsCount}, []any{denialItem{}}},
		{[]string{attrEpoch}, []any{epochRecord{}}},
		{[]string{attrPendingChange}, []any{pendingChangeItem{}}},
	}
	for _, c := range cases {
		for _, v := range c.in {
			if !hasAttribute(reflect.TypeOf(v), c.path) {
				t.Errorf("%T stores no attribute %s", v, strings.Join(c.path, "."))
			}
		}
	}
	for _, ix := range Indexes {
		if !hasAttribute(reflect.TypeOf(keys{}), []string{ix.PartitionKey}) || !hasAttribute(reflect.TypeOf(keys{}), []string{ix.SortKey}) {
			t.Errorf("keys does not store the keys of %s (%s, %s)", ix.Name, ix.PartitionKey, ix.SortKey)
		}
	}
}

// hasAttribute reports whether a stored struct has the attribute at path.
func hasAttribute(typ reflect.Type, path []string) bool {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	if len(path) == 0 {
		return true
	}
	for i := range typ.NumField() {
		f := typ.Field(i)
		if f.Anonymous {
			if hasAttribute(f.Type, path) {
				return true
			}
			continue
		}
		if name, _, _ := strings.Cut(f.Tag.Get("dynamodbav"), ","); name == path[0] {
			return hasAttribute(f.Type, path[1:])
		}
	}
	return false
}

package events_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/switchboard/switchboard/events"
)

var update = flag.Bool("update", false, "rewrite events/schemas/ from the payload structs")

const (
	schemaDir     = "schemas"
	updateCommand = "go test ./events -run TestSchemas -update"
)

// sampleTime is the value of every time.Time in a sample; its encoding marks
// the date-time members of the sample's JSON.
var sampleTime = time.Date(2026, 3, 4, 5, 6, 7, 890123456, time.UTC)

// TestSchemas checks every payload has a checked-in schema equal to what
// events.Schema makes of the struct now, and rewrites the files with -update.
func TestSchemas(t *testing.T) {
	for _, p := range events.Payloads() {
		t.Run(string(p.DetailType()), func(t *testing.T) {
			want, err := events.Schema(p)
			if err != nil {
				t.Fatalf("Schema(%T) error: %v", p, err)
			}
			path := filepath.Join(schemaDir, events.SchemaFile(p.DetailType()))
			if *update {
				if err := os.MkdirAll(schemaDir, 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, want, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			got, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("read schema of %T: %v; run %s", p, err, updateCommand)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from Schema(%T): the struct changed without its schema; run %s and review the diff",
					path, p, updateCommand)
			}
		})
	}
}

// TestSchemasHaveNoStaleFiles checks every file in events/schemas/ is the
// schema of a payload; -update removes stale .json files.
func TestSchemasHaveNoStaleFiles(t *testing.T) {
	known := make(map[string]bool)
	for _, p := range events.Payloads() {
		known[events.SchemaFile(p.DetailType())] = true
	}
	entries, err := os.ReadDir(schemaDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if known[e.Name()] {
			continue
		}
		if *update && !e.IsDir() && strings.HasSuffix(e.Name(), ".json") {
			if err := os.Remove(filepath.Join(schemaDir, e.Name())); err != nil {
				t.Fatal(err)
			}
			continue
		}
		t.Errorf("%s is not the schema of any payload in events.Payloads(); remove it (%s removes stale .json files)",
			filepath.Join(schemaDir, e.Name()), updateCommand)
	}
}

// TestSchemasDescribePayloads validates encoded payloads against the
// checked-in schemas with kin-openapi's JSON Schema 2020-12 validator: a fully
// populated sample and a zero value pass, and every way of breaking the sample
// (an unknown member at any level, a missing member encoding/json always
// writes, a member of the wrong type, a malformed date-time) fails.
func TestSchemasDescribePayloads(t *testing.T) {
	for _, p := range events.Payloads() {
		t.Run(string(p.DetailType()), func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(schemaDir, events.SchemaFile(p.DetailType())))
			if err != nil {
				t.Fatalf("read schema of %T: %v; run %s", p, err, updateCommand)
			}
			schema := loadSchema(t, raw)
			var rawDoc map[string]any
			if err := json.Unmarshal(raw, &rawDoc); err != nil {
				t.Fatal(err)
			}

			sample := decode(t, populated(t, p))
			// The zero value, as encoding/json writes it, has exactly the members
			// that are always there: the ones the schema must require.
			zero := decode(t, withVersion(t, reflect.New(reflect.TypeOf(p)).Elem()))

			if err := validate(schema, sample); err != nil {
				t.Fatalf("populated %T does not validate: %v", p, err)
			}
			if err := validate(schema, zero); err != nil {
				t.Fatalf("zero %T (nil slices, optional members left out) does not validate: %v", p, err)
			}
			assertSameMembers(t, "", rawDoc, sample)

			for _, m := range mutations(sample, zero, "") {
				err := validate(schema, m.doc)
				switch {
				case m.valid && err != nil:
					t.Errorf("%s: got error %v, want valid", m.name, err)
				case !m.valid && err == nil:
					t.Errorf("%s: got valid, want a validation error", m.name)
				}
			}
		})
	}
}

// Payloads to pin how Schema reads tags and types.
type (
	edgeFields struct {
		events.Meta
		Skipped  string    `json:"-"`
		Hidden   string    `json:"hidden"`
		At       time.Time `json:"at,omitempty"` // omitempty never omits a struct
		Maybe    time.Time `json:"maybe,omitzero"`
		Count    uint      `json:"count,omitempty"`
		Untagged bool      // encoded under its Go name
		internal string    // not encoded
	}
	mapField struct {
		events.Meta
		Labels map[string]string `json:"labels"`
	}
	pointerField struct {
		events.Meta
		Next *time.Time `json:"next"`
	}
)

func (edgeFields) DetailType() events.DetailType   { return "EdgeFields" }
func (mapField) DetailType() events.DetailType     { return "MapField" }
func (pointerField) DetailType() events.DetailType { return "PointerField" }

func TestSchemaFollowsEncodingJSON(t *testing.T) {
	b, err := events.Schema(edgeFields{internal: "unused"})
	if err != nil {
		t.Fatalf("Schema(edgeFields) error: %v", err)
	}
	var s struct {
		Properties map[string]map[string]any `json:"properties"`
		Required   []string                  `json:"required"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		member            string
		present, required bool
	}{
		{member: "Skipped"}, {member: "internal"}, {member: "-"},
		{member: "hidden", present: true, required: true},
		{member: "at", present: true, required: true},
		{member: "maybe", present: true},
		{member: "count", present: true},
		{member: "Untagged", present: true, required: true},
		{member: "requestId", present: true},
		{member: "eventId", present: true, required: true},
	} {
		_, present := s.Properties[tc.member]
		required := slices.Contains(s.Required, tc.member)
		if present != tc.present || required != tc.required {
			t.Errorf("Schema(edgeFields) member %q: present %t, required %t; want present %t, required %t",
				tc.member, present, required, tc.present, tc.required)
		}
	}

	for _, p := range []events.Payload{mapField{}, pointerField{}} {
		if _, err := events.Schema(p); err == nil {
			t.Errorf("Schema(%T) error = nil, want an error for a type it cannot describe", p)
		}
	}
}

// loadSchema reads a schema file as kin-openapi's Schema and checks it is a
// well-formed OpenAPI 3.1 (JSON Schema 2020-12) schema.
func loadSchema(t *testing.T, raw []byte) *openapi3.Schema {
	t.Helper()
	var s openapi3.Schema
	if err := json.Unmarshal(raw, &s); err != nil {
		t.Fatalf("load schema: %v", err)
	}
	if err := s.Validate(context.Background(), openapi3.IsOpenAPI31OrLater(), openapi3.EnableSchemaFormatValidation()); err != nil {
		t.Fatalf("schema is not valid: %v", err)
	}
	return &s
}

func validate(s *openapi3.Schema, doc any) error {
	return s.VisitJSON(doc, openapi3.EnableJSONSchema2020())
}

// populated encodes a value of p's type with every field set, omitempty ones
// included.
func populated(t *testing.T, p events.Payload) []byte {
	t.Helper()
	v := reflect.New(reflect.TypeOf(p)).Elem()
	fill(t, v)
	return withVersion(t, v)
}

// withVersion sets Meta.SchemaVersion, which a v1 schema pins to 1, and
// encodes the payload.
func withVersion(t *testing.T, v reflect.Value) []byte {
	t.Helper()
	v.FieldByName("Meta").FieldByName("SchemaVersion").SetInt(events.SchemaVersion)
	b, err := json.Marshal(v.Interface())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func fill(t *testing.T, v reflect.Value) {
	t.Helper()
	if v.Type() == reflect.TypeFor[time.Time]() {
		v.Set(reflect.ValueOf(sampleTime))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString("s")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(7)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(7)
	case reflect.Float32, reflect.Float64:
		v.SetFloat(1.5)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range s.Len() {
			fill(t, s.Index(i))
		}
		v.Set(s)
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Field(i).CanSet() {
				fill(t, v.Field(i))
			}
		}
	default:
		t.Fatalf("fill: no sample for %s; extend fill", v.Type())
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var doc map[string]any
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	return doc
}

// assertSameMembers checks the schema lists exactly the members of the
// populated sample, at every level, so it describes no member the struct lacks.
func assertSameMembers(t *testing.T, path string, schema map[string]any, doc any) {
	t.Helper()
	switch doc := doc.(type) {
	case map[string]any:
		props, _ := schema["properties"].(map[string]any)
		var got, want []string
		for k := range props {
			got = append(got, k)
		}
		for k := range doc {
			want = append(want, k)
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("schema properties at %q = %v, want the sample's members %v", path, got, want)
		}
		for k, v := range doc {
			if sub, ok := props[k].(map[string]any); ok {
				assertSameMembers(t, path+"/"+k, sub, v)
			}
		}
	case []any:
		items, _ := schema["items"].(map[string]any)
		for _, v := range doc {
			assertSameMembers(t, path+"/items", items, v)
		}
	}
}

type mutation struct {
	name  string
	doc   map[string]any
	valid bool
}

// mutations breaks the sample in every place: at each object (the root and
// every nested one found at path) it adds an unknown member, drops each member
// (valid only if the zero value omits it too), and gives each member a value of
// the wrong type; a date-time gets a malformed value.
func mutations(sample, zero map[string]any, path string) []mutation {
	var out []mutation
	at := func(name string, valid bool, change func(obj map[string]any)) {
		doc := deepCopy(sample).(map[string]any)
		change(lookup(doc, path))
		out = append(out, mutation{name: name, doc: doc, valid: valid})
	}
	obj := lookup(sample, path)
	zeroObj := lookup(zero, path)

	at("unknown member at "+orRoot(path), false, func(o map[string]any) { o["unexpected"] = "s" })
	for _, k := range sortedKeys(obj) {
		member := path + "/" + k
		_, always := zeroObj[k]
		at("without "+member, !always, func(o map[string]any) { delete(o, k) })
		at(member+" of the wrong type", false, func(o map[string]any) { o[k] = wrongType(o[k]) })
		switch v := obj[k].(type) {
		case string:
			if v == sampleTime.Format(time.RFC3339Nano) {
				at(member+" not a date-time", false, func(o map[string]any) { o[k] = "2026-03-04 05:06:07" })
			}
		case []any:
			at(member+" with an item of the wrong type", false, func(o map[string]any) {
				o[k].([]any)[0] = wrongType(o[k].([]any)[0])
			})
		case map[string]any:
			out = append(out, mutations(sample, zero, member)...)
		}
	}
	return out
}

// wrongType returns a JSON value of another type than v (never null for a
// member that may be null, so the mutation is always invalid).
func wrongType(v any) any {
	switch v.(type) {
	case string:
		return 42.0
	case bool, float64:
		return "s"
	default: // arrays and objects
		return true
	}
}

func lookup(doc map[string]any, path string) map[string]any {
	for _, k := range strings.Split(path, "/")[1:] {
		doc = doc[k].(map[string]any)
	}
	return doc
}

func deepCopy(v any) any {
	switch v := v.(type) {
	case map[string]any:
		c := make(map[string]any, len(v))
		for k, x := range v {
			c[k] = deepCopy(x)
		}
		return c
	case []any:
		c := make([]any, len(v))
		for i, x := range v {
			c[i] = deepCopy(x)
		}
		return c
	default:
		return v
	}
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func orRoot(path string) string {
	if path == "" {
		return "/"
	}
	return path
}

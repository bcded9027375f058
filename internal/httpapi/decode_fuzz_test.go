package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// decodeBodies are the request bodies of operations.go; FuzzDecode decodes
// every input into each of them.
var decodeBodies = []any{
	tenantBody{}, invitationBody{}, acceptBody{}, assignmentBody{},
	roleBody{}, checkRequestBody{}, webhookBody{}, switchBody{},
}

// FuzzDecode checks the strict decoder against encoding/json from the
// outside: what decode accepts re-encodes and decodes to an equal value, and
// decode refuses a top-level object with a key that is not exactly one of the
// struct's JSON names, or a key given twice.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{
		`{"id":"contoso","name":"Contoso","domain":"contoso.example","msp":false,"admins":["ann"]}`,
		`{"to":{"domain":"contoso.example"},"kind":"gdap","roles":["helpdesk-admin"],"scope":["/sites/us"],"duration":"P365D","requireMfa":true}`,
		`{"principal":"group:techs","roles":["site-lead"],"eligible":true,"maxActivation":"PT8H"}`,
		`{"tenantId":"contoso","permission":"rooms.view","resource":"/sites/us","principal":{"id":"tom","tenantId":"northwind","groups":[],"mfa":true}}`,
		`{"checks":[{"tenantId":"contoso","permission":"rooms.view"},{"permission":"audit.view"}]}`,
		`{"url":"https://hooks.example/x","eventTypes":["RelationshipCreated"]}`,
		`{"tenantId":"contoso","justification":"ticket 42","activate":["asg-1"],"duration":"PT30M"}`,
		`{"primaryAdmins":["ann"],"roles":[],"scope":["*"]}`,
		`{"TenantID":"contoso"}`,              // a case-insensitive match encoding/json would take
		`{"tenantid":"contoso"}`,              // likewise
		`{"\u212aind":"gdap"}`,                // KELVIN SIGN folds to 'k' in encoding/json
		`{"tenant\u0049d":"contoso"}`,         // an escape spelling "tenantId" exactly
		`{"id":"a","id":"b"}`,                 // a key given twice
		`{"to":{"TenantID":"contoso"}}`,       // a wrong key one level down
		`{"checks":[{"Permission":"x"}]}`,     // and inside an array
		`{"principal":{"id":"x","Mfa":true}}`, // and in a nested pointer
		`{"unknown":1}`,
		`{"id":"a"} {"id":"b"}`,
		`{"id":"a"}]`,
		`{"msp":"yes"}`,
		`{"name":"\ud800"}`,
		"{\"name\":\"\xff\"}",
		`null`, `[]`, `"x"`, ``, `   `, `{`, `{}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		keys, dup, isObject := topLevelKeys(data)
		for _, body := range decodeBodies {
			typ := reflect.TypeOf(body)
			v := reflect.New(typ)
			if err := decode(data, v.Interface(), false); err != nil {
				continue
			}
			names := jsonNames(typ)
			if isObject {
				for _, k := range keys {
					if !names[k] {
						t.Fatalf("decode(%q) into %s succeeded with the key %q, which is not one of its JSON names", data, typ.Name(), k)
					}
				}
				if dup != "" {
					t.Fatalf("decode(%q) into %s succeeded with the key %q given twice", data, typ.Name(), dup)
				}
			}
			again, err := json.Marshal(v.Interface())
			if err != nil {
				t.Fatalf("json.Marshal(decode(%q) into %s) = %v", data, typ.Name(), err)
			}
			w := reflect.New(typ)
			if err := decode(again, w.Interface(), false); err != nil {
				t.Fatalf("decode(%q) into %s = %v, though it is the re-encoding of what decode(%q) answered", again, typ.Name(), err, data)
			}
			if !reflect.DeepEqual(v.Interface(), w.Interface()) {
				t.Fatalf("decode(%q) into %s = %+v, but its re-encoding %s decodes to %+v", data, typ.Name(), v.Elem(), again, w.Elem())
			}
		}
	})
}

// topLevelKeys lists the keys of data's top-level object as encoding/json
// reads them, names the first key given twice, and reports whether data is an
// object at all.
func topLevelKeys(data []byte) (keys []string, dup string, isObject bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, "", false
	}
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return keys, dup, true
		}
		k, _ := tok.(string)
		if seen[k] && dup == "" {
			dup = k
		}
		seen[k] = true
		keys = append(keys, k)
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return keys, dup, true
		}
	}
	return keys, dup, true
}

// jsonNames is the set of JSON names of a struct's fields, promoted ones
// included, exactly as their tags spell them.
func jsonNames(t reflect.Type) map[string]bool {
	names := map[string]bool{}
	for _, f := range reflect.VisibleFields(t) {
		if f.Anonymous || !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		names[name] = true
	}
	return names
}

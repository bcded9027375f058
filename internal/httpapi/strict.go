package httpapi

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
)

// exactKeys refuses what encoding/json lets through: object keys that match a
// field only case-insensitively ("TenantID" for "tenantId") and keys given
// twice. data has already decoded into a value of type t.
func exactKeys(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	return walkKeys(dec, t, "")
}

func walkKeys(dec *json.Decoder, t reflect.Type, path string) error {
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	tok, err := dec.Token()
	if err != nil {
		return badRequest(path, "malformed JSON: %v", err)
	}
	delim, ok := tok.(json.Delim)
	if !ok {
		return nil
	}
	switch delim {
	case '{':
		fields := map[string]reflect.Type{}
		if t != nil && t.Kind() == reflect.Struct {
			jsonFields(t, fields)
		}
		seen := map[string]bool{}
		for dec.More() {
			keyTok, err := dec.Token()
			if err != nil {
				return badRequest(path, "malformed JSON: %v", err)
			}
			key, _ := keyTok.(string)
			name := join(path, key)
			if seen[key] {
				return badRequest(name, "field %q is given twice", name)
			}
			seen[key] = true
			ft, known := fields[key]
			if t != nil && t.Kind() == reflect.Struct && !known {
				return badRequest(name, "unknown field %q (names are case-sensitive)", name)
			}
			if err := walkKeys(dec, ft, name); err != nil {
				return err
			}
		}
	case '[':
		var elem reflect.Type
		if t != nil && t.Kind() == reflect.Slice {
			elem = t.Elem()
		}
		for i := 0; dec.More(); i++ {
			if err := walkKeys(dec, elem, path); err != nil {
				return err
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return badRequest(path, "malformed JSON: %v", err)
	}
	return nil
}

// jsonFields maps each JSON name of a struct (embedded structs flattened) to
// its field type.
func jsonFields(t reflect.Type, out map[string]reflect.Type) {
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if f.Anonymous && name == "" {
			jsonFields(f.Type, out)
			continue
		}
		if name == "-" || !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

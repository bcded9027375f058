package events

import (
	"bytes"
	"encoding"
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// JSONSchemaDialect is the JSON Schema draft every payload schema is written in.
const JSONSchemaDialect = "https://json-schema.org/draft/2020-12/schema"

// SchemaID is the $id of the schema of a detail type at SchemaVersion.
func SchemaID(t DetailType) string {
	return fmt.Sprintf("urn:switchboard:events:%s:v%d", t, SchemaVersion)
}

// SchemaFile is the name of the schema file of a detail type in events/schemas/.
func SchemaFile(t DetailType) string {
	return fmt.Sprintf("%s.v%d.json", t, SchemaVersion)
}

// Schema returns the JSON Schema (draft 2020-12) of the detail of p's event,
// derived from p's Go type as encoding/json encodes it: stable, indented,
// key-sorted JSON ending in a newline. Fields tagged omitempty or omitzero are
// optional, every other field is required; every object forbids members it
// does not list; time.Time is an RFC 3339 date-time; a slice may be null (a
// nil slice). A field of a type it cannot describe is an error, so a payload
// change never yields a schema that quietly says less than the struct.
//
// events/schemas/ holds the output for every payload in Payloads();
// regenerate it with `go test ./events -run TestSchemas -update`.
func Schema(p Payload) ([]byte, error) {
	t := reflect.TypeOf(p)
	dt := p.DetailType()
	if t.Kind() != reflect.Struct {
		return nil, fmt.Errorf("schema %s: payload is a %s, want a struct", dt, t.Kind())
	}
	s, err := objectSchema(t)
	if err != nil {
		return nil, fmt.Errorf("schema %s: %w", dt, err)
	}

	// A v1 schema describes v1 payloads only: pin Meta.SchemaVersion.
	versionField, _ := reflect.TypeFor[Meta]().FieldByName("SchemaVersion")
	versionName, _, _ := strings.Cut(versionField.Tag.Get("json"), ",")
	version, ok := s["properties"].(map[string]any)[versionName].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("schema %s: no %q property; does the payload embed Meta?", dt, versionName)
	}
	version["const"] = SchemaVersion
	version["description"] = fmt.Sprintf("Version of the payload; always %d for this schema.", SchemaVersion)

	s["$schema"] = JSONSchemaDialect
	s["$id"] = SchemaID(dt)
	s["title"] = string(dt)
	s["description"] = fmt.Sprintf("The detail of the EventBridge event with source %q and detail-type %q, "+
		"payload version %d: the JSON encoding of the Go type events.%s. The schema describes the event's "+
		"\"detail\" member; \"source\" and \"detail-type\" are fields of the EventBridge envelope, not of the detail.",
		Source, dt, SchemaVersion, t.Name())
	s["$comment"] = "Generated from the Go payload struct by events.Schema; do not edit. " +
		"Regenerate with: go test ./events -run TestSchemas -update"

	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil { // map keys come out sorted
		return nil, fmt.Errorf("schema %s: %w", dt, err)
	}
	return b.Bytes(), nil
}

var (
	timeType          = reflect.TypeFor[time.Time]()
	jsonMarshalerType = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

// typeSchema describes how encoding/json encodes a value of type t.
func typeSchema(t reflect.Type) (map[string]any, error) {
	if t == timeType {
		return map[string]any{"type": "string", "format": "date-time"}, nil
	}
	for _, m := range []reflect.Type{jsonMarshalerType, textMarshalerType} {
		if t.Implements(m) || reflect.PointerTo(t).Implements(m) {
			return nil, fmt.Errorf("type %s has its own encoding (%s); teach events.Schema how to describe it", t, m)
		}
	}
	switch t.Kind() {
	case reflect.String:
		return map[string]any{"type": "string"}, nil
	case reflect.Bool:
		return map[string]any{"type": "boolean"}, nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return map[string]any{"type": "integer", "minimum": 0}, nil
	case reflect.Float32, reflect.Float64:
		return map[string]any{"type": "number"}, nil
	case reflect.Slice:
		if t.Elem().Kind() == reflect.Uint8 {
			return nil, fmt.Errorf("type %s encodes as base64; teach events.Schema how to describe it", t)
		}
		items, err := typeSchema(t.Elem())
		if err != nil {
			return nil, err
		}
		return map[string]any{
			"type":  []string{"array", "null"},
			"items": items,
			"description": "Encoded from a Go slice: producers send an array, possibly empty; " +
				"null (a nil slice) means the same as an empty array.",
		}, nil
	case reflect.Struct:
		return objectSchema(t)
	default:
		return nil, fmt.Errorf("type %s (%s) is not supported by events.Schema", t, t.Kind())
	}
}

// objectSchema describes a struct: its JSON members, which are required, and
// nothing else allowed.
func objectSchema(t reflect.Type) (map[string]any, error) {
	fields, err := jsonFields(t)
	if err != nil {
		return nil, err
	}
	props := make(map[string]any, len(fields))
	required := []string{}
	for _, f := range fields {
		s, err := typeSchema(f.typ)
		if err != nil {
			return nil, fmt.Errorf("%s.%s: %w", t.Name(), f.goName, err)
		}
		props[f.name] = s
		if !f.optional {
			required = append(required, f.name)
		}
	}
	slices.Sort(required)
	return map[string]any{
		"type":                 "object",
		"properties":           props,
		"required":             required,
		"additionalProperties": false,
	}, nil
}

// jsonField is a member of a struct's JSON encoding.
type jsonField struct {
	name     string // JSON member name
	goName   string
	typ      reflect.Type
	optional bool // omitted when empty or zero
	tagged   bool // named by a json tag
	depth    int  // embedding depth
}

// jsonFields lists the members encoding/json writes for struct type t,
// following its rules for tags and embedded structs.
func jsonFields(t reflect.Type) ([]jsonField, error) {
	var all []jsonField
	if err := collectFields(t, 0, &all); err != nil {
		return nil, err
	}
	// A shallower field hides deeper ones of the same name; at equal depth a
	// single tagged field wins, and anything else is ambiguous (encoding/json
	// would drop the member silently, so refuse to describe it).
	byName := make(map[string][]jsonField)
	var names []string
	for _, f := range all {
		if _, seen := byName[f.name]; !seen {
			names = append(names, f.name)
		}
		byName[f.name] = append(byName[f.name], f)
	}
	out := make([]jsonField, 0, len(names))
	for _, name := range names {
		fs := byName[name]
		minDepth := slices.MinFunc(fs, func(a, b jsonField) int { return a.depth - b.depth }).depth
		var top, tagged []jsonField
		for _, f := range fs {
			if f.depth == minDepth {
				top = append(top, f)
				if f.tagged {
					tagged = append(tagged, f)
				}
			}
		}
		switch {
		case len(top) == 1:
			out = append(out, top[0])
		case len(tagged) == 1:
			out = append(out, tagged[0])
		default:
			return nil, fmt.Errorf("%s: member %q is ambiguous between embedded structs", t.Name(), name)
		}
	}
	return out, nil
}

func collectFields(t reflect.Type, depth int, out *[]jsonField) error {
	for i := range t.NumField() {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" {
			ft := sf.Type
			if ft.Kind() == reflect.Pointer {
				return fmt.Errorf("%s: embedded pointer %s is not supported by events.Schema", t.Name(), ft)
			}
			if ft.Kind() == reflect.Struct {
				if err := collectFields(ft, depth+1, out); err != nil {
					return err
				}
				continue
			}
		}
		if !sf.IsExported() {
			continue
		}
		options := strings.Split(opts, ",")
		if slices.Contains(options, "string") {
			return fmt.Errorf("%s.%s: the json \",string\" option is not supported by events.Schema", t.Name(), sf.Name)
		}
		tagged := name != ""
		if !tagged {
			name = sf.Name
		}
		*out = append(*out, jsonField{
			name:   name,
			goName: sf.Name,
			typ:    sf.Type,
			// omitempty never omits a struct (time.Time included): such a field is always there.
			optional: slices.Contains(options, "omitzero") ||
				(slices.Contains(options, "omitempty") && sf.Type.Kind() != reflect.Struct),
			tagged: tagged,
			depth:  depth,
		})
	}
	return nil
}

package telemetry

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Datum is one metric value a log line asks CloudWatch to extract.
type Datum struct {
	Namespace  string
	Name       string
	Unit       string
	Dimensions map[string]string
	Value      float64
}

// cloudWatchUnits are the units CloudWatch accepts (MetricDatum.Unit).
var cloudWatchUnits = map[string]bool{
	"Seconds": true, "Microseconds": true, "Milliseconds": true, "Bytes": true, "Kilobytes": true, "Megabytes": true,
	"Gigabytes": true, "Terabytes": true, "Bits": true, "Kilobits": true, "Megabits": true, "Gigabits": true, "Terabits": true,
	"Percent": true, "Count": true, "Bytes/Second": true, "Kilobytes/Second": true, "Megabytes/Second": true,
	"Gigabytes/Second": true, "Terabytes/Second": true, "Bits/Second": true, "Kilobits/Second": true, "Megabits/Second": true,
	"Gigabits/Second": true, "Terabits/Second": true, "Count/Second": true, "None": true,
}

// ParseEMF reads a log line as CloudWatch Logs reads an Embedded Metric
// Format document, checking what the specification requires: one JSON
// object; an _aws object with a numeric Timestamp (milliseconds) and a
// CloudWatchMetrics array of directives, each with a Namespace, Dimensions
// (sets of at most 30 keys, each a string member of the root) and 1 to 100
// Metrics (a Name that is a numeric member of the root, or an array of at
// most 100 numbers; a Unit CloudWatch knows), and no member the
// specification does not define in those objects. It answers every datum
// the line defines, once per dimension set.
func ParseEMF(line []byte) ([]Datum, error) {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(line, &root); err != nil {
		return nil, fmt.Errorf("not one JSON object: %w", err)
	}
	rawAWS, ok := root["_aws"]
	if !ok {
		return nil, errors.New("no _aws member")
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(rawAWS, &meta); err != nil {
		return nil, fmt.Errorf("_aws is not an object: %w", err)
	}
	for k := range meta {
		if k != "Timestamp" && k != "CloudWatchMetrics" && k != "LogGroupName" && k != "LogStreamName" {
			return nil, fmt.Errorf("_aws has a member %q the specification does not define", k)
		}
	}
	var ts float64
	if err := json.Unmarshal(meta["Timestamp"], &ts); err != nil || ts <= 0 || ts != float64(int64(ts)) {
		return nil, fmt.Errorf("_aws.Timestamp %s is not a whole number of milliseconds since the epoch", meta["Timestamp"])
	}
	var directives []map[string]json.RawMessage
	if err := json.Unmarshal(meta["CloudWatchMetrics"], &directives); err != nil || len(directives) == 0 {
		return nil, fmt.Errorf("_aws.CloudWatchMetrics %s is not an array of directives", meta["CloudWatchMetrics"])
	}
	var out []Datum
	for i, d := range directives {
		for k := range d {
			if k != "Namespace" && k != "Dimensions" && k != "Metrics" {
				return nil, fmt.Errorf("directive %d has a member %q the specification does not define", i, k)
			}
		}
		var ns string
		if err := json.Unmarshal(d["Namespace"], &ns); err != nil || strings.TrimSpace(ns) == "" || utf8.RuneCountInString(ns) > 1024 {
			return nil, fmt.Errorf("directive %d: Namespace %s is not a string of 1 to 1024 characters", i, d["Namespace"])
		}
		var sets [][]string
		if err := json.Unmarshal(d["Dimensions"], &sets); err != nil || sets == nil {
			return nil, fmt.Errorf("directive %d: Dimensions %s is not an array of dimension sets", i, d["Dimensions"])
		}
		dims := make([]map[string]string, len(sets))
		for j, set := range sets {
			if len(set) > 30 {
				return nil, fmt.Errorf("directive %d: dimension set %d has %d keys, more than 30", i, j, len(set))
			}
			dims[j] = map[string]string{}
			for _, key := range set {
				var v string
				raw, ok := root[key]
				if !ok {
					return nil, fmt.Errorf("directive %d: dimension %q is not a member of the root", i, key)
				}
				if err := json.Unmarshal(raw, &v); err != nil || v == "" || utf8.RuneCountInString(v) > 1024 {
					return nil, fmt.Errorf("directive %d: dimension %q is %s, not a string of 1 to 1024 characters", i, key, raw)
				}
				dims[j][key] = v
			}
		}
		var defs []map[string]json.RawMessage
		if err := json.Unmarshal(d["Metrics"], &defs); err != nil || len(defs) == 0 || len(defs) > 100 {
			return nil, fmt.Errorf("directive %d: Metrics %s is not an array of 1 to 100 definitions", i, d["Metrics"])
		}
		for _, def := range defs {
			for k := range def {
				if k != "Name" && k != "Unit" && k != "StorageResolution" {
					return nil, fmt.Errorf("directive %d: a metric definition has a member %q the specification does not define", i, k)
				}
			}
			var name, unit string
			if err := json.Unmarshal(def["Name"], &name); err != nil || name == "" || utf8.RuneCountInString(name) > 1024 {
				return nil, fmt.Errorf("directive %d: metric Name %s is not a string of 1 to 1024 characters", i, def["Name"])
			}
			if raw, ok := def["Unit"]; ok {
				if err := json.Unmarshal(raw, &unit); err != nil || !cloudWatchUnits[unit] {
					return nil, fmt.Errorf("metric %s: Unit %s is not a CloudWatch unit", name, raw)
				}
			}
			raw, ok := root[name]
			if !ok {
				return nil, fmt.Errorf("metric %s is not a member of the root", name)
			}
			var values []float64
			var one float64
			if err := json.Unmarshal(raw, &one); err == nil {
				values = []float64{one}
			} else if err := json.Unmarshal(raw, &values); err != nil || len(values) == 0 || len(values) > 100 {
				return nil, fmt.Errorf("metric %s is %s, not a number or an array of 1 to 100 numbers", name, raw)
			}
			for _, set := range dims {
				for _, v := range values {
					out = append(out, Datum{Namespace: ns, Name: name, Unit: unit, Dimensions: set, Value: v})
				}
			}
		}
	}
	return out, nil
}

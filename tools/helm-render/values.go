package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	yaml "gopkg.in/yaml.v3"
)

// readValuesFile parses a values file as Helm does: YAML read through JSON, so every number is a float64.
func readValuesFile(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseValues(data, path)
}

func parseValues(data []byte, source string) (map[string]interface{}, error) {
	var raw interface{}
	if err := yaml.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("failed to parse %s: %v", source, err)
	}
	if raw == nil {
		return map[string]interface{}{}, nil
	}
	norm, err := normalize(raw, true)
	if err != nil {
		return nil, fmt.Errorf("failed to parse %s: %v", source, err)
	}
	m, ok := norm.(map[string]interface{})
	if !ok {
		return nil, fmt.Errorf("failed to parse %s: the top level must be a mapping", source)
	}
	return m, nil
}

// normalize turns decoded YAML into JSON-shaped data: string-keyed maps, []interface{}, and (when floats is set, as
// Helm's values loading does) float64 numbers.
func normalize(v interface{}, floats bool) (interface{}, error) {
	switch t := v.(type) {
	case map[string]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			n, err := normalize(val, floats)
			if err != nil {
				return nil, err
			}
			out[k] = n
		}
		return out, nil
	case map[interface{}]interface{}:
		out := make(map[string]interface{}, len(t))
		for k, val := range t {
			n, err := normalize(val, floats)
			if err != nil {
				return nil, err
			}
			out[fmt.Sprint(k)] = n
		}
		return out, nil
	case []interface{}:
		out := make([]interface{}, len(t))
		for i, val := range t {
			n, err := normalize(val, floats)
			if err != nil {
				return nil, err
			}
			out[i] = n
		}
		return out, nil
	case int:
		if floats {
			return float64(t), nil
		}
		return int64(t), nil
	case int64:
		if floats {
			return float64(t), nil
		}
		return t, nil
	case uint64:
		if floats {
			return float64(t), nil
		}
		return int64(t), nil
	case time.Time:
		return t.Format(time.RFC3339Nano), nil
	default:
		return v, nil
	}
}

// coalesce merges src over dst, as Helm merges user values over chart defaults: maps merge key by key, anything else
// is replaced, and a null in src deletes the key.
func coalesce(dst, src map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(dst))
	for k, v := range dst {
		out[k] = v
	}
	for k, v := range src {
		if v == nil {
			delete(out, k)
			continue
		}
		srcMap, srcIsMap := v.(map[string]interface{})
		dstMap, dstIsMap := out[k].(map[string]interface{})
		if srcIsMap && dstIsMap {
			out[k] = coalesce(dstMap, srcMap)
		} else {
			out[k] = v
		}
	}
	return out
}

// toJSONValue round-trips a value through JSON (numbers kept as int64 where integral), the shape schema validation
// and toYaml see.
func toJSONValue(v interface{}) (interface{}, error) {
	data, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var out interface{}
	if err := dec.Decode(&out); err != nil {
		return nil, err
	}
	return numbersOf(out), nil
}

func numbersOf(v interface{}) interface{} {
	switch t := v.(type) {
	case map[string]interface{}:
		for k, val := range t {
			t[k] = numbersOf(val)
		}
		return t
	case []interface{}:
		for i, val := range t {
			t[i] = numbersOf(val)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		f, _ := t.Float64()
		return f
	default:
		return v
	}
}

// applySet applies one --set (typed) or --set-string argument: comma-separated KEY=VALUE pairs, dotted keys with
// `\.` for a literal dot, `name[N]` list indexes, and `{a,b}` list values.
func applySet(values map[string]interface{}, arg string, asString bool) error {
	for _, pair := range splitUnescaped(arg, ',', true) {
		if pair == "" {
			continue
		}
		eq := indexUnescaped(pair, '=')
		if eq < 0 {
			return fmt.Errorf("--set %q: key %q has no value", arg, pair)
		}
		key, raw := pair[:eq], pair[eq+1:]
		var value interface{}
		if !asString && strings.HasPrefix(raw, "{") && strings.HasSuffix(raw, "}") {
			list := []interface{}{}
			for _, item := range splitUnescaped(raw[1:len(raw)-1], ',', false) {
				list = append(list, typedValue(unescape(item)))
			}
			value = list
		} else if asString {
			value = unescape(raw)
		} else {
			value = typedValue(unescape(raw))
		}
		if err := setPath(values, splitUnescaped(key, '.', false), value); err != nil {
			return fmt.Errorf("--set %q: %v", arg, err)
		}
	}
	return nil
}

func typedValue(s string) interface{} {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	if len(s) > 1 && s[0] == '0' {
		return s // leading zeros stay strings, as in Helm
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i
	}
	return s
}

func setPath(m map[string]interface{}, path []string, value interface{}) error {
	seg := unescape(path[0])
	name, index, hasIndex, err := splitIndex(seg)
	if err != nil {
		return err
	}
	last := len(path) == 1
	if !hasIndex {
		if last {
			m[name] = value
			return nil
		}
		child, ok := m[name].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			m[name] = child
		}
		return setPath(child, path[1:], value)
	}
	list, _ := m[name].([]interface{})
	for len(list) <= index {
		list = append(list, nil)
	}
	if last {
		list[index] = value
	} else {
		child, ok := list[index].(map[string]interface{})
		if !ok {
			child = map[string]interface{}{}
			list[index] = child
		}
		if err := setPath(child, path[1:], value); err != nil {
			return err
		}
	}
	m[name] = list
	return nil
}

func splitIndex(seg string) (string, int, bool, error) {
	open := strings.Index(seg, "[")
	if open < 0 || !strings.HasSuffix(seg, "]") {
		return seg, 0, false, nil
	}
	n, err := strconv.Atoi(seg[open+1 : len(seg)-1])
	if err != nil || n < 0 {
		return "", 0, false, fmt.Errorf("bad list index in %q", seg)
	}
	if n > 65536 {
		return "", 0, false, fmt.Errorf("list index %d too large", n)
	}
	return seg[:open], n, true, nil
}

// splitUnescaped splits on sep where it is not escaped with a backslash (and, if braces is set, not inside {...});
// escapes are kept for unescape to remove.
func splitUnescaped(s string, sep byte, braces bool) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\':
			i++
		case braces && s[i] == '{':
			depth++
		case braces && s[i] == '}' && depth > 0:
			depth--
		case s[i] == sep && depth == 0:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

func indexUnescaped(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' {
			i++
		} else if s[i] == c {
			return i
		}
	}
	return -1
}

func unescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

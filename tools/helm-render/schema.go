package main

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
)

// A JSON-schema subset validator (draft-07 keywords): type, enum, const, properties, required, additionalProperties,
// patternProperties, items, minItems, maxItems, uniqueItems, minimum, maximum, exclusiveMinimum, exclusiveMaximum,
// minLength, maxLength, pattern, minProperties, anyOf, oneOf, allOf, not, and $ref to "#/definitions/..." or
// "#/$defs/...". A schema using any other validation keyword is refused, so the chart never relies on a check this
// validator would silently skip.

var annotationKeywords = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true, "default": true,
	"examples": true, "format": true, "definitions": true, "$defs": true, "readOnly": true, "writeOnly": true,
	"deprecated": true,
}

var validationKeywords = map[string]bool{
	"type": true, "enum": true, "const": true, "properties": true, "required": true, "additionalProperties": true,
	"patternProperties": true, "items": true, "minItems": true, "maxItems": true, "uniqueItems": true,
	"minimum": true, "maximum": true, "exclusiveMinimum": true, "exclusiveMaximum": true, "minLength": true,
	"maxLength": true, "pattern": true, "minProperties": true, "anyOf": true, "oneOf": true, "allOf": true,
	"not": true, "$ref": true,
}

type schemaValidator struct {
	root   map[string]interface{}
	errors []string
}

func loadSchema(path string) (map[string]interface{}, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var schema map[string]interface{}
	if err := json.Unmarshal(data, &schema); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	if err := checkKeywords(schema, "#"); err != nil {
		return nil, fmt.Errorf("%s: %v", path, err)
	}
	return schema, nil
}

// checkKeywords refuses keywords this validator does not implement.
func checkKeywords(schema map[string]interface{}, at string) error {
	for k, v := range schema {
		if !annotationKeywords[k] && !validationKeywords[k] {
			return fmt.Errorf("%s: unsupported schema keyword %q", at, k)
		}
		switch k {
		case "properties", "patternProperties", "definitions", "$defs":
			m, ok := v.(map[string]interface{})
			if !ok {
				return fmt.Errorf("%s/%s: must be an object", at, k)
			}
			for name, sub := range m {
				s, ok := sub.(map[string]interface{})
				if !ok {
					return fmt.Errorf("%s/%s/%s: must be a schema object", at, k, name)
				}
				if err := checkKeywords(s, at+"/"+k+"/"+name); err != nil {
					return err
				}
			}
		case "items", "not", "additionalProperties":
			if s, ok := v.(map[string]interface{}); ok {
				if err := checkKeywords(s, at+"/"+k); err != nil {
					return err
				}
			} else if _, isBool := v.(bool); !isBool || k == "items" || k == "not" {
				return fmt.Errorf("%s/%s: must be a schema object", at, k)
			}
		case "anyOf", "oneOf", "allOf":
			list, ok := v.([]interface{})
			if !ok {
				return fmt.Errorf("%s/%s: must be an array", at, k)
			}
			for i, sub := range list {
				s, ok := sub.(map[string]interface{})
				if !ok {
					return fmt.Errorf("%s/%s/%d: must be a schema object", at, k, i)
				}
				if err := checkKeywords(s, fmt.Sprintf("%s/%s/%d", at, k, i)); err != nil {
					return err
				}
			}
		case "pattern":
			if _, err := regexp.Compile(fmt.Sprint(v)); err != nil {
				return fmt.Errorf("%s/pattern: %v", at, err)
			}
		}
	}
	return nil
}

// validateValues checks values against the schema and returns every problem, one per line, gojsonschema-style
// ("- image.tag: Invalid type. Expected: string, given: integer"), sorted.
func validateValues(schema map[string]interface{}, values map[string]interface{}) ([]string, error) {
	doc, err := toJSONValue(values)
	if err != nil {
		return nil, err
	}
	v := &schemaValidator{root: schema}
	v.validate(schema, doc, "")
	sort.Strings(v.errors)
	return v.errors, nil
}

func (v *schemaValidator) fail(path, format string, args ...interface{}) {
	if path == "" {
		path = "(root)"
	}
	v.errors = append(v.errors, fmt.Sprintf("- %s: %s", path, fmt.Sprintf(format, args...)))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func typeOf(v interface{}) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case int64:
		return "integer"
	case float64:
		if t == math.Trunc(t) {
			return "integer"
		}
		return "number"
	case string:
		return "string"
	case []interface{}:
		return "array"
	case map[string]interface{}:
		return "object"
	default:
		return fmt.Sprintf("%T", v)
	}
}

func number(v interface{}) (float64, bool) {
	switch t := v.(type) {
	case int64:
		return float64(t), true
	case float64:
		return t, true
	}
	return 0, false
}

func (v *schemaValidator) resolve(ref string) (map[string]interface{}, error) {
	for _, prefix := range []string{"#/definitions/", "#/$defs/"} {
		if strings.HasPrefix(ref, prefix) {
			defs, _ := v.root[strings.TrimSuffix(strings.TrimPrefix(prefix, "#/"), "/")].(map[string]interface{})
			if s, ok := defs[strings.TrimPrefix(ref, prefix)].(map[string]interface{}); ok {
				return s, nil
			}
		}
	}
	return nil, fmt.Errorf("unresolvable $ref %q", ref)
}

// matches reports whether value satisfies schema, without recording errors.
func (v *schemaValidator) matches(schema map[string]interface{}, value interface{}) bool {
	sub := &schemaValidator{root: v.root}
	sub.validate(schema, value, "")
	return len(sub.errors) == 0
}

func (v *schemaValidator) validate(schema map[string]interface{}, value interface{}, path string) {
	if ref, ok := schema["$ref"].(string); ok {
		target, err := v.resolve(ref)
		if err != nil {
			v.fail(path, "%v", err)
			return
		}
		v.validate(target, value, path)
	}

	actual := typeOf(value)
	if t, ok := schema["type"]; ok {
		var allowed []string
		switch tt := t.(type) {
		case string:
			allowed = []string{tt}
		case []interface{}:
			for _, x := range tt {
				allowed = append(allowed, fmt.Sprint(x))
			}
		}
		okType := false
		for _, a := range allowed {
			if a == actual || (a == "number" && actual == "integer") {
				okType = true
			}
		}
		if !okType {
			v.fail(path, "Invalid type. Expected: %s, given: %s", strings.Join(allowed, "/"), actual)
			return
		}
	}

	if enum, ok := schema["enum"].([]interface{}); ok {
		found := false
		for _, e := range enum {
			if jsonEqual(e, value) {
				found = true
			}
		}
		if !found {
			var names []string
			for _, e := range enum {
				b, _ := json.Marshal(e)
				names = append(names, string(b))
			}
			v.fail(path, "%s must be one of the following: %s", path, strings.Join(names, ", "))
		}
	}
	if c, ok := schema["const"]; ok && !jsonEqual(c, value) {
		b, _ := json.Marshal(c)
		v.fail(path, "Does not match: %s", string(b))
	}

	switch t := value.(type) {
	case map[string]interface{}:
		v.validateObject(schema, t, path)
	case []interface{}:
		v.validateArray(schema, t, path)
	case string:
		n := len([]rune(t))
		if m, ok := number(schema["minLength"]); ok && float64(n) < m {
			v.fail(path, "String length must be greater than or equal to %v", m)
		}
		if m, ok := number(schema["maxLength"]); ok && float64(n) > m {
			v.fail(path, "String length must be less than or equal to %v", m)
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(t) {
			v.fail(path, "Does not match pattern '%s'", p)
		}
	case int64, float64:
		n, _ := number(t)
		if m, ok := number(schema["minimum"]); ok && n < m {
			v.fail(path, "Must be greater than or equal to %v", m)
		}
		if m, ok := number(schema["maximum"]); ok && n > m {
			v.fail(path, "Must be less than or equal to %v", m)
		}
		if m, ok := number(schema["exclusiveMinimum"]); ok && n <= m {
			v.fail(path, "Must be greater than %v", m)
		}
		if m, ok := number(schema["exclusiveMaximum"]); ok && n >= m {
			v.fail(path, "Must be less than %v", m)
		}
	}

	if list, ok := schema["allOf"].([]interface{}); ok {
		for _, s := range list {
			v.validate(s.(map[string]interface{}), value, path)
		}
	}
	if list, ok := schema["anyOf"].([]interface{}); ok {
		any := false
		for _, s := range list {
			if v.matches(s.(map[string]interface{}), value) {
				any = true
				break
			}
		}
		if !any {
			v.fail(path, "Must validate at least one schema (anyOf)")
		}
	}
	if list, ok := schema["oneOf"].([]interface{}); ok {
		count := 0
		for _, s := range list {
			if v.matches(s.(map[string]interface{}), value) {
				count++
			}
		}
		if count != 1 {
			v.fail(path, "Must validate one and only one schema (oneOf)")
		}
	}
	if not, ok := schema["not"].(map[string]interface{}); ok && v.matches(not, value) {
		v.fail(path, "Must not validate the schema (not)")
	}
}

func (v *schemaValidator) validateObject(schema map[string]interface{}, obj map[string]interface{}, path string) {
	if req, ok := schema["required"].([]interface{}); ok {
		for _, r := range req {
			if _, present := obj[fmt.Sprint(r)]; !present {
				v.fail(path, "%s is required", r)
			}
		}
	}
	if m, ok := number(schema["minProperties"]); ok && float64(len(obj)) < m {
		v.fail(path, "Must have at least %v properties", m)
	}
	props, _ := schema["properties"].(map[string]interface{})
	patterns, _ := schema["patternProperties"].(map[string]interface{})
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		val := obj[k]
		matched := false
		if s, ok := props[k].(map[string]interface{}); ok {
			matched = true
			v.validate(s, val, join(path, k))
		}
		for p, s := range patterns {
			if regexp.MustCompile(p).MatchString(k) {
				matched = true
				v.validate(s.(map[string]interface{}), val, join(path, k))
			}
		}
		if matched {
			continue
		}
		switch ap := schema["additionalProperties"].(type) {
		case bool:
			if !ap {
				v.fail(path, "Additional property %s is not allowed", k)
			}
		case map[string]interface{}:
			v.validate(ap, val, join(path, k))
		}
	}
}

func (v *schemaValidator) validateArray(schema map[string]interface{}, list []interface{}, path string) {
	if m, ok := number(schema["minItems"]); ok && float64(len(list)) < m {
		v.fail(path, "Array must have at least %v items", m)
	}
	if m, ok := number(schema["maxItems"]); ok && float64(len(list)) > m {
		v.fail(path, "Array must have at most %v items", m)
	}
	if u, ok := schema["uniqueItems"].(bool); ok && u {
		for i := range list {
			for j := i + 1; j < len(list); j++ {
				if jsonEqual(list[i], list[j]) {
					v.fail(path, "array items[%d,%d] must be unique", i, j)
				}
			}
		}
	}
	if items, ok := schema["items"].(map[string]interface{}); ok {
		for i, item := range list {
			v.validate(items, item, fmt.Sprintf("%s.%d", path, i))
		}
	}
}

func jsonEqual(a, b interface{}) bool {
	if x, ok := number(a); ok {
		if y, ok := number(b); ok {
			return x == y
		}
		return false
	}
	return reflect.DeepEqual(a, b)
}

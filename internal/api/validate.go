package api

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// metaSchemas holds the official OpenAPI 3.1 JSON Schemas (see
// metaschema/README.md for their source and licence).
//
//go:embed metaschema/*.json
var metaSchemas embed.FS

// The $id of each embedded file; schema-base checks Schema Objects against
// the OpenAPI dialect as well as the document's structure.
var metaSchemaIDs = map[string]string{
	"metaschema/schema.json":       "https://spec.openapis.org/oas/3.1/schema/2022-10-07",
	"metaschema/schema-base.json":  "https://spec.openapis.org/oas/3.1/schema-base/2022-10-07",
	"metaschema/dialect-base.json": "https://spec.openapis.org/oas/3.1/dialect/base",
	"metaschema/meta-base.json":    "https://spec.openapis.org/oas/3.1/meta/base",
}

var openAPISchema = sync.OnceValues(func() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	for file, id := range metaSchemaIDs {
		data, err := metaSchemas.ReadFile(file)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, err
		}
	}
	return c.Compile(metaSchemaIDs["metaschema/schema-base.json"])
})

// ValidateDocument checks an OpenAPI document (JSON): it must be an
// OpenAPI 3.1.0 document valid against the official meta-schema (with
// every Schema Object valid in the OpenAPI dialect), every local $ref must
// resolve, every path parameter must be declared as a required "path"
// parameter, and operationIds must be unique. All problems found are
// returned together.
func ValidateDocument(doc []byte) error {
	sch, err := openAPISchema()
	if err != nil {
		return fmt.Errorf("api: loading the OpenAPI meta-schema: %w", err)
	}
	inst, err := jsonschema.UnmarshalJSON(bytes.NewReader(doc))
	if err != nil {
		return fmt.Errorf("openapi: not JSON: %w", err)
	}
	var errs []error
	if err := sch.Validate(inst); err != nil {
		errs = append(errs, fmt.Errorf("openapi: meta-schema: %w", err))
	}
	root, ok := inst.(map[string]any)
	if !ok {
		return errors.Join(append(errs, errors.New("openapi: the document is not an object"))...)
	}
	if v := root["openapi"]; v != OpenAPIVersion {
		errs = append(errs, fmt.Errorf("openapi: version is %v, want %s", v, OpenAPIVersion))
	}
	errs = append(errs, checkRefs(root, root, "#")...)
	errs = append(errs, checkOperations(root)...)
	return errors.Join(errs...)
}

// checkRefs reports every "$ref" under v (at JSON pointer at) that is not a
// local reference resolving inside root.
func checkRefs(root, v any, at string) []error {
	var errs []error
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["$ref"].(string); ok {
			if _, found := resolvePointer(root, ref); !found {
				errs = append(errs, fmt.Errorf("openapi: %s: $ref %q does not resolve", at, ref))
			}
		}
		for _, k := range sortedKeys(v) {
			errs = append(errs, checkRefs(root, v[k], at+"/"+escapePointer(k))...)
		}
	case []any:
		for i, e := range v {
			errs = append(errs, checkRefs(root, e, at+"/"+strconv.Itoa(i))...)
		}
	}
	return errs
}

// resolvePointer follows a local reference "#/a/b" in root.
func resolvePointer(root any, ref string) (any, bool) {
	p, ok := strings.CutPrefix(ref, "#")
	if !ok {
		return nil, false
	}
	cur := root
	if p == "" {
		return cur, true
	}
	for tok := range strings.SplitSeq(strings.TrimPrefix(p, "/"), "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch c := cur.(type) {
		case map[string]any:
			if cur, ok = c[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(c) {
				return nil, false
			}
			cur = c[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

// checkOperations checks path parameters and operationId uniqueness.
func checkOperations(root map[string]any) []error {
	var errs []error
	seen := map[string]string{}
	paths, _ := root["paths"].(map[string]any)
	for _, path := range sortedKeys(paths) {
		if strings.ContainsAny(pathParam.ReplaceAllString(path, ""), "{}") {
			errs = append(errs, fmt.Errorf("openapi: %s: malformed path template", path))
		}
		item, _ := paths[path].(map[string]any)
		common := declaredPathParams(root, item["parameters"])
		for _, m := range httpMethods {
			op, ok := item[m].(map[string]any)
			if !ok {
				continue
			}
			where := strings.ToUpper(m) + " " + path
			if id, _ := op["operationId"].(string); id != "" {
				if prev, dup := seen[id]; dup {
					errs = append(errs, fmt.Errorf("openapi: %s: operationId %q is also used by %s", where, id, prev))
				}
				seen[id] = where
			}
			declared := append(slices.Clone(common), declaredPathParams(root, op["parameters"])...)
			errs = append(errs, checkPathParams(where, path, declared)...)
		}
	}
	return errs
}

// declaredPathParams lists the names of the "path" parameters in a
// parameter list, following $refs; a path parameter must be required.
func declaredPathParams(root any, list any) []string {
	params, _ := list.([]any)
	var out []string
	for _, p := range params {
		m, _ := p.(map[string]any)
		if ref, ok := m["$ref"].(string); ok {
			r, _ := resolvePointer(root, ref)
			m, _ = r.(map[string]any)
		}
		if m["in"] == "path" && m["required"] == true {
			if name, ok := m["name"].(string); ok {
				out = append(out, name)
			}
		}
	}
	return out
}

// checkPathParams compares the template names in path with the declared
// path parameters.
func checkPathParams(where, path string, declared []string) []error {
	var errs []error
	inPath := pathParams(path)
	for _, name := range inPath {
		if !slices.Contains(declared, name) {
			errs = append(errs, fmt.Errorf("openapi: %s: path parameter %q is not declared as a required path parameter", where, name))
		}
	}
	for _, name := range declared {
		if !slices.Contains(inPath, name) {
			errs = append(errs, fmt.Errorf("openapi: %s: parameter %q is not in the path", where, name))
		}
	}
	return errs
}

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

package api

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestValidateDocumentRefusals breaks the valid sample document in one way
// at a time and checks that ValidateDocument names the fault.
func TestValidateDocumentRefusals(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(doc map[string]any)
		want   string
	}{
		{"wrong version", func(d map[string]any) { d["openapi"] = "3.0.3" }, "meta-schema"},
		{"patch version", func(d map[string]any) { d["openapi"] = "3.1.1" }, "version is 3.1.1, want 3.1.0"},
		{"no info", func(d map[string]any) { delete(d, "info") }, "meta-schema"},
		{"dangling $ref", func(d map[string]any) {
			op := d["paths"].(map[string]any)["/api/v1/entities/{id}"].(map[string]any)["get"].(map[string]any)
			op["responses"].(map[string]any)["404"] = map[string]any{"$ref": "#/components/responses/Gone"}
		}, `$ref "#/components/responses/Gone" does not resolve`},
		{"dangling schema $ref", func(d map[string]any) {
			schemas := d["components"].(map[string]any)["schemas"].(map[string]any)
			delete(schemas, "SampleEntity")
		}, `$ref "#/components/schemas/SampleEntity" does not resolve`},
		{"undeclared path parameter", func(d map[string]any) {
			op := d["paths"].(map[string]any)["/api/v1/entities/{id}"].(map[string]any)["get"].(map[string]any)
			delete(op, "parameters")
		}, `GET /api/v1/entities/{id}: path parameter "id" is not declared`},
		{"optional path parameter", func(d map[string]any) {
			op := d["paths"].(map[string]any)["/api/v1/files/{path}"].(map[string]any)["get"].(map[string]any)
			op["parameters"].([]any)[0].(map[string]any)["required"] = false
		}, `path parameter "path" is not declared`},
		{"parameter not in path", func(d map[string]any) {
			op := d["paths"].(map[string]any)["/api/v1/entities"].(map[string]any)["get"].(map[string]any)
			op["parameters"] = append(op["parameters"].([]any),
				map[string]any{"name": "x", "in": "path", "required": true, "schema": map[string]any{"type": "string"}})
		}, `parameter "x" is not in the path`},
		{"duplicate operationId", func(d map[string]any) {
			op := d["paths"].(map[string]any)["/api/v1/entities/{id}"].(map[string]any)["delete"].(map[string]any)
			op["operationId"] = "getEntity"
		}, `operationId "getEntity" is also used`},
		{"bad schema type", func(d map[string]any) {
			schemas := d["components"].(map[string]any)["schemas"].(map[string]any)
			schemas["SampleEntity"].(map[string]any)["type"] = "strnig"
		}, "meta-schema"},
		{"malformed template", func(d map[string]any) {
			paths := d["paths"].(map[string]any)
			paths["/api/v1/x/{id"] = map[string]any{}
		}, "/api/v1/x/{id: malformed path template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			doc, _ := sampleDocument(t)
			c.mutate(doc)
			data, err := json.Marshal(doc)
			if err != nil {
				t.Fatal(err)
			}
			err = ValidateDocument(data)
			if err == nil {
				t.Fatal("ValidateDocument accepted a broken document")
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %q", err, c.want)
			}
		})
	}
}

func TestValidateDocumentNotJSON(t *testing.T) {
	if err := ValidateDocument([]byte("openapi: 3.1.0")); err == nil || !strings.Contains(err.Error(), "not JSON") {
		t.Errorf("err = %v", err)
	}
	if err := ValidateDocument([]byte(`[]`)); err == nil {
		t.Error("an array was accepted")
	}
}

func TestValidateDocumentMinimal(t *testing.T) {
	doc := `{"openapi":"3.1.0","info":{"title":"t","version":"1"},"paths":{
		"/a/{x}":{"parameters":[{"name":"x","in":"path","required":true,"schema":{"type":"string"}}],
			"get":{"operationId":"a","responses":{"200":{"description":"ok"}}}}}}`
	if err := ValidateDocument([]byte(doc)); err != nil {
		t.Errorf("path-item level parameters should count: %v", err)
	}
}

package api

import (
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
)

// OpenAPIVersion is the version of the generated documents.
const OpenAPIVersion = "3.1.0"

// Document returns the OpenAPI 3.1.0 document of the registered operations
// as a value ready for json.Marshal. Each call builds a fresh value.
func (reg *Registry) Document() map[string]any {
	reg.mu.Lock()
	defer reg.mu.Unlock()
	return reg.document()
}

// document builds the document; reg.mu is held.
func (reg *Registry) document() map[string]any {
	g := newSchemaGen()
	paths := map[string]any{}
	for _, op := range reg.ops {
		p := docPath(op.Path)
		item, _ := paths[p].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[p] = item
		}
		item[strings.ToLower(op.Method)] = operation(g, op)
	}
	info := map[string]any{"title": reg.Title, "version": reg.Version}
	if reg.Description != "" {
		info["description"] = reg.Description
	}
	if reg.License != "" {
		info["license"] = map[string]any{"name": reg.License, "identifier": reg.License}
	}
	responses := problemResponses(g, reg.ops)
	doc := map[string]any{
		"openapi": OpenAPIVersion,
		"info":    info,
		// Relative to the document's own address, so the same document
		// serves every installation (clients resolve it against the URL
		// they fetched /api/openapi.json from).
		"servers": []any{map[string]any{"url": "/", "description": "本服务 / This server"}},
		"paths":   paths,
		"components": map[string]any{
			// Last: fills every $ref handed out. Schemas never take the name
			// of a shared response, used or not.
			"schemas":         g.components(slices.Collect(maps.Values(problemResponseNames))),
			"responses":       responses,
			"securitySchemes": securitySchemes(),
		},
		"security": []any{
			map[string]any{"bearerAuth": []any{}},
			map[string]any{"cookieAuth": []any{}},
		},
	}
	if tags := reg.tagList(); len(tags) > 0 {
		doc["tags"] = tags
	}
	return doc
}

func securitySchemes() map[string]any {
	return map[string]any{
		"bearerAuth": map[string]any{
			"type": "http", "scheme": "bearer", "bearerFormat": "ys_...",
			"description": "API 令牌（以 ys_ 开头） / API token (starts with ys_)",
		},
		"cookieAuth": map[string]any{
			"type": "apiKey", "in": "cookie", "name": "ys_session",
			"description": "浏览器登录会话 / Browser sign-in session",
		},
	}
}

// tagList lists the tags used by operations, sorted, with descriptions.
func (reg *Registry) tagList() []any {
	var names []string
	for _, op := range reg.ops {
		for _, t := range op.Tags {
			if !slices.Contains(names, t) {
				names = append(names, t)
			}
		}
	}
	slices.Sort(names)
	var out []any
	for _, n := range names {
		t := map[string]any{"name": n}
		if d := reg.tagDescs[n]; d != "" {
			t["description"] = d
		}
		out = append(out, t)
	}
	return out
}

// operation builds the Operation Object of op.
func operation(g *schemaGen, op Op) map[string]any {
	o := map[string]any{"operationId": op.ID}
	if op.Summary != "" {
		o["summary"] = op.Summary
	}
	description := op.Description
	if roles, _ := authRoles(op.Auth); roles != nil {
		o["x-roles"] = strings.Split(strings.ReplaceAll(op.Auth, " ", ""), ",")
		description = strings.TrimSpace(description + "\n\n可调用角色 / Roles: " + op.Auth)
	}
	if description != "" {
		o["description"] = description
	}
	if len(op.Tags) > 0 {
		o["tags"] = op.Tags
	}
	if params := parameters(g, op); len(params) > 0 {
		o["parameters"] = params
	}
	if body := requestBody(g, op); body != nil {
		o["requestBody"] = body
	}
	o["responses"] = responses(g, op)
	if op.Auth == AuthPublic {
		o["security"] = []any{} // overrides the document-wide requirement
	}
	return o
}

// parameters documents the path parameters of op.Path and the query
// parameters of op.Query.
func parameters(g *schemaGen, op Op) []any {
	var fields []paramField
	if op.Query != nil {
		fields = paramFields(derefType(reflect.TypeOf(op.Query)))
	}
	var out []any
	for _, name := range pathParams(op.Path) {
		i := slices.IndexFunc(fields, func(f paramField) bool { return f.in == "path" && f.name == name })
		if i >= 0 {
			out = append(out, parameter(g, fields[i]))
			continue
		}
		out = append(out, map[string]any{
			"name": name, "in": "path", "required": true, "schema": defaultPathSchema(name),
		})
	}
	for _, f := range fields {
		if f.in == "query" {
			out = append(out, parameter(g, f))
		}
	}
	return out
}

// parameter builds the Parameter Object of a tagged field.
func parameter(g *schemaGen, f paramField) map[string]any {
	s := applyTags(g.of(derefType(f.field.Type)), f.field.Tag)
	p := map[string]any{"name": f.name, "in": f.in, "schema": s}
	if f.required {
		p["required"] = true
	}
	if d, ok := s["description"]; ok {
		p["description"] = d
		delete(s, "description")
	}
	return p
}

// defaultPathSchema is the schema of a path parameter no field describes:
// "id" and names ending in "_id" are positive integers (see PathInt64),
// anything else a string.
func defaultPathSchema(name string) map[string]any {
	if name == "id" || strings.HasSuffix(name, "_id") {
		return map[string]any{"type": "integer", "format": "int64", "minimum": 1}
	}
	return map[string]any{"type": "string"}
}

// requestBody builds the Request Body Object of op, or nil.
func requestBody(g *schemaGen, op Op) map[string]any {
	if op.Multipart {
		form := map[string]any{"type": "object", "properties": map[string]any{}}
		if op.Body != nil {
			form = g.object(derefType(reflect.TypeOf(op.Body)))
		}
		form["properties"].(map[string]any)["file"] = map[string]any{
			"type": "string", "format": "binary", "description": "上传的文件 / The uploaded file",
		}
		req, _ := form["required"].([]string)
		form["required"] = append(req, "file")
		return map[string]any{"required": true, "content": map[string]any{
			"multipart/form-data": map[string]any{"schema": form},
		}}
	}
	if op.Body == nil {
		return nil
	}
	return map[string]any{"required": true, "content": map[string]any{
		"application/json": map[string]any{"schema": g.of(reflect.TypeOf(op.Body))},
	}}
}

// responses builds the Responses Object of op: the success response and
// the problem responses it can return.
func responses(g *schemaGen, op Op) map[string]any {
	ok := map[string]any{"description": http.StatusText(op.Status)}
	switch {
	case op.RespContentType != "" && op.RespContentType != "application/json":
		ok["content"] = map[string]any{op.RespContentType: map[string]any{
			"schema": map[string]any{"type": "string", "format": "binary"},
		}}
	case op.Resp != nil:
		ok["content"] = map[string]any{"application/json": map[string]any{
			"schema": g.of(reflect.TypeOf(op.Resp)),
		}}
	}
	out := map[string]any{strconv.Itoa(op.Status): ok}
	for _, s := range errorStatuses(op) {
		out[strconv.Itoa(s)] = map[string]any{"$ref": "#/components/responses/" + problemResponseName(s)}
	}
	return out
}

// errorStatuses lists the problem statuses documented for op.
func errorStatuses(op Op) []int {
	hasParams := len(pathParams(op.Path)) > 0
	hasBody := op.Body != nil || op.Multipart
	var out []int
	add := func(cond bool, status int) {
		if cond && !slices.Contains(out, status) {
			out = append(out, status)
		}
	}
	add(hasBody || hasParams || op.Query != nil, http.StatusBadRequest)
	add(op.Auth != AuthPublic, http.StatusUnauthorized)
	add(op.Auth != AuthPublic, http.StatusForbidden)
	add(hasParams, http.StatusNotFound)
	add(op.Method != http.MethodGet, http.StatusConflict)
	add(hasBody, http.StatusRequestEntityTooLarge)
	add(true, http.StatusInternalServerError)
	for _, s := range op.Errors {
		add(true, s)
	}
	slices.Sort(out)
	return out
}

// problemResponseNames names the shared problem responses by status.
var problemResponseNames = map[int]string{
	http.StatusBadRequest:            "BadRequest",
	http.StatusUnauthorized:          "Unauthorized",
	http.StatusForbidden:             "Forbidden",
	http.StatusNotFound:              "NotFound",
	http.StatusConflict:              "Conflict",
	http.StatusRequestEntityTooLarge: "TooLarge",
	http.StatusTooManyRequests:       "TooManyRequests",
	http.StatusInternalServerError:   "InternalError",
	http.StatusServiceUnavailable:    "Unavailable",
}

func problemResponseName(status int) string { return problemResponseNames[status] }

// problemResponses builds components/responses: one problem response per
// error status that an operation in ops refers to, all with the Problem
// schema.
func problemResponses(g *schemaGen, ops []Op) map[string]any {
	used := map[int]bool{}
	for _, op := range ops {
		for _, s := range errorStatuses(op) {
			used[s] = true
		}
	}
	out := map[string]any{}
	for code, info := range problems {
		if !used[StatusOf(code)] {
			continue
		}
		r := map[string]any{
			"description": info.zh + " / " + info.en,
			"content": map[string]any{ProblemContentType: map[string]any{
				"schema": g.of(reflect.TypeFor[Problem]()),
			}},
		}
		if info.status == http.StatusUnauthorized {
			r["headers"] = map[string]any{"WWW-Authenticate": map[string]any{
				"description": "Bearer 认证质询 / Bearer challenge",
				"schema":      map[string]any{"type": "string"},
			}}
		}
		out[problemResponseName(StatusOf(code))] = r
	}
	return out
}

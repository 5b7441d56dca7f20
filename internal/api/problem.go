package api

import (
	"encoding/json"
	"log/slog"
	"net/http"

	"yingshang/internal/yserr"
)

// ProblemContentType is the media type of RFC 9457 problem details.
const ProblemContentType = "application/problem+json"

// RequestIDHeader is the response header a middleware sets to the request
// id; WriteProblem copies it into the problem and the log.
const RequestIDHeader = "X-Request-ID"

// Problem is an RFC 9457 problem details object with the platform's
// extension members.
type Problem struct {
	Type      string             `json:"type" doc:"问题类型：/problems/<code>，纯 HTTP 状态为 about:blank / Problem type: /problems/<code>, or about:blank for a bare HTTP status" example:"/problems/not_found"`
	Title     string             `json:"title" doc:"问题类型的简短说明（按请求语言） / Short summary of the problem type, in the request's language"`
	Status    int                `json:"status" doc:"HTTP 状态码 / HTTP status code" example:"404"`
	Detail    string             `json:"detail,omitempty" doc:"本次错误的说明（按请求语言） / What went wrong this time, in the request's language"`
	Instance  string             `json:"instance,omitempty" doc:"请求路径 / The request path" example:"/api/v1/entities/42"`
	Code      yserr.Code         `json:"code,omitempty" doc:"错误代码，客户端据此判断 / Error code for clients to switch on" enum:"invalid,unauthorized,forbidden,not_found,conflict,too_large,too_many,unavailable,internal"`
	Field     string             `json:"field,omitempty" doc:"主要出错字段 / The main offending field"`
	Errors    []yserr.FieldError `json:"errors,omitempty" doc:"所有出错字段 / Every offending field"`
	RequestID string             `json:"request_id,omitempty" doc:"请求编号，报告问题时请提供 / Request id to quote when reporting the problem"`
}

// problemInfo is the HTTP status and bilingual title of one error code.
type problemInfo struct {
	status int
	zh, en string
}

var problems = map[yserr.Code]problemInfo{
	yserr.Invalid:      {http.StatusBadRequest, "请求参数有误", "Invalid request"},
	yserr.Unauthorized: {http.StatusUnauthorized, "未登录或登录已失效", "Unauthorized"},
	yserr.Forbidden:    {http.StatusForbidden, "无权访问", "Forbidden"},
	yserr.NotFound:     {http.StatusNotFound, "资源不存在", "Not found"},
	yserr.Conflict:     {http.StatusConflict, "操作冲突", "Conflict"},
	yserr.TooLarge:     {http.StatusRequestEntityTooLarge, "请求内容过大", "Request too large"},
	yserr.TooMany:      {http.StatusTooManyRequests, "请求过于频繁", "Too many requests"},
	yserr.Unavailable:  {http.StatusServiceUnavailable, "服务暂不可用", "Service unavailable"},
	yserr.Internal:     {http.StatusInternalServerError, "系统内部错误", "Internal error"},
}

// StatusOf returns the HTTP status for an error code (500 for unknown codes).
func StatusOf(code yserr.Code) int {
	if p, ok := problems[code]; ok {
		return p.status
	}
	return http.StatusInternalServerError
}

// WriteProblem renders err as an RFC 9457 problem in the request's
// language. Errors that are not *yserr.Error (or carry an unknown code) are
// internal: they are logged with the request id and never shown.
func WriteProblem(w http.ResponseWriter, r *http.Request, err error) {
	e := yserr.As(err)
	info, known := problems[e.Code]
	if !known || e.Code == yserr.Internal {
		writeInternal(w, r, err)
		return
	}
	lang := Lang(r)
	p := Problem{
		Type:      "/problems/" + string(e.Code),
		Title:     pick(lang, info.zh, info.en),
		Status:    info.status,
		Detail:    e.Message(lang),
		Instance:  r.URL.Path,
		Code:      e.Code,
		Field:     e.Field,
		Errors:    e.Fields,
		RequestID: w.Header().Get(RequestIDHeader),
	}
	if len(p.Errors) == 0 && e.Field != "" {
		p.Errors = []yserr.FieldError{{Field: e.Field, ZH: e.ZH, EN: e.EN}}
	}
	if info.status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="yingshang"`)
	}
	writeProblem(w, lang, p)
}

// writeInternal logs err and renders a generic 500 problem.
func writeInternal(w http.ResponseWriter, r *http.Request, err error) {
	id := w.Header().Get(RequestIDHeader)
	slog.ErrorContext(r.Context(), "api: internal error",
		"method", r.Method, "path", r.URL.Path, "request_id", id, "err", err)
	lang := Lang(r)
	info := problems[yserr.Internal]
	detail := pick(lang, "系统内部错误，请稍后重试", "An internal error occurred; please try again later")
	if id != "" {
		detail += pick(lang, "（请求编号 "+id+"）", " (request id "+id+")")
	}
	writeProblem(w, lang, Problem{
		Type: "/problems/internal", Title: pick(lang, info.zh, info.en), Status: info.status,
		Detail: detail, Instance: r.URL.Path, Code: yserr.Internal, RequestID: id,
	})
}

// WriteStatus renders a bare HTTP status (an unknown route, a method not
// allowed) as an "about:blank" problem whose title is the reason phrase.
func WriteStatus(w http.ResponseWriter, r *http.Request, status int) {
	lang := Lang(r)
	p := Problem{
		Type: "about:blank", Title: http.StatusText(status), Status: status,
		Instance: r.URL.Path, RequestID: w.Header().Get(RequestIDHeader),
	}
	for code, info := range problems {
		if info.status == status {
			p.Code = code
			p.Detail = pick(lang, info.zh, info.en)
		}
	}
	switch status {
	case http.StatusNotFound:
		p.Detail = pick(lang, "请求的接口不存在", "No such API endpoint")
	case http.StatusMethodNotAllowed:
		p.Detail = pick(lang, "接口不支持该请求方法", "The endpoint does not support this method")
	}
	writeProblem(w, lang, p)
}

func writeProblem(w http.ResponseWriter, lang string, p Problem) {
	body, err := json.Marshal(p)
	if err != nil { // cannot happen: Problem holds only strings and ints
		panic(err)
	}
	h := w.Header()
	h.Set("Content-Type", ProblemContentType)
	h.Set("Content-Language", lang)
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_, _ = w.Write(body)
}

// WriteJSON writes v as JSON with the status; times are written in
// Asia/Shanghai with their offset (RFC 3339, "+08:00"; see inShanghai).
// A nil v with 204 (or any status) writes no body. A value that cannot be
// encoded is a programming error: it is logged and answered with a bare 500.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	if v == nil || status == http.StatusNoContent {
		w.WriteHeader(status)
		return
	}
	body, err := json.Marshal(inShanghai(v))
	if err != nil {
		slog.Error("api: cannot encode response", "err", err)
		w.Header().Set("Content-Type", ProblemContentType)
		w.WriteHeader(http.StatusInternalServerError)
		_, _ = w.Write([]byte(`{"type":"about:blank","title":"Internal Server Error","status":500,"code":"internal"}`))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func pick(lang, zh, en string) string {
	if lang == LangEN {
		return en
	}
	return zh
}

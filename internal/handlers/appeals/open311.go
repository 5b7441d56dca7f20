package appeals

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/appeal"
	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

// Open311 GeoReport v2 (http://wiki.open311.org/GeoReport_v2) at
// /open311/v2/. Services are appeal types x topics; service_request_id is
// the appeal number; statuses are open/closed with the detailed state in
// extended_attributes. Every file is served as .json or .xml.

const open311Spec = "http://wiki.open311.org/GeoReport_v2"

func (h *handlers) mountOpen311() {
	h.s.Page("GET /open311/v2/{file}", h.o311Root)
	h.s.Page("POST /open311/v2/{file}", h.o311Post)
	h.s.Page("GET /open311/v2/services/{file}", h.o311Service)
	h.s.Page("GET /open311/v2/requests/{file}", h.o311Request)
	h.s.Page("GET /open311/v2/tokens/{file}", h.o311Token)
}

// O311Service is a service in services.json.
type O311Service struct {
	XMLName     xml.Name `json:"-" xml:"service"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	Description string   `json:"description" xml:"description"`
	Metadata    bool     `json:"metadata" xml:"metadata"`
	Type        string   `json:"type" xml:"type"`
	Keywords    string   `json:"keywords" xml:"keywords"`
	Group       string   `json:"group" xml:"group"`
}

// O311Request is a service request.
type O311Request struct {
	XMLName           xml.Name          `json:"-" xml:"request"`
	ServiceRequestID  string            `json:"service_request_id" xml:"service_request_id"`
	Status            string            `json:"status" xml:"status"`
	StatusNotes       string            `json:"status_notes,omitempty" xml:"status_notes,omitempty"`
	ServiceName       string            `json:"service_name" xml:"service_name"`
	ServiceCode       string            `json:"service_code" xml:"service_code"`
	Description       string            `json:"description,omitempty" xml:"description,omitempty"`
	AgencyResponsible string            `json:"agency_responsible,omitempty" xml:"agency_responsible,omitempty"`
	ServiceNotice     string            `json:"service_notice,omitempty" xml:"service_notice,omitempty"`
	RequestedDatetime string            `json:"requested_datetime" xml:"requested_datetime"`
	UpdatedDatetime   string            `json:"updated_datetime" xml:"updated_datetime"`
	ExpectedDatetime  string            `json:"expected_datetime,omitempty" xml:"expected_datetime,omitempty"`
	Address           string            `json:"address,omitempty" xml:"address,omitempty"`
	Extended          map[string]string `json:"extended_attributes" xml:"-"`
	ExtendedXML       *o311Ext          `json:"-" xml:"extended_attributes"`
}

type o311Ext struct {
	State     string `xml:"state"`
	StateName string `xml:"state_name"`
	Number    string `xml:"number"`
}

type o311Error struct {
	XMLName     xml.Name `json:"-" xml:"error"`
	Code        int      `json:"code" xml:"code"`
	Description string   `json:"description" xml:"description"`
}

// split cuts "requests.json" into name and format.
func split(file string) (string, string, bool) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return "", "", false
	}
	name, format := file[:i], file[i+1:]
	return name, format, format == "json" || format == "xml"
}

func (h *handlers) o311Write(w http.ResponseWriter, format string, status int, wrapper string, v any) error {
	if format == "xml" {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(xml.Header))
		enc := xml.NewEncoder(w)
		if wrapper == "" {
			return enc.Encode(v)
		}
		if err := enc.EncodeToken(xml.StartElement{Name: xml.Name{Local: wrapper}}); err != nil {
			return err
		}
		if err := enc.Encode(v); err != nil {
			return err
		}
		if err := enc.EncodeToken(xml.EndElement{Name: xml.Name{Local: wrapper}}); err != nil {
			return err
		}
		return enc.Flush()
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	return json.NewEncoder(w).Encode(v)
}

func (h *handlers) o311Fail(w http.ResponseWriter, format string, status int, msg string) error {
	if format == "" {
		format = "json"
	}
	return h.o311Write(w, format, status, "errors", []o311Error{{Code: status, Description: msg}})
}

func (h *handlers) o311Err(w http.ResponseWriter, format string, err error) error {
	status := http.StatusBadRequest
	switch yserr.CodeOf(err) {
	case yserr.NotFound:
		status = http.StatusNotFound
	case yserr.Forbidden, yserr.Unauthorized:
		status = http.StatusForbidden
	case yserr.Invalid, yserr.Conflict:
	default:
		return err
	}
	zh, en := yserr.Texts(err)
	return h.o311Fail(w, format, status, zh+" / "+en)
}

func (h *handlers) o311Root(w http.ResponseWriter, r *http.Request) error {
	name, format, ok := split(r.PathValue("file"))
	if !ok {
		return h.o311Fail(w, "json", http.StatusNotFound, "unknown format: use .json or .xml")
	}
	switch name {
	case "discovery":
		return h.o311Discovery(w, r, format)
	case "services":
		list, err := h.o311Services(r.Context())
		if err != nil {
			return err
		}
		return h.o311Write(w, format, http.StatusOK, "services", list)
	case "requests":
		return h.o311Requests(w, r, format)
	}
	return h.o311Fail(w, format, http.StatusNotFound, "not found")
}

// O311Discovery is discovery.json.
type O311Discovery struct {
	XMLName   xml.Name       `json:"-" xml:"discovery"`
	Changeset string         `json:"changeset" xml:"changeset"`
	Contact   string         `json:"contact" xml:"contact"`
	KeyServ   string         `json:"key_service" xml:"key_service"`
	Endpoints []O311Endpoint `json:"endpoints" xml:"endpoints>endpoint"`
}

// O311Endpoint is one endpoint of the discovery document.
type O311Endpoint struct {
	Specification string   `json:"specification" xml:"specification"`
	URL           string   `json:"url" xml:"url"`
	Changeset     string   `json:"changeset" xml:"changeset"`
	Type          string   `json:"type" xml:"type"`
	Formats       []string `json:"formats" xml:"formats>format"`
}

func (h *handlers) o311Discovery(w http.ResponseWriter, r *http.Request, format string) error {
	base := strings.TrimRight(h.s.App.Cfg.BaseURL, "/")
	cs := "2026-11-23T00:00:00Z"
	d := O311Discovery{Changeset: cs, Contact: "营商环境局 business-environment office, " + base,
		KeyServ: "API keys are the platform's API tokens (账户 > API 令牌 / Account > API tokens)",
		Endpoints: []O311Endpoint{{Specification: open311Spec, URL: base + "/open311/v2", Changeset: cs, Type: "production",
			Formats: []string{"application/json", "text/xml"}}}}
	return h.o311Write(w, format, http.StatusOK, "", d)
}

func serviceCode(k appeal.Kind, topicIdx int) string { return fmt.Sprintf("%s-%02d", k, topicIdx+1) }

func (h *handlers) o311Services(ctx context.Context) ([]O311Service, error) {
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return nil, err
	}
	var out []O311Service
	for _, k := range appeal.Kinds {
		for i, t := range st.Topics {
			out = append(out, O311Service{ServiceCode: serviceCode(k, i), ServiceName: k.Label("zh") + " · " + t,
				Description: k.Label("en") + " about " + t, Metadata: true, Type: "realtime", Keywords: k.Label("zh") + "," + t, Group: k.Label("zh")})
		}
	}
	return out, nil
}

// lookupService maps a service code back to type and topic.
func (h *handlers) lookupService(ctx context.Context, code string) (appeal.Kind, string, bool) {
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return "", "", false
	}
	for _, k := range appeal.Kinds {
		for i, t := range st.Topics {
			if serviceCode(k, i) == code {
				return k, t, true
			}
		}
	}
	return "", "", false
}

// O311Attribute is an attribute of a service definition.
type O311Attribute struct {
	XMLName             xml.Name `json:"-" xml:"attribute"`
	Variable            bool     `json:"variable" xml:"variable"`
	Code                string   `json:"code" xml:"code"`
	Datatype            string   `json:"datatype" xml:"datatype"`
	Required            bool     `json:"required" xml:"required"`
	DatatypeDescription string   `json:"datatype_description" xml:"datatype_description"`
	Order               int      `json:"order" xml:"order"`
	Description         string   `json:"description" xml:"description"`
}

// O311Definition is services/{code}.json.
type O311Definition struct {
	XMLName     xml.Name        `json:"-" xml:"service_definition"`
	ServiceCode string          `json:"service_code" xml:"service_code"`
	Attributes  []O311Attribute `json:"attributes" xml:"attributes>attribute"`
}

func (h *handlers) o311Service(w http.ResponseWriter, r *http.Request) error {
	code, format, ok := split(r.PathValue("file"))
	if !ok {
		return h.o311Fail(w, "json", http.StatusNotFound, "unknown format: use .json or .xml")
	}
	if _, _, ok := h.lookupService(r.Context(), code); !ok {
		return h.o311Fail(w, format, http.StatusNotFound, "未知服务 unknown service_code "+code)
	}
	def := O311Definition{ServiceCode: code, Attributes: []O311Attribute{
		{Variable: true, Code: "title", Datatype: "string", Required: false, DatatypeDescription: "at most 100 characters", Order: 1,
			Description: "诉求标题 Title (default: the start of the description)"},
		{Variable: true, Code: "uscc", Datatype: "string", Required: false, DatatypeDescription: "18-character unified social credit code", Order: 2,
			Description: "经营主体统一社会信用代码 Credit code of the business (intake keys; enterprise keys use their own)"},
		{Variable: true, Code: "publishable", Datatype: "string", Required: false, DatatypeDescription: "true or false", Order: 3,
			Description: "同意匿名公开为典型案例 Agrees to anonymised publication"},
	}}
	return h.o311Write(w, format, http.StatusOK, "", def)
}

func (h *handlers) o311Actor(r *http.Request) (context.Context, bool) {
	key := r.FormValue("api_key")
	if key == "" {
		return r.Context(), true
	}
	a, err := h.s.App.Accounts.TokenActor(r.Context(), key)
	if err != nil {
		return r.Context(), false
	}
	return auth.WithActor(r.Context(), a), true
}

func (h *handlers) o311Requests(w http.ResponseWriter, r *http.Request, format string) error {
	q := r.URL.Query()
	f := appeal.Filter{PerPage: 1000}
	var v yserr.Validation
	if s := q.Get("start_date"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		v.AddErr("start_date", err)
		f.From = t.In(shanghaiLoc).Format("2006-01-02")
	}
	if s := q.Get("end_date"); s != "" {
		t, err := time.Parse(time.RFC3339, s)
		v.AddErr("end_date", err)
		f.To = t.In(shanghaiLoc).Format("2006-01-02")
	}
	switch q.Get("status") {
	case "", "open,closed", "closed,open":
	case "open", "closed":
		f.State = q.Get("status")
	default:
		v.Add("status", "status 须为 open 或 closed", "status must be open or closed")
	}
	if err := v.Err(); err != nil {
		return h.o311Err(w, format, err)
	}
	codes := splitList(q.Get("service_code"))
	ids := splitList(q.Get("service_request_id"))
	ctx, ok := h.o311Actor(r)
	if !ok {
		return h.o311Fail(w, format, http.StatusForbidden, "invalid api_key")
	}
	var list []appeal.Appeal
	var err error
	if auth.From(ctx) != nil {
		list, _, err = h.svc.List(ctx, f)
	} else {
		list, err = h.svc.ListPublic(ctx, f)
	}
	if err != nil {
		return h.o311Err(w, format, err)
	}
	out := []O311Request{}
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	for _, a := range list {
		req := toRequest(&a, st.Topics, auth.From(ctx) != nil)
		if len(codes) > 0 && !contains(codes, req.ServiceCode) || len(ids) > 0 && !contains(ids, req.ServiceRequestID) {
			continue
		}
		out = append(out, req)
	}
	return h.o311Write(w, format, http.StatusOK, "service_requests", out)
}

var shanghaiLoc = time.FixedZone("CST", 8*3600)

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, ",") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func contains(list []string, x string) bool {
	for _, y := range list {
		if y == x {
			return true
		}
	}
	return false
}

func w3c(t time.Time) string { return t.In(shanghaiLoc).Format(time.RFC3339) }

// toRequest maps an appeal to an Open311 request; withText adds the
// description (for callers allowed to see the appeal).
func toRequest(a *appeal.Appeal, topics []string, withText bool) O311Request {
	code := ""
	for i, t := range topics {
		if t == a.Topic {
			code = serviceCode(a.Kind, i)
		}
	}
	status := "open"
	if !a.Open() {
		status = "closed"
	}
	req := O311Request{ServiceRequestID: a.Number, Status: status, StatusNotes: a.State.Label("zh") + " / " + a.State.Label("en"),
		ServiceName: a.Kind.Label("zh") + " · " + a.Topic, ServiceCode: code, AgencyResponsible: a.LeadDeptName,
		RequestedDatetime: w3c(a.SubmittedAt), UpdatedDatetime: w3c(a.UpdatedAt),
		Extended:    map[string]string{"state": string(a.State), "state_name": a.State.Label("zh"), "number": a.Number},
		ExtendedXML: &o311Ext{State: string(a.State), StateName: a.State.Label("zh"), Number: a.Number}}
	req.Description = a.Title
	if withText {
		req.Description = a.Title + "\n" + a.Description
	}
	if a.Open() && a.ReplyDue != nil {
		req.ExpectedDatetime = w3c(*a.ReplyDue)
	}
	return req
}

func (h *handlers) o311Request(w http.ResponseWriter, r *http.Request) error {
	id, format, ok := split(r.PathValue("file"))
	if !ok {
		return h.o311Fail(w, "json", http.StatusNotFound, "unknown format: use .json or .xml")
	}
	ctx, ok := h.o311Actor(r)
	if !ok {
		return h.o311Fail(w, format, http.StatusForbidden, "invalid api_key")
	}
	st, err := h.svc.Settings(ctx)
	if err != nil {
		return err
	}
	if auth.From(ctx) != nil {
		a, err := h.svc.GetByNumber(ctx, id)
		if err != nil {
			return h.o311Err(w, format, err)
		}
		return h.o311Write(w, format, http.StatusOK, "service_requests", []O311Request{toRequest(a, st.Topics, true)})
	}
	list, err := h.svc.ListPublic(ctx, appeal.Filter{Q: id, PerPage: 1})
	if err != nil {
		return err
	}
	if len(list) == 0 || list[0].Number != id {
		return h.o311Fail(w, format, http.StatusNotFound, "未找到 service request "+id+" not found")
	}
	return h.o311Write(w, format, http.StatusOK, "service_requests", []O311Request{toRequest(&list[0], st.Topics, false)})
}

// o311Token answers tokens/{token}: requests are created synchronously, so
// the token returned by POST is the service_request_id itself.
func (h *handlers) o311Token(w http.ResponseWriter, r *http.Request) error {
	tok, format, ok := split(r.PathValue("file"))
	if !ok {
		return h.o311Fail(w, "json", http.StatusNotFound, "unknown format: use .json or .xml")
	}
	ctx, ok := h.o311Actor(r)
	if !ok || auth.From(ctx) == nil {
		return h.o311Fail(w, format, http.StatusForbidden, "api_key required")
	}
	a, err := h.svc.GetByNumber(ctx, tok)
	if err != nil {
		return h.o311Err(w, format, err)
	}
	type tokenResp struct {
		XMLName          xml.Name `json:"-" xml:"request"`
		ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
		Token            string   `json:"token" xml:"token"`
	}
	return h.o311Write(w, format, http.StatusOK, "service_requests", []tokenResp{{ServiceRequestID: a.Number, Token: a.Number}})
}

// O311Created is the answer to a POST.
type O311Created struct {
	XMLName          xml.Name `json:"-" xml:"request"`
	ServiceRequestID string   `json:"service_request_id" xml:"service_request_id"`
	Token            string   `json:"token,omitempty" xml:"token,omitempty"`
	ServiceNotice    string   `json:"service_notice" xml:"service_notice"`
	AccountID        string   `json:"account_id,omitempty" xml:"account_id,omitempty"`
}

func (h *handlers) o311Post(w http.ResponseWriter, r *http.Request) error {
	name, format, ok := split(r.PathValue("file"))
	if !ok || name != "requests" {
		return h.o311Fail(w, "json", http.StatusNotFound, "POST only to requests.json or requests.xml")
	}
	if r.FormValue("api_key") == "" {
		return h.o311Fail(w, format, http.StatusForbidden, "api_key required")
	}
	ctx, ok := h.o311Actor(r)
	if !ok {
		return h.o311Fail(w, format, http.StatusForbidden, "invalid api_key")
	}
	kind, topic, ok := h.lookupService(ctx, r.FormValue("service_code"))
	if !ok {
		return h.o311Fail(w, format, http.StatusBadRequest, "未知服务 unknown service_code")
	}
	desc := strings.TrimSpace(r.FormValue("description"))
	title := strings.TrimSpace(r.FormValue("attribute[title]"))
	if title == "" {
		title = firstRunes(desc, 30)
	}
	if addr := strings.TrimSpace(r.FormValue("address_string")); addr != "" {
		desc += "\n地址 address: " + addr
	}
	person := strings.TrimSpace(r.FormValue("last_name") + r.FormValue("first_name"))
	in := appeal.Input{Channel: "open311", Kind: kind, Topic: topic, Title: title, Description: desc, USCC: r.FormValue("attribute[uscc]"),
		PersonName: person, PersonPhone: r.FormValue("phone"), Publishable: r.FormValue("attribute[publishable]") == "true"}
	a, err := h.svc.Create(ctx, in)
	if err != nil {
		return h.o311Err(w, format, err)
	}
	notice := "已受理登记，编号 " + a.Number + "，答复期限 " + dueText(a) + " / registered as " + a.Number
	return h.o311Write(w, format, http.StatusCreated, "service_requests", []O311Created{{ServiceRequestID: a.Number, Token: a.Number,
		ServiceNotice: notice, AccountID: strconv.FormatInt(a.SubmitterID, 10)}})
}

func dueText(a *appeal.Appeal) string {
	if a.ReplyDue == nil {
		return "-"
	}
	return a.ReplyDue.In(shanghaiLoc).Format("2006-01-02")
}

func firstRunes(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}

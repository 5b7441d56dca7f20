package core

import (
	"encoding/base64"
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/audit"
	"yingshang/internal/yserr"
)

// The transparency log's public operations (docs/audit.md). They are
// public and rate limited like the public pages.

// LogEvent is one event of the log with the exact bytes hashed as its leaf.
type LogEvent struct {
	Index int64       `json:"index"`
	Event audit.Event `json:"event"`
	Leaf  string      `json:"leaf" doc:"the leaf bytes, base64; the leaf hash is SHA-256(0x00 || leaf)"`
}

// Proof is an inclusion or consistency proof: hashes in hex, RFC 9162 order.
type Proof struct {
	Index  int64    `json:"index,omitempty"`
	Size   int64    `json:"size,omitempty"`
	From   int64    `json:"from,omitempty"`
	To     int64    `json:"to,omitempty"`
	Hashes []string `json:"hashes"`
}

func (h *handlers) routeLog(reg *api.Registry, mux *http.ServeMux) {
	tags := []string{"audit"}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/checkpoint", ID: "getAuditCheckpoint", Summary: "The latest signed checkpoint (a signed note, text/plain)",
		Tags: tags, Auth: "public", Resp: ""}, h.limited(h.apiCheckpoint))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/events/{index}", ID: "getAuditLogEvent", Summary: "An event of the log and its leaf bytes",
		Tags: tags, Auth: "public", Resp: LogEvent{}}, h.limited(h.apiLogEvent))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/proofs/inclusion/{index}", ID: "getAuditInclusionProof", Summary: "Inclusion proof of a leaf in the tree of size N (?size=N)",
		Tags: tags, Auth: "public", Resp: Proof{}}, h.limited(h.apiInclusion))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/proofs/consistency", ID: "getAuditConsistencyProof", Summary: "Consistency proof between trees of sizes M and N (?from=M&to=N)",
		Tags: tags, Auth: "public", Resp: Proof{}}, h.limited(h.apiConsistency))
}

func (h *handlers) limited(fn func(http.ResponseWriter, *http.Request) error) func(http.ResponseWriter, *http.Request) error {
	return func(w http.ResponseWriter, r *http.Request) error {
		if h.s.PublicLimited(r) {
			return yserr.New(yserr.TooMany, "请求过于频繁，请稍后再试", "too many requests, please wait a moment")
		}
		return fn(w, r)
	}
}

func intParam(v, field string) (int64, error) {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, yserr.Field(field, "须为非负整数", "must be a non-negative integer")
	}
	return n, nil
}

func (h *handlers) apiCheckpoint(w http.ResponseWriter, r *http.Request) error {
	cp, err := h.s.App.Audit.SignedCheckpoint(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, err = w.Write(cp)
	return err
}

func (h *handlers) apiLogEvent(w http.ResponseWriter, r *http.Request) error {
	ix, err := intParam(r.PathValue("index"), "index")
	if err != nil {
		return err
	}
	e, leaf, err := h.s.App.Audit.LogEvent(r.Context(), ix)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, LogEvent{Index: ix, Event: *e, Leaf: base64.StdEncoding.EncodeToString(leaf)})
	return nil
}

func (h *handlers) apiInclusion(w http.ResponseWriter, r *http.Request) error {
	ix, err := intParam(r.PathValue("index"), "index")
	if err != nil {
		return err
	}
	size, err := intParam(r.URL.Query().Get("size"), "size")
	if err != nil {
		return err
	}
	p, err := h.s.App.Audit.InclusionProof(r.Context(), ix, size)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, Proof{Index: ix, Size: size, Hashes: audit.Hex(p)})
	return nil
}

func (h *handlers) apiConsistency(w http.ResponseWriter, r *http.Request) error {
	from, err := intParam(r.URL.Query().Get("from"), "from")
	if err != nil {
		return err
	}
	to, err := intParam(r.URL.Query().Get("to"), "to")
	if err != nil {
		return err
	}
	p, err := h.s.App.Audit.ConsistencyProof(r.Context(), from, to)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, Proof{From: from, To: to, Hashes: audit.Hex(p)})
	return nil
}

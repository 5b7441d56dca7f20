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
		Tags: tags, Auth: "public", Resp: ""}, h.apiCheckpoint)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/events/{index}", ID: "getAuditLogEvent", Summary: "An event of the log and its leaf bytes",
		Tags: tags, Auth: "public", Resp: LogEvent{}}, h.apiLogEvent)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/proofs/inclusion/{index}", ID: "getAuditInclusionProof", Summary: "Inclusion proof of a leaf in the tree of size N (?size=N)",
		Tags: tags, Auth: "public", Resp: Proof{}}, h.apiInclusion)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/audit/proofs/consistency", ID: "getAuditConsistencyProof", Summary: "Consistency proof between trees of sizes M and N (?from=M&to=N)",
		Tags: tags, Auth: "public", Resp: Proof{}}, h.apiConsistency)
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

// publicObjects are the kinds of object whose public pages link to their
// events in the log: draws, credit records (decisions, repairs, expiry) and
// draw projects (awards).
var publicObjects = map[string]bool{"draw": true, "credit_record": true, "draw_project": true}

type auditObjectPage struct {
	Type, ID string
	Size     int64
	Events   []auditObjectRow
}

type auditObjectRow struct {
	audit.Event
	Leaf   int64
	InLog  bool // has a leaf index
	InTree bool // inside the current tree (a proof can be given)
}

// auditObject lists an object's events with links to each event's leaf and
// its inclusion proof in the current tree, so that an enterprise can check
// that a decision about it is in the log.
func (h *handlers) auditObject(w http.ResponseWriter, r *http.Request) error {
	typ, id := r.PathValue("type"), r.PathValue("id")
	if !publicObjects[typ] {
		return yserr.ErrNotFound("对象", "object")
	}
	ev, err := h.s.App.Audit.ForObject(r.Context(), typ, id)
	if err != nil {
		return err
	}
	if len(ev) == 0 {
		return yserr.ErrNotFound("对象", "object")
	}
	size, _, err := h.s.App.Audit.Head(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("审计日志查证", "Check in the audit log")
	p := &auditObjectPage{Type: typ, ID: id, Size: size}
	for _, e := range ev {
		row := auditObjectRow{Event: e}
		if e.LeafIndex != nil {
			row.Leaf, row.InLog, row.InTree = *e.LeafIndex, true, *e.LeafIndex < size
		}
		p.Events = append(p.Events, row)
	}
	v.Data = p
	return h.s.Render(w, r, http.StatusOK, "core/audit_object", v)
}

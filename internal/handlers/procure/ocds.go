package procure

import (
	"bytes"
	"embed"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"yingshang/internal/auth"

	"yingshang/internal/api"
	"yingshang/internal/procure"
	"yingshang/internal/yserr"
)

// The local-rules OCDS extension (docs/procure.md "OCDS extension"):
// extension.json and its release-schema.json patch, served beside the feed.
//
//go:embed ocds/extension.json ocds/release-schema.json
var ocdsExt embed.FS

// OCDSQuery pages the OCDS feed.
type OCDSQuery struct {
	After int64  `query:"after" doc:"the last project id of the previous page (from links.next)"`
	Limit int    `query:"limit" doc:"projects per page, 1..100 (default 50)"`
	OCID  string `query:"ocid" doc:"one project's ocid"`
}

// ocdsBufs are the buffers the feed's pages are encoded into (a page of
// 100 projects is about 400 KB).
var ocdsBufs = sync.Pool{New: func() any { return new([]byte) }}

// writeOCDS writes a package with its own encoder (what api.WriteJSON's
// json.Marshal would write, without reflection: issue 16's export time).
func writeOCDS(w http.ResponseWriter, appendJSON func([]byte) ([]byte, error)) error {
	buf := ocdsBufs.Get().(*[]byte)
	defer ocdsBufs.Put(buf)
	data, err := appendJSON((*buf)[:0])
	if err != nil {
		return err
	}
	*buf = data
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(data)
	return nil
}

func ocdsPage(r *http.Request, base string) (procure.OCDSPage, error) {
	q := r.URL.Query()
	pg := procure.OCDSPage{OCID: q.Get("ocid"), Base: base}
	if v := q.Get("after"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			return pg, yserr.Field("after", "after 应为项目编号（非负整数）", "after must be a project id (a non-negative integer)")
		}
		pg.After = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return pg, yserr.Field("limit", "limit 应为 1 至 100 的整数", "limit must be an integer from 1 to 100")
		}
		pg.Limit = n
	}
	return pg, nil
}

// mountOCDS serves the OCDS 1.1 feed without login (rate limited as every
// public operation): a release package and a record package paged through
// links.next, and the local-rules extension.
func (h *handlers) mountOCDS() {
	reg, mux, svc := h.s.API, h.s.Mux, h.svc
	tags := []string{"procure"}
	base := h.s.App.Cfg.BaseURL
	bulk := &procure.OCDSBulk{Svc: svc, Files: h.s.App.Files, Base: base}
	h.s.UsesViews(viewOpenData)
	// Each package points at the bulk file of all of it (RFC 8288).
	bulkLink := func(w http.ResponseWriter, name string) {
		w.Header().Set("Link", fmt.Sprintf(`<%s%s>; rel="alternate"; type="application/gzip"`, base, procure.BulkPath(name)))
	}
	reg.Handle(mux, api.Op{Method: "GET", Path: "/open-data/ocds/releases.json", ID: "ocdsReleasePackage", Tags: tags, Auth: api.AuthPublic,
		Summary:     "OCDS 发布包 / OCDS 1.1 release package",
		Description: "A release per stage of each project (planning, tender, award, contract, implementation), projects in id order; the next page is links.next.",
		Query:       OCDSQuery{}, Resp: procure.ReleasePackage{}, Errors: []int{http.StatusTooManyRequests}}, func(w http.ResponseWriter, r *http.Request) error {
		pg, err := ocdsPage(r, base)
		if err != nil {
			return err
		}
		pkg, err := svc.OCDSReleases(r.Context(), pg)
		if err != nil {
			return err
		}
		bulkLink(w, procure.BulkReleases)
		return writeOCDS(w, pkg.AppendJSON)
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/open-data/ocds/records.json", ID: "ocdsRecordPackage", Tags: tags, Auth: api.AuthPublic,
		Summary:     "OCDS 记录包 / OCDS 1.1 record package",
		Description: "A record per project: its releases (linked) and the compiled release; the next page is links.next.",
		Query:       OCDSQuery{}, Resp: procure.RecordPackage{}, Errors: []int{http.StatusTooManyRequests}}, func(w http.ResponseWriter, r *http.Request) error {
		pg, err := ocdsPage(r, base)
		if err != nil {
			return err
		}
		pkg, err := svc.OCDSRecords(r.Context(), pg)
		if err != nil {
			return err
		}
		bulkLink(w, procure.BulkRecords)
		return writeOCDS(w, pkg.AppendJSON)
	})
	for _, name := range []string{"extension.json", "release-schema.json"} {
		data, _ := ocdsExt.ReadFile("ocds/" + name)
		reg.Handle(mux, api.Op{Method: "GET", Path: "/open-data/ocds/" + name, ID: "ocdsExtension" + map[string]string{"extension.json": "Metadata", "release-schema.json": "Schema"}[name],
			Tags: tags, Auth: api.AuthPublic, Summary: "OCDS 本地规则扩展 / The local-rules OCDS extension: " + name,
			RespContentType: "application/json; charset=utf-8"}, func(w http.ResponseWriter, r *http.Request) error {
			w.Header().Set("Content-Type", "application/json; charset=utf-8")
			_, err := w.Write(data)
			return err
		})
	}
	// The bulk files: every project's releases or records in one gzip'd
	// package, built by the job into the file store; served with their
	// length, ETag (the SHA-256) and Last-Modified, and 304 on a match.
	for _, name := range procure.BulkNames {
		what := map[string]string{procure.BulkReleases: "release package", procure.BulkRecords: "record package"}[name]
		reg.Handle(mux, api.Op{Method: "GET", Path: procure.BulkPath(name), ID: "ocdsBulk" + map[string]string{procure.BulkReleases: "Releases", procure.BulkRecords: "Records"}[name],
			Tags: tags, Auth: api.AuthPublic, Summary: "OCDS 批量下载 / OCDS bulk download: the complete " + what + ", gzip'd JSON",
			Description:     "Every project, rebuilt within " + procure.OCDSBulkInterval.String() + " of a change and at least daily; 404 before the first build.",
			RespContentType: "application/gzip", Errors: []int{http.StatusNotFound, http.StatusTooManyRequests}}, func(w http.ResponseWriter, r *http.Request) error {
			f, data, err := bulk.Open(auth.WithActor(r.Context(), nil), name)
			if err != nil {
				return err
			}
			w.Header().Set("Content-Type", "application/gzip")
			w.Header().Set("Content-Disposition", `attachment; filename="ocds-`+name+`"`)
			w.Header().Set("ETag", `"`+f.SHA256+`"`)
			w.Header().Set("Cache-Control", "public, max-age=300")
			http.ServeContent(w, r, "", f.BuiltAt.Truncate(time.Second), bytes.NewReader(data))
			return nil
		})
	}
	h.s.Page("GET /open-data/ocds", func(w http.ResponseWriter, r *http.Request) error {
		files, err := bulk.List(auth.WithActor(r.Context(), nil))
		if err != nil {
			return err
		}
		v := h.s.View(r, "")
		v.Title, v.Data = v.T("政府采购开放数据（OCDS）", "Procurement open data (OCDS)"), openDataPage{Base: base, Files: files}
		return h.s.Render(w, r, http.StatusOK, viewOpenData, v)
	})
}

const viewOpenData = "procure/opendata"

// openDataPage lists the feed, the extension and the bulk files.
type openDataPage struct {
	Base  string
	Files []procure.BulkFile
}

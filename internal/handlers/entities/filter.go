package entities

import (
	"net/url"
	"strconv"
	"strings"

	"yingshang/internal/entity"
	"yingshang/internal/refdata"
	"yingshang/internal/yserr"
)

// Query documents the search parameters of the list and export
// operations (the API reads them with parseFilter, like the web page).
type Query struct {
	Q            string `query:"q" doc:"名称片段或统一社会信用代码前缀 / Name fragment or USCC prefix"`
	Region       string `query:"region" doc:"GB/T 2260 行政区划代码；省、市代码包含其下所有区县 / Region code; a province or city code matches everything below it" example:"411002"`
	Industry     string `query:"industry" doc:"GB/T 4754-2017 门类字母或 2-4 位代码 / Industry section letter or 2-4 digit code" example:"F"`
	Size         string `query:"size" enum:"large,medium,small,micro" doc:"企业规模 / Size class"`
	Status       string `query:"status" enum:"active,operating,revoked,cancelled" doc:"登记状态 / Registration status"`
	Tag          string `query:"tag" doc:"标签 / Tag" example:"专精特新"`
	DepartmentID int64  `query:"department_id" doc:"管理部门编号 / Managing department id"`
	Sort         string `query:"sort" doc:"排序：id、name、uscc、founded_on、updated_at、region_code、industry_code，前加 - 为降序；默认 -id / Sort key, '-' for descending; default -id" example:"-founded_on"`
	Page         int    `query:"page" doc:"页码，从 1 开始 / Page, from 1"`
	PerPage      int    `query:"per_page" doc:"每页条数，1-200，默认 20 / Items per page, 1-200, default 20"`
}

// ExportQuery documents the export parameters.
type ExportQuery struct {
	Query
	Format string `query:"format" enum:"xlsx,csv" doc:"文件格式，默认 xlsx / File format, default xlsx"`
}

// parseFilter reads a search from query parameters. The web form may send
// a county from a select (region) and a typed code (region_other); the
// typed code wins.
func parseFilter(q url.Values) (entity.Filter, error) {
	f := entity.Filter{
		Q:        strings.TrimSpace(q.Get("q")),
		Region:   strings.TrimSpace(q.Get("region")),
		Industry: strings.TrimSpace(q.Get("industry")),
		Size:     refdata.Size(strings.TrimSpace(q.Get("size"))),
		Status:   entity.Status(strings.TrimSpace(q.Get("status"))),
		Tag:      strings.TrimSpace(q.Get("tag")),
		Sort:     strings.TrimSpace(q.Get("sort")),
	}
	if other := strings.TrimSpace(q.Get("region_other")); other != "" {
		f.Region = other
	}
	var v yserr.Validation
	var err error
	if f.DepartmentID, err = intParam(q, "department_id", 0, 1, 1<<62); err != nil {
		v.AddErr("department_id", err)
	}
	page, err := intParam(q, "page", 1, 1, 1<<30)
	v.AddErr("page", err)
	per, err := intParam(q, "per_page", entity.DefaultPerPage, 1, entity.MaxPerPage)
	v.AddErr("per_page", err)
	f.Page, f.PerPage = int(page), int(per)
	return f, v.Err()
}

// intParam parses an optional whole-number parameter within [lo, hi].
func intParam(q url.Values, name string, def, lo, hi int64) (int64, error) {
	s := strings.TrimSpace(q.Get(name))
	if s == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < lo || n > hi {
		return 0, yserr.Field(name, "须为 "+strconv.FormatInt(lo, 10)+" 至 "+strconv.FormatInt(hi, 10)+" 之间的整数",
			"must be a whole number from "+strconv.FormatInt(lo, 10)+" to "+strconv.FormatInt(hi, 10))
	}
	return n, nil
}

// filterValues is the query string of a filter (paging left out), for
// links that keep the current search: export, sorting, pages.
func filterValues(f entity.Filter) url.Values {
	q := url.Values{}
	set := func(k, v string) {
		if v != "" {
			q.Set(k, v)
		}
	}
	set("q", f.Q)
	set("region", f.Region)
	set("industry", f.Industry)
	set("size", string(f.Size))
	set("status", string(f.Status))
	set("tag", f.Tag)
	set("sort", f.Sort)
	if f.DepartmentID != 0 {
		q.Set("department_id", strconv.FormatInt(f.DepartmentID, 10))
	}
	return q
}

// withParam returns a copy of q with k set to v.
func withParam(q url.Values, k, v string) url.Values {
	c := url.Values{}
	for key, vals := range q {
		c[key] = append([]string(nil), vals...)
	}
	c.Set(k, v)
	return c
}

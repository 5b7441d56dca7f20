package web

import (
	"net/http"
	"strconv"
)

// Pager is one page of a long list on a page that shows several lists
// (each list has its own query parameter, so paging one keeps the
// others' pages). Templates render it with {{template "pager" .}}.
type Pager struct {
	Page, Pages, Total int
	From, To           int    // 1-based rows shown
	Prev, Next         string // links, "" at either end
	Summary            string // "第 51-100 条，共 240 条" / "51-100 of 240"
	PrevLabel          string
	NextLabel          string
}

// Paginate picks the page of a list of total rows, per rows a page, from
// the query parameter param of r (1 when missing or out of range): it
// returns the slice bounds [lo, hi) and the pager, whose links keep the
// rest of the query and end in #anchor so the browser lands on the list.
// A list that fits one page gets a nil pager.
func Paginate(v *View, r *http.Request, param, anchor string, total, per int) (lo, hi int, p *Pager) {
	if per <= 0 {
		per = 50
	}
	pages := (total + per - 1) / per
	page, err := strconv.Atoi(r.URL.Query().Get(param))
	if err != nil || page < 1 {
		page = 1
	}
	if page > pages {
		page = max(pages, 1)
	}
	lo, hi = (page-1)*per, min(page*per, total)
	if pages <= 1 {
		return lo, hi, nil
	}
	link := func(n int) string {
		q := r.URL.Query()
		if n == 1 {
			q.Del(param)
		} else {
			q.Set(param, strconv.Itoa(n))
		}
		u := r.URL.Path
		if s := q.Encode(); s != "" {
			u += "?" + s
		}
		if anchor != "" {
			u += "#" + anchor
		}
		return u
	}
	p = &Pager{Page: page, Pages: pages, Total: total, From: lo + 1, To: hi,
		PrevLabel: v.T("上一页", "Previous"), NextLabel: v.T("下一页", "Next")}
	from, to, all := strconv.Itoa(p.From), strconv.Itoa(p.To), strconv.Itoa(total)
	p.Summary = v.T("第 "+from+"–"+to+" 条，共 "+all+" 条", from+"–"+to+" of "+all)
	if page > 1 {
		p.Prev = link(page - 1)
	}
	if page < pages {
		p.Next = link(page + 1)
	}
	return lo, hi, p
}

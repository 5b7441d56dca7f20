package appeals

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/calendar"
	"yingshang/internal/web"
)

type timeT = time.Time

func (h *handlers) dashboard(w http.ResponseWriter, r *http.Request) error {
	var f appeal.Filter
	if err := api.DecodeQuery(r, &f); err != nil {
		return err
	}
	defaultPeriod := len(r.URL.Query()) == 0
	if defaultPeriod {
		// Opened without a filter: the last twelve months (from the first of
		// the month eleven months back), which is what an office reviews and
		// keeps the page quick on a platform with years of appeals. Submitting
		// the form with an empty date shows all time.
		now := h.s.App.Clock.Now().In(calendar.Shanghai)
		f.From = time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, calendar.Shanghai).Format("2006-01-02")
	}
	v := h.s.View(r, "")
	st, err := h.svc.Stats(r.Context(), f, lang(v))
	if err != nil {
		return err
	}
	v.Title = v.T("诉求数据看板", "Appeals dashboard")
	settings, err := h.svc.Settings(r.Context())
	if err != nil {
		return err
	}
	v.Data = map[string]any{"S": st, "Filter": f, "DefaultPeriod": defaultPeriod, "Kinds": kindOptions(v), "Topics": settings.Topics,
		"Overdue": rows(v, st.Overdue), "Month": monthChart(v, st), "Topic": barChart(v, st.ByTopic, v.T("按领域", "By topic")),
		"Dept": barChart(v, st.ByDept, v.T("按主办部门", "By lead department")),
		"Pct":  map[string]string{"OnTime": pctOf(st.OnTimeRate, st.Replied+st.LateOpen), "Satisfied": pct(st.SatisfiedRate), "Reopen": pct(st.ReopenRate)}}
	return h.s.Render(w, r, http.StatusOK, "appeal/dashboard", v)
}

func pct(x float64) string { return fmt.Sprintf("%.1f%%", x*100) }

// pctOf is pct, or "—" when the rate has nothing to count (n = 0).
func pctOf(x float64, n int64) string {
	if n == 0 {
		return "—"
	}
	return pct(x)
}

// monthChart is a stacked bar chart of volume by month and type.
func monthChart(v *web.View, st *appeal.Stats) map[string]any {
	var months []string
	for _, m := range st.ByMonth {
		if !slices.Contains(months, m.Month) {
			months = append(months, m.Month)
		}
	}
	var series []map[string]any
	for _, k := range appeal.Kinds {
		data := make([]int64, len(months))
		for _, m := range st.ByMonth {
			if m.Kind == k {
				data[slices.Index(months, m.Month)] = m.N
			}
		}
		series = append(series, map[string]any{"name": k.Label(lang(v)), "type": "bar", "stack": "n", "data": data})
	}
	return map[string]any{
		"title":   map[string]any{"text": v.T("按月、按类型的诉求量", "Volume by month and type"), "textStyle": map[string]any{"fontSize": 14}},
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"top": 24},
		"grid":    map[string]any{"top": 60, "left": 40, "right": 16, "bottom": 30},
		"xAxis":   map[string]any{"type": "category", "data": months},
		"yAxis":   map[string]any{"type": "value", "minInterval": 1},
		"series":  series,
	}
}

func barChart(v *web.View, counts []appeal.Count, title string) map[string]any {
	labels := make([]string, len(counts))
	data := make([]int64, len(counts))
	for i, c := range counts {
		labels[len(counts)-1-i], data[len(counts)-1-i] = c.Label, c.N
	}
	return map[string]any{
		"title":   map[string]any{"text": title, "textStyle": map[string]any{"fontSize": 14}},
		"tooltip": map[string]any{"trigger": "axis"},
		"grid":    map[string]any{"top": 36, "left": 130, "right": 16, "bottom": 24},
		"xAxis":   map[string]any{"type": "value", "minInterval": 1},
		"yAxis":   map[string]any{"type": "category", "data": labels},
		"series":  []map[string]any{{"type": "bar", "data": data, "name": v.T("件数", "appeals")}},
	}
}

package credits

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// The governance dashboard and the key-governance ledger (issue 18 item 12).

func ruleReaderHTTP(r *http.Request) (*auth.Actor, error) {
	return auth.Require(r.Context(), auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor)
}

type ledgerRow struct {
	credit.LedgerEntry
	SourceLabel, StatusLabel string
	CanEdit                  bool
}

func (h *handlers) governanceData(r *http.Request, v *web.View) (map[string]any, error) {
	ctx := r.Context()
	g, err := h.svc.GovernanceDashboard(ctx)
	if err != nil {
		return nil, err
	}
	ledger, err := h.svc.Ledger(ctx, "", 200)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	var rows []ledgerRow
	for _, e := range ledger {
		rows = append(rows, ledgerRow{e, credit.LedgerSourceLabel(e.Source, v.Lang), credit.LedgerStatusLabel(e.Status, v.Lang),
			e.Status == credit.LedgerActive && a.Has(auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff) && a.InScope(e.DepartmentID)})
	}
	counts := func(list []credit.MonthCount) []int64 {
		out := make([]int64, len(list))
		for i, m := range list {
			out[i] = m.N
		}
		return out
	}
	bar := func(name string, data []int64, kind string) map[string]any {
		return map[string]any{"name": name, "type": kind, "data": data}
	}
	chart := func(series ...any) map[string]any {
		return map[string]any{
			"tooltip": map[string]any{"trigger": "axis"}, "legend": map[string]any{"top": 0},
			"grid":  map[string]any{"left": 40, "right": 10, "bottom": 40, "top": 30},
			"xAxis": map[string]any{"type": "category", "data": g.Months}, "yAxis": map[string]any{"type": "value", "minInterval": 1},
			"series": series,
		}
	}
	rate := "—"
	if g.FirstDecided > 0 {
		rate = strconv.FormatFloat(g.FirstTimeRate, 'f', 1, 64) + "%"
	}
	return map[string]any{"G": g, "Rate": rate, "Ledger": rows, "IsAdmin": a.Has(auth.PlatformAdmin),
		"RepairChart":  chart(bar(v.T("修复申请", "Applications"), counts(g.ApplicationsMonth), "bar"), bar(v.T("修复完成", "Repaired"), counts(g.RepairedMonth), "bar")),
		"SeriousChart": chart(bar(v.T("严重失信主体名单（月末）", "Serious list (month end)"), counts(g.SeriousList), "line")),
		"Form":         map[string]string{}}, nil
}

func (h *handlers) governance(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用治理看板", "Credit governance dashboard")
	var err error
	if v.Data, err = h.governanceData(r, v); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewGovernance, v)
}

// governanceForm re-renders the dashboard with a form error, keeping the input.
func (h *handlers) governanceForm(w http.ResponseWriter, r *http.Request, v *web.View, err error) error {
	if yserr.CodeOf(err) != yserr.Invalid && yserr.CodeOf(err) != yserr.Conflict {
		return err
	}
	d, err2 := h.governanceData(r, v)
	if err2 != nil {
		return err2
	}
	form := map[string]string{}
	for k := range r.PostForm {
		form[k] = r.PostForm.Get(k)
	}
	d["Form"] = form
	v.Data = d
	return h.s.FormError(w, r, viewGovernance, v, err)
}

func (h *handlers) governanceSettings(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用治理看板", "Credit governance dashboard")
	if err := r.ParseForm(); err != nil {
		return err
	}
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin); err != nil {
		return err
	}
	n, err1 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("hf_records")))
	m, err2 := strconv.Atoi(strings.TrimSpace(r.PostFormValue("hf_months")))
	var err error
	switch {
	case err1 != nil:
		err = yserr.Field("hf_records", "记录条数须为整数", "the number of records is a whole number")
	case err2 != nil:
		err = yserr.Field("hf_months", "月数须为整数", "the number of months is a whole number")
	default:
		err = h.svc.SetGovernanceSettings(r.Context(), credit.GovernanceSettings{HFRecords: n, HFMonths: m})
	}
	if err != nil {
		return h.governanceForm(w, r, v, err)
	}
	return h.s.Redirect(w, r, "/credit/governance", v.T("已保存高频失信标准；请更新台账", "Criterion saved; update the ledger"))
}

func (h *handlers) governanceScan(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	res, err := h.svc.ScanHighFrequency(r.Context())
	if err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/credit/governance", v.T("台账已更新：新列入 "+strconv.Itoa(res.Entered)+"，退出 "+strconv.Itoa(res.Exited),
		"Ledger updated: "+strconv.Itoa(res.Entered)+" entered, "+strconv.Itoa(res.Exited)+" exited"))
}

func (h *handlers) ledgerAdd(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用治理看板", "Credit governance dashboard")
	if err := r.ParseForm(); err != nil {
		return err
	}
	dept, _ := strconv.ParseInt(r.PostFormValue("department_id"), 10, 64)
	_, err := h.svc.AddLedgerEntry(r.Context(), credit.LedgerInput{USCC: r.PostFormValue("uscc"), DepartmentID: dept, Measures: r.PostFormValue("measures"), Note: r.PostFormValue("note")})
	if err != nil {
		return h.governanceForm(w, r, v, err)
	}
	return h.s.Redirect(w, r, "/credit/governance#ledger", v.T("已列入重点治理台账", "Added to the ledger"))
}

func (h *handlers) ledgerUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用治理看板", "Credit governance dashboard")
	if err := r.ParseForm(); err != nil {
		return err
	}
	_, err = h.svc.UpdateLedgerEntry(r.Context(), id, credit.LedgerInput{Measures: r.PostFormValue("measures"), Note: r.PostFormValue("note"),
		Exit: r.PostFormValue("exit") == "yes", ExitReason: r.PostFormValue("exit_reason")})
	if err != nil {
		return h.governanceForm(w, r, v, err)
	}
	return h.s.Redirect(w, r, "/credit/governance#ledger", v.T("已保存治理措施", "Measures saved"))
}

// ---- API ----

func (h *handlers) apiGovernance(w http.ResponseWriter, r *http.Request) error {
	g, err := h.svc.GovernanceDashboard(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, g)
	return nil
}

func (h *handlers) apiGovernanceSettings(w http.ResponseWriter, r *http.Request) error {
	var in credit.GovernanceSettings
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.SetGovernanceSettings(r.Context(), in); err != nil {
		return err
	}
	out, err := h.svc.GetGovernanceSettings(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *handlers) apiGovernanceScan(w http.ResponseWriter, r *http.Request) error {
	res, err := h.svc.ScanHighFrequency(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, res)
	return nil
}

func (h *handlers) apiLedger(w http.ResponseWriter, r *http.Request) error {
	var q LedgerQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	list, err := h.svc.Ledger(r.Context(), q.Status, 0)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiLedgerAdd(w http.ResponseWriter, r *http.Request) error {
	var in credit.LedgerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.svc.AddLedgerEntry(r.Context(), in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusCreated, e)
	return nil
}

func (h *handlers) apiLedgerUpdate(w http.ResponseWriter, r *http.Request) error {
	id, err := api.PathInt64(r, "id")
	if err != nil {
		return err
	}
	var in credit.LedgerInput
	if err := api.Decode(r, &in); err != nil {
		return err
	}
	e, err := h.svc.UpdateLedgerEntry(r.Context(), id, in)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, e)
	return nil
}

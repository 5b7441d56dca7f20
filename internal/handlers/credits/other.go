package credits

import (
	"net/http"
	"strconv"
	"time"

	"yingshang/internal/credit"
	"yingshang/internal/yserr"
)

// sinceParam reads ?since=YYYY-MM-DD (zero when absent or malformed).
func sinceParam(r *http.Request) time.Time {
	t, err := time.Parse("2006-01-02", r.URL.Query().Get("since"))
	if err != nil {
		return time.Time{}
	}
	return t
}

func (h *handlers) checksView(r *http.Request, result *credit.CheckResult) (map[string]any, error) {
	stats, err := h.svc.CheckStats(r.Context())
	if err != nil {
		return nil, err
	}
	recent, err := h.svc.RecentChecks(r.Context(), 20)
	if err != nil {
		return nil, err
	}
	lang := h.s.View(r, "").Lang
	codes, err := h.svc.SceneCodes(r.Context())
	if err != nil {
		return nil, err
	}
	type statRow struct {
		credit.SceneStats
		Label string
	}
	var st []statRow
	for _, s := range stats {
		st = append(st, statRow{s, credit.SceneLabel(s.Scene, lang)})
	}
	type logRow struct {
		credit.CheckLog
		SceneLabel, ResultLabel string
	}
	var logs []logRow
	for _, c := range recent {
		logs = append(logs, logRow{c, credit.SceneLabel(c.Scene, lang), credit.ResultLabel(c.Result, lang)})
	}
	d := map[string]any{"Stats": st, "Recent": logs, "Scenes": options(lang, codes, credit.SceneLabel)}
	if result != nil {
		d["Result"] = result
		d["ResultLabel"] = credit.ResultLabel(result.Result, lang)
		var inc []string
		for _, x := range result.Incentives {
			inc = append(inc, credit.MeasureLabel(x.Measure, lang))
		}
		d["IncentiveLabels"] = inc
	}
	return d, nil
}

func (h *handlers) checks(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用核查（逢办必查）", "Credit checks")
	var err error
	if v.Data, err = h.checksView(r, nil); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewChecks, v)
}

func (h *handlers) check(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用核查（逢办必查）", "Credit checks")
	res, err := h.svc.Check(r.Context(), credit.CheckInput{USCC: r.PostFormValue("uscc"), Scene: r.PostFormValue("scene"), Purpose: r.PostFormValue("purpose")})
	if err != nil {
		if e := yserr.As(err); e != nil && e.Field == "entity_id" {
			err = yserr.Field("uscc", e.ZH, e.EN)
		}
		d, err2 := h.checksView(r, nil)
		if err2 != nil {
			return err2
		}
		v.Data = d
		return h.s.FormError(w, r, viewChecks, v, err)
	}
	if v.Data, err = h.checksView(r, res); err != nil {
		return err
	}
	v.Form = r.PostForm
	return h.s.Render(w, r, http.StatusOK, viewChecks, v)
}

func (h *handlers) commitments(w http.ResponseWriter, r *http.Request) error {
	status := r.URL.Query().Get("status")
	list, err := h.svc.Commitments(r.Context(), status)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("信用承诺", "Credit commitments")
	type cRow struct {
		credit.Commitment
		KindLabel, StatusLabel string
		Overdue                bool
	}
	today := h.s.App.Clock.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02")
	var out []cRow
	for _, c := range list {
		out = append(out, cRow{c, credit.CommitmentKindLabel(c.Kind, v.Lang), credit.CommitmentStatusLabel(c.Status, v.Lang), c.Status == "open" && c.DeadlineOn != "" && c.DeadlineOn < today})
	}
	v.Data = map[string]any{"Rows": out, "Status": status}
	return h.s.Render(w, r, http.StatusOK, viewCommitments, v)
}

func (h *handlers) resolve(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	c, err := h.svc.Resolve(r.Context(), id, r.PostFormValue("outcome") == "breached", r.PostFormValue("note"))
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	msg := v.T("承诺已履行", "Commitment fulfilled")
	if c.RecordID != 0 {
		msg = v.T("已记为违背承诺，生成信用记录 #", "Breach recorded as credit record #") + strconv.FormatInt(c.RecordID, 10)
	}
	return h.s.Redirect(w, r, "/credit/commitments", msg)
}

func (h *handlers) publicSearch(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用信息公示", "Public credit information")
	q := r.URL.Query().Get("q")
	d := map[string]any{"Q": q}
	if q != "" {
		hits, err := h.svc.PublicSearch(r.Context(), q)
		if err != nil {
			v.Form = r.URL.Query()
			v.Data = d
			return h.s.FormError(w, r, viewPublic, v, err)
		}
		d["Hits"] = hits
		d["Searched"] = true
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}

func (h *handlers) publicEntity(w http.ResponseWriter, r *http.Request) error {
	p, err := h.svc.Public(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = p.Name + " · " + v.T("信用公示", "Public credit")
	type pubRow struct {
		credit.PublicRecord
		KindLabel, ClassLabel, Penalties string
	}
	var out []pubRow
	for _, rec := range p.Records {
		out = append(out, pubRow{rec, credit.KindLabel(rec.Kind, v.Lang), credit.ClassLabel(rec.Class, v.Lang), penaltyText(v.Lang, rec.Penalties)})
	}
	v.Data = map[string]any{"P": p, "Rows": out}
	return h.s.Render(w, r, http.StatusOK, viewPublicOne, v)
}

func (h *handlers) verify(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("信用报告核验", "Verify a credit report")
	code := r.URL.Query().Get("code")
	d := map[string]any{"Code": code}
	if code != "" {
		res, err := h.svc.Verify(r.Context(), code)
		if err != nil && !yserr.Is(err, yserr.NotFound) {
			return err
		}
		d["Result"], d["Checked"] = res, true
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewVerify, v)
}

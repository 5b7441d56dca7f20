package licenses

import (
	"errors"
	"net/http"
	"strconv"

	"yingshang/internal/license"
	"yingshang/internal/yserr"
)

func (h *handlers) catalogue(w http.ResponseWriter, r *http.Request) error {
	types, err := h.svc.Types(r.Context(), 0)
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("提醒事项目录", "Reminder catalogue")
	kinds := map[string]string{}
	for _, k := range kindOptions(v.Lang) {
		kinds[k.Value] = k.Label
	}
	data := map[string]any{"Types": types, "CanEdit": v.Actor.Has(admins...), "KindLabels": kinds}
	if v.Actor.DepartmentID != 0 {
		if st, err := h.svc.Review(r.Context(), 0); err == nil {
			data["Review"] = st
		}
	}
	v.Data = data
	return h.s.Render(w, r, http.StatusOK, viewCatalogue, v)
}

func (h *handlers) review(w http.ResponseWriter, r *http.Request) error {
	if err := h.svc.ConfirmReview(r.Context(), 0, r.PostFormValue("note")); err != nil {
		return err
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/licenses/catalogue", v.T("已确认本季度目录梳理", "This quarter's review is confirmed"))
}

func (h *handlers) typeForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	in := license.TypeInput{Active: true}
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			return err
		}
		t, err := h.svc.GetType(r.Context(), id)
		if err != nil {
			return err
		}
		in = typeInput(t)
	}
	in.Defaults()
	v.Title = v.T("提醒事项", "Reminder item")
	v.Data = map[string]any{"ID": id, "In": in, "Vars": license.TemplateVars, "Fields": typeFields(v.T, in), "Kinds": kindOptions(v.Lang)}
	return h.s.Render(w, r, http.StatusOK, viewTypeForm, v)
}

func typeInput(t *license.Type) license.TypeInput {
	return license.TypeInput{DepartmentID: t.DepartmentID, Code: t.Code, Name: t.Name, LegalBasis: t.LegalBasis, ValidityMonths: t.ValidityMonths,
		ChannelsOnline: t.ChannelsOnline, ChannelsOffline: t.ChannelsOffline, Materials: t.Materials, Fees: t.Fees, Phone: t.Phone,
		Address: t.Address, ServiceURL: t.ServiceURL, SMSTemplate: t.SMSTemplate, InAppTemplate: t.InAppTemplate, Remind1Days: t.Remind1Days,
		Kind: t.Kind, SMSTemplateEN: t.SMSTemplateEN, InAppTemplateEN: t.InAppTemplateEN,
		Remind2Days: t.Remind2Days, FollowupDays: t.FollowupDays, LapseDays: t.LapseDays, SendTime: t.SendTime, Active: t.Active}
}

func (h *handlers) saveType(w http.ResponseWriter, r *http.Request) error {
	var id int64
	if r.PathValue("id") != "" {
		var err error
		if id, err = pathID(r); err != nil {
			return err
		}
	}
	f := r.PostFormValue
	in := license.TypeInput{Code: f("code"), Name: f("name"), LegalBasis: f("legal_basis"), ValidityMonths: atoi(f("validity_months")),
		ChannelsOnline: f("channels_online"), ChannelsOffline: f("channels_offline"), Materials: f("materials"), Fees: f("fees"),
		Phone: f("phone"), Address: f("address"), ServiceURL: f("service_url"), SMSTemplate: f("sms_template"), InAppTemplate: f("inapp_template"),
		Remind1Days: atoi(f("remind1_days")), Remind2Days: atoi(f("remind2_days")), FollowupDays: atoi(f("followup_days")),
		LapseDays: atoi(f("lapse_days")), SendTime: f("send_time"), Active: f("active") != "",
		Kind: f("kind"), SMSTemplateEN: f("sms_template_en"), InAppTemplateEN: f("inapp_template_en")}
	if _, err := h.svc.SaveType(r.Context(), id, in); err != nil {
		v := h.s.View(r, "")
		v.Title = v.T("提醒事项", "Reminder item")
		v.Data = map[string]any{"ID": id, "In": in, "Vars": license.TemplateVars, "Fields": typeFields(v.T, in), "Kinds": kindOptions(v.Lang)}
		return h.s.FormError(w, r, viewTypeForm, v, err)
	}
	v := h.s.View(r, "")
	return h.s.Redirect(w, r, "/licenses/catalogue", v.T("提醒事项已保存", "Reminder item saved"))
}

func (h *handlers) importForm(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("导入证照台账", "Import the licence ledger")
	v.Data = map[string]any{"Columns": license.Columns}
	return h.s.Render(w, r, http.StatusOK, viewImport, v)
}

func (h *handlers) importFile(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("导入证照台账", "Import the licence ledger")
	v.Data = map[string]any{"Columns": license.Columns}
	limit := h.s.App.Cfg.UploadLimit
	r.Body = http.MaxBytesReader(w, r.Body, limit+64<<10)
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return h.s.FormError(w, r, viewImport, v, yserr.Field("file", "文件超过上传上限", "the file exceeds the upload limit"))
		}
		return h.s.FormError(w, r, viewImport, v, yserr.Field("file", "请选择要导入的 .xlsx 文件", "choose an .xlsx file to import"))
	}
	defer r.MultipartForm.RemoveAll()
	f, _, err := r.FormFile("file")
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, yserr.Field("file", "请选择要导入的 .xlsx 文件", "choose an .xlsx file to import"))
	}
	defer f.Close()
	rep, err := h.svc.Import(r.Context(), 0, f, r.FormValue("mode"))
	if err != nil {
		return h.s.FormError(w, r, viewImport, v, err)
	}
	v.Data = map[string]any{"Columns": license.Columns, "Report": rep}
	status := http.StatusOK
	if rep.Bad > 0 {
		status = http.StatusUnprocessableEntity
	}
	return h.s.Render(w, r, status, viewImport, v)
}

func (h *handlers) template(w http.ResponseWriter, r *http.Request) error {
	w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	w.Header().Set("Content-Disposition", `attachment; filename="license-ledger-template.xlsx"; filename*=UTF-8''%E8%AF%81%E7%85%A7%E5%8F%B0%E8%B4%A6%E6%A8%A1%E6%9D%BF.xlsx`)
	return h.svc.ImportTemplate(w)
}

// dashboard shows the figures per department and type with charts.
func (h *handlers) dashboard(w http.ResponseWriter, r *http.Request) error {
	stats, err := h.svc.Stats(r.Context())
	if err != nil {
		return err
	}
	v := h.s.View(r, "")
	v.Title = v.T("证照到期提醒看板", "Licence reminder dashboard")
	var tot license.TypeStats
	tot.Stages, tot.Sent, tot.Failed = map[string]int{}, map[string]int{}, map[string]int{}
	names := []string{}
	rates, stage1, stage2, lists := []float64{}, []int{}, []int{}, []int{}
	for _, st := range stats {
		tot.Licenses += st.Licenses
		tot.Active += st.Active
		tot.Renewed += st.Renewed
		tot.RenewedInTime += st.RenewedInTime
		tot.Lapsed += st.Lapsed
		tot.Due += st.Due
		tot.Contacts += st.Contacts
		tot.Followups += st.Followups
		for k, n := range st.Sent {
			tot.Sent[k] += n
		}
		for k, n := range st.Failed {
			tot.Failed[k] += n
		}
		names = append(names, st.TypeName)
		rates = append(rates, float64(int(st.RenewalRate*1000))/10)
		stage1 = append(stage1, st.Stages[license.StageRemind1])
		stage2 = append(stage2, st.Stages[license.StageRemind2])
		lists = append(lists, st.Followups)
	}
	if tot.Due > 0 {
		tot.RenewalRate = float64(tot.RenewedInTime) / float64(tot.Due)
	}
	v.Data = map[string]any{"Stats": stats, "Total": tot, "Rate": pct(tot.RenewalRate, tot.Due),
		"Rates": ratesText(stats), "StageChart": stageChart(v.T, names, stage1, stage2, lists), "RateChart": rateChart(v.T, names, rates)}
	return h.s.Render(w, r, http.StatusOK, viewDashboard, v)
}

func pct(rate float64, due int) string {
	if due == 0 {
		return "—"
	}
	return strconv.FormatFloat(rate*100, 'f', 1, 64) + "%"
}

func ratesText(stats []*license.TypeStats) map[int64]string {
	out := map[int64]string{}
	for _, st := range stats {
		out[st.TypeID] = pct(st.RenewalRate, st.Due)
	}
	return out
}

func stageChart(t func(string, string) string, names []string, s1, s2, fl []int) map[string]any {
	series := func(name string, data []int) map[string]any {
		return map[string]any{"name": name, "type": "bar", "data": data}
	}
	return map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"legend":  map[string]any{"top": 0},
		"grid":    map[string]any{"left": 40, "right": 10, "bottom": 60, "top": 30},
		"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 20}},
		"yAxis":   map[string]any{"type": "value", "minInterval": 1},
		"series": []any{series(t("首次提醒", "First reminder"), s1), series(t("再次提醒", "Second reminder"), s2),
			series(t("跟进清单", "Follow-up list"), fl)},
	}
}

func rateChart(t func(string, string) string, names []string, rates []float64) map[string]any {
	return map[string]any{
		"tooltip": map[string]any{"trigger": "axis"},
		"grid":    map[string]any{"left": 40, "right": 10, "bottom": 60, "top": 20},
		"xAxis":   map[string]any{"type": "category", "data": names, "axisLabel": map[string]any{"interval": 0, "rotate": 20}},
		"yAxis":   map[string]any{"type": "value", "max": 100, "axisLabel": map[string]any{"formatter": "{value}%"}},
		"series":  []any{map[string]any{"name": t("到期前续证率", "Renewed before expiry"), "type": "bar", "data": rates}},
	}
}

// TypeField is one text field of the catalogue form.
type TypeField struct{ Name, Label, Value string }

func typeFields(t func(string, string) string, in license.TypeInput) []TypeField {
	n := strconv.Itoa
	return []TypeField{
		{"code", t("事项代码", "Code"), in.Code},
		{"name", t("证照名称", "Licence name"), in.Name},
		{"legal_basis", t("设定依据", "Legal basis"), in.LegalBasis},
		{"validity_months", t("法定有效期（月，0 表示不固定）", "Validity (months, 0 = not fixed)"), n(in.ValidityMonths)},
		{"channels_online", t("线上办理渠道", "Online channel"), in.ChannelsOnline},
		{"channels_offline", t("线下办理窗口", "Offline counter"), in.ChannelsOffline},
		{"materials", t("所需材料", "Materials"), in.Materials},
		{"fees", t("收费标准", "Fees"), in.Fees},
		{"phone", t("咨询电话", "Enquiry phone"), in.Phone},
		{"address", t("办理地址", "Address"), in.Address},
		{"service_url", t("办事链接", "Service link"), in.ServiceURL},
		{"send_time", t("发送时间（北京时间）", "Send time (Beijing)"), in.SendTime},
		{"remind1_days", t("首次提醒（到期前天数）", "First reminder (days before)"), n(in.Remind1Days)},
		{"remind2_days", t("再次提醒（到期前天数）", "Second reminder (days before)"), n(in.Remind2Days)},
		{"followup_days", t("列入跟进清单（到期前天数）", "Follow-up list (days before)"), n(in.FollowupDays)},
		{"lapse_days", t("到期后标记失效（天）", "Mark lapsed (days after)"), n(in.LapseDays)},
	}
}

// kindOption is a reminder kind in the type form.
type kindOption struct{ Value, Label string }

func kindOptions(lang string) []kindOption {
	out := make([]kindOption, len(license.Kinds))
	for i, k := range license.Kinds {
		out[i] = kindOption{k, license.KindLabel(k, lang)}
	}
	return out
}

package licenses

// The public reminder catalogue (提醒事项目录公开, issue 18 item 13): a
// page and a JSON operation anyone may read, rate limited per client by
// the server (public pages and public API operations).

import (
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/license"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

const viewPublicCatalogue = "license/public_catalogue"

func (h *handlers) mountPublicCatalogue() {
	h.s.UsesViews(viewPublicCatalogue)
	h.s.Page("GET /licenses/reminder-catalogue", h.publicCatalogue)
	h.s.API.Handle(h.s.Mux, api.Op{Method: "GET", Path: "/api/v1/license-catalogue", ID: "listPublicLicenseCatalogue", Tags: []string{"license"}, Auth: "public",
		Summary:     "公开的提醒事项目录 / Public reminder catalogue",
		Description: "Each department's active reminder items: the licence, its legal basis and validity, the reminder stages (days before or after expiry) with their channels, and where and how to renew. No sign-in; rate limited per client. Filter with department_id.",
		Query:       PublicCatalogueQuery{}, Resp: []*license.PublicUnit{}}, h.apiPublicCatalogue)
}

// PublicCatalogueQuery filters the public catalogue.
type PublicCatalogueQuery struct {
	DepartmentID int64 `query:"department_id" doc:"one department; all when absent"`
}

func (h *handlers) apiPublicCatalogue(w http.ResponseWriter, r *http.Request) error {
	var q PublicCatalogueQuery
	if err := api.DecodeQuery(r, &q); err != nil {
		return err
	}
	units, err := h.svc.PublicCatalogue(r.Context(), q.DepartmentID)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, units)
	return nil
}

// channelText names a reminder channel code.
var channelText = map[string]web.Text{
	license.ReminderSMS:   {ZH: "短信", EN: "SMS"},
	license.ReminderInApp: {ZH: "站内消息", EN: "In-app message"},
	license.ReminderCall:  {ZH: "工作人员电话或上门", EN: "Staff call or visit"},
}

// publicStageRow is one stage as the page shows it.
type publicStageRow struct {
	Name, When, Channels string
}

func (h *handlers) publicCatalogue(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	var dept int64
	if s := r.URL.Query().Get("department_id"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return yserr.Field("department_id", "单位编号须为正整数", "the department must be a positive whole number")
		}
		dept = n
	}
	units, err := h.svc.PublicCatalogue(r.Context(), dept)
	if err != nil {
		return err
	}
	all := units
	if dept != 0 {
		if all, err = h.svc.PublicCatalogue(r.Context(), 0); err != nil {
			return err
		}
	}
	stages := map[string][]publicStageRow{}
	for _, u := range units {
		for _, it := range u.Items {
			rows := []publicStageRow{}
			for _, st := range it.Stages {
				rows = append(rows, publicStageRow{Name: v.T(st.NameZH, st.NameEN), When: stageWhen(v.T, st), Channels: channelNames(v.Lang, st.Channels)})
			}
			stages[strconv.FormatInt(u.DepartmentID, 10)+"/"+it.Code] = rows
		}
	}
	v.Title = v.T("证照到期提醒事项目录", "Licence reminder catalogue")
	v.Data = map[string]any{"Units": units, "All": all, "Dept": dept, "Stages": stages}
	return h.s.Render(w, r, http.StatusOK, viewPublicCatalogue, v)
}

func stageWhen(t func(string, string) string, st license.PublicStage) string {
	n := strconv.Itoa(st.Days)
	if st.Code == license.PublicStageLapse {
		if st.Days == 0 {
			return t("到期当日", "On the expiry day")
		}
		return t("到期后 "+n+" 天", n+" days after expiry")
	}
	if st.Code == license.PublicStageFollowup {
		return t("到期前 "+n+" 天（遇节假日提前至上一个工作日）", n+" days before expiry (the working day before if that is a holiday)")
	}
	return t("到期前 "+n+" 天", n+" days before expiry")
}

func channelNames(lang string, codes []string) string {
	out := ""
	for i, c := range codes {
		if i > 0 {
			if lang == "en" {
				out += ", "
			} else {
				out += "、"
			}
		}
		out += channelText[c].In(lang)
	}
	return out
}

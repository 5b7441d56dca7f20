package credits

import (
	"net/http"
	"strconv"
	"strings"

	"yingshang/internal/api"
	"yingshang/internal/auth"
	"yingshang/internal/credit"
	"yingshang/internal/yserr"
)

// The scene list page (issue 18 item 10): the scenes a city checks credit
// in; their rules are on the scene-rule tab.

func (h *handlers) sceneListData(r *http.Request, d map[string]any) error {
	list, err := h.svc.SceneList(r.Context())
	if err != nil {
		return err
	}
	d["SceneList"] = list
	if _, ok := d["Form"]; !ok {
		d["Form"] = credit.Scene{Seq: len(list) + 1}
		for _, sc := range list {
			if sc.Code == r.URL.Query().Get("code") {
				d["Form"] = sc
			}
		}
	}
	return nil
}

func (h *handlers) rulesSceneList(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "scene_list", credit.TableSceneList)
	if err != nil {
		return err
	}
	if err := h.sceneListData(r, d); err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewRulesSceneLs, v)
}

func (h *handlers) saveScene(w http.ResponseWriter, r *http.Request) error {
	v, d, err := h.rulesView(r, "scene_list", credit.TableSceneList)
	if err != nil {
		return err
	}
	if _, err := auth.Require(r.Context(), auth.PlatformAdmin); err != nil {
		return err
	}
	sc := credit.Scene{Code: r.PostFormValue("code"), NameZH: r.PostFormValue("name_zh"), NameEN: r.PostFormValue("name_en"),
		NoteZH: r.PostFormValue("note_zh"), NoteEN: r.PostFormValue("note_en")}
	seq, perr := strconv.Atoi(strings.TrimSpace(r.PostFormValue("seq")))
	if perr != nil {
		err = yserr.Field("seq", "排序号须为整数", "the order is a whole number")
	} else {
		sc.Seq = seq
		_, err = h.svc.SaveScene(r.Context(), sc)
	}
	if err != nil {
		if yserr.CodeOf(err) != yserr.Invalid {
			return err
		}
		d["Form"] = sc
		if err := h.sceneListData(r, d); err != nil {
			return err
		}
		return h.s.FormError(w, r, viewRulesSceneLs, v, err)
	}
	return h.s.Redirect(w, r, "/credit/rules/scene-list", v.T("已保存核查场景", "Scene saved"))
}

func (h *handlers) apiScenes(w http.ResponseWriter, r *http.Request) error {
	if _, err := ruleReaderHTTP(r); err != nil {
		return err
	}
	list, err := h.svc.SceneList(r.Context())
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, list)
	return nil
}

func (h *handlers) apiSaveScene(w http.ResponseWriter, r *http.Request) error {
	var sc credit.Scene
	if err := api.Decode(r, &sc); err != nil {
		return err
	}
	sc.Code = r.PathValue("code")
	out, err := h.svc.SaveScene(r.Context(), sc)
	if err != nil {
		return err
	}
	api.WriteJSON(w, http.StatusOK, out)
	return nil
}

package draws_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/site/sitetest"
)

// TestRunWithEmptyWitness: a draw run with the witness's name left empty is
// answered on the project's page (not a bare 400 page) with the message
// beside the field and the value the witness typed kept; nothing is drawn.
func TestRunWithEmptyWitness(t *testing.T) {
	env := sitetest.New(t, db.SQLite)
	centre(t, env)
	staffToken := env.Token(t, "jyzx-staff")
	for i := range 8 {
		spec := "A01"
		if i >= 6 {
			spec = "E01"
		}
		res := env.API(t, staffToken, "POST", "/api/v1/draw-experts", draw.ExpertInput{Name: fmt.Sprintf("专家%d", i), Specialties: []string{spec}, Phone: "1390000000" + fmt.Sprint(i)})
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("create expert: %d %s", res.StatusCode, res.Body)
		}
	}
	res := env.Login(t, "ent").PostForm(t, "/draws/projects", url.Values{"name": {"道路改造工程"}, "kind": {"works"}, "budget_wan": {"300"},
		"specialties": {"A01"}, "tenderer_uscc": {sitetest.USCCA}, "opening_at": {"2099-12-20T09:00"}})
	m := idRe.FindStringSubmatch(res.Header.Get("Location"))
	if res.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("register: %d %s", res.StatusCode, res.Body)
	}
	staff := env.Login(t, "jyzx-staff")
	if res := staff.PostForm(t, "/draws/projects/"+m[1]+"/commit", url.Values{"purpose": {"experts"}, "reserves": {"1"}}); res.StatusCode != http.StatusSeeOther {
		t.Fatalf("commit: %d %s", res.StatusCode, res.Body)
	}
	var list struct {
		Items []draw.Draw `json:"items"`
	}
	env.API(t, "", "GET", "/api/v1/draws", nil).JSON(t, &list)
	did := fmt.Sprint(list.Items[0].ID)
	r := staff.PostForm(t, "/draws/run/"+did, url.Values{"witness_name": {""}, "witness_value": {"824913"}})
	if r.StatusCode != http.StatusBadRequest {
		t.Fatalf("empty witness: %d", r.StatusCode)
	}
	for _, want := range []string{`data-testid="err-witness_name"`, "请填写见证人姓名", `value="824913"`, `data-testid="execute-` + did + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("page after an empty witness lacks %q", want)
		}
	}
	env.API(t, "", "GET", "/api/v1/draws", nil).JSON(t, &list)
	if list.Items[0].Status != "committed" {
		t.Fatalf("drawn despite the error: %s", list.Items[0].Status)
	}
	// The verification page's own form behaves the same, in English too.
	r = staff.PostForm(t, "/draws/run/"+did+"?lang=en", url.Values{"witness_name": {"王见证"}, "witness_value": {" "}})
	if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, "the witness must enter a value") || !strings.Contains(r.Body, `value="王见证"`) {
		t.Fatalf("empty value in English: %d", r.StatusCode)
	}
}

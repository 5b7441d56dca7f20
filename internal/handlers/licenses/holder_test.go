package licenses_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/ident"
	"yingshang/internal/license"
	"yingshang/internal/site/sitetest"
)

// holderAPI calls the holder API with an optional X-Holder-Token.
func holderAPI(t *testing.T, env *sitetest.Env, method, path, token string, body any) (int, string) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, env.HTTP.URL+path, r)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("X-Holder-Token", token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPersonHolderPages: a person who holds a licence, without an account,
// finds it with the ID number and an SMS code, sees it masked, answers the
// reminder, signs out; the same through the API a mini-program would use.
func TestPersonHolderPages(t *testing.T) {
	for _, e := range []db.Dialect{db.SQLite, db.Postgres} {
		t.Run(string(e), func(t *testing.T) {
			env := sitetest.New(t, e)
			tok := setup(t, env)
			idNumber := ident.GenerateIDCard(rand.New(rand.NewPCG(7, 8)), "411002", time.Date(1961, 5, 2, 0, 0, 0, 0, time.UTC), false)
			const phone = "13912345678"
			in := map[string]any{"licenses": []license.LicenseInput{
				{TypeCode: "SP-JY", Number: "P-1", HolderName: "李秀英", HolderCode: idNumber, Phone: phone, IssuedOn: "2021-12-10", ExpiresOn: "2026-12-10"},
			}}
			if r := env.API(t, tok, "POST", "/api/v1/licenses/import", in); r.StatusCode != 200 || !strings.Contains(r.Body, `"created":1`) {
				t.Fatalf("import: %d %s", r.StatusCode, r.Body)
			}

			c := env.Anonymous()
			if r := c.Get(t, "/licenses/holder"); r.StatusCode != 200 || !strings.Contains(r.Body, `data-testid="holder-form"`) {
				t.Fatalf("form: %d", r.StatusCode)
			}
			r := c.PostForm(t, "/licenses/holder", url.Values{"action": {"send"}, "id_number": {idNumber}, "phone": {"13800002222"}})
			if r.StatusCode != 400 || !strings.Contains(r.Body, "未找到与该身份证号码和手机号码对应的证照") || !strings.Contains(r.Body, `id="phone-err"`) {
				t.Fatalf("wrong phone: %d %s", r.StatusCode, r.Body)
			}
			r = c.PostForm(t, "/licenses/holder", url.Values{"action": {"send"}, "id_number": {idNumber}, "phone": {phone}})
			if r.StatusCode != 200 || !strings.Contains(r.Body, "139****5678") {
				t.Fatalf("send: %d %s", r.StatusCode, r.Body)
			}
			r = c.PostForm(t, "/licenses/holder", url.Values{"action": {"verify"}, "id_number": {idNumber}, "phone": {phone}, "code": {"000000"}})
			if r.StatusCode != 400 || !strings.Contains(r.Body, `id="code-err"`) {
				t.Fatalf("wrong code: %d", r.StatusCode)
			}
			code := env.LastSMSCode(t, phone)
			r = c.PostForm(t, "/licenses/holder", url.Values{"action": {"verify"}, "id_number": {idNumber}, "phone": {phone}, "code": {code}})
			if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/licenses/holder/mine" {
				t.Fatalf("verify: %d %s", r.StatusCode, r.Body)
			}
			mine := c.Get(t, "/licenses/holder/mine")
			if mine.StatusCode != 200 || !strings.Contains(mine.Body, "P-1") || !strings.Contains(mine.Body, "139****5678") ||
				strings.Contains(mine.Body, idNumber) || strings.Contains(mine.Body, "L1") {
				t.Fatalf("mine: %d %s", mine.StatusCode, mine.Body)
			}
			var id int64
			ctx := context.Background()
			if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM licenses WHERE number = 'P-1'").Scan(&id); err != nil {
				t.Fatal(err)
			}
			r = c.PostForm(t, "/licenses/holder/mine/"+itoa(id)+"/answer", url.Values{"answer": {"renewing"}})
			if r.StatusCode != http.StatusSeeOther {
				t.Fatalf("answer: %d %s", r.StatusCode, r.Body)
			}
			var answer string
			if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT holder_answer FROM licenses WHERE id = $1", id).Scan(&answer); err != nil || answer != "renewing" {
				t.Fatalf("answer stored: %q %v", answer, err)
			}
			// Another holder's licence cannot be answered with this proof.
			var other int64
			if err := env.App.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM licenses WHERE number = 'L1'").Scan(&other); err != nil {
				t.Fatal(err)
			}
			if r := c.PostForm(t, "/licenses/holder/mine/"+itoa(other)+"/answer", url.Values{"answer": {"renewed"}}); r.StatusCode != 404 {
				t.Fatalf("other's licence: %d", r.StatusCode)
			}
			c.PostForm(t, "/licenses/holder/logout", url.Values{})
			if r := c.Get(t, "/licenses/holder/mine"); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/licenses/holder" {
				t.Fatalf("after sign-out: %d %s", r.StatusCode, r.Header.Get("Location"))
			}

			// The API: a new code after the per-phone interval.
			env.Clock.Set(env.Clock.Now().Add(2 * time.Minute))
			st, body := holderAPI(t, env, "POST", "/api/v1/license-holder/code", "", license.HolderInput{IDNumber: idNumber, Phone: phone})
			if st != 200 || !strings.Contains(body, `"phone_mask":"139****5678"`) {
				t.Fatalf("API code: %d %s", st, body)
			}
			st, body = holderAPI(t, env, "POST", "/api/v1/license-holder/token", "", license.HolderInput{IDNumber: idNumber, Phone: phone, Code: env.LastSMSCode(t, phone)})
			var ht struct{ Token string }
			if st != 201 || json.Unmarshal([]byte(body), &ht) != nil || ht.Token == "" {
				t.Fatalf("API token: %d %s", st, body)
			}
			if st, body := holderAPI(t, env, "GET", "/api/v1/license-holder/licenses", "", nil); st != 401 || !strings.Contains(body, "application/problem+json") && !strings.Contains(body, `"status":401`) {
				t.Fatalf("API without token: %d %s", st, body)
			}
			st, body = holderAPI(t, env, "GET", "/api/v1/license-holder/licenses", ht.Token, nil)
			if st != 200 || !strings.Contains(body, `"number":"P-1"`) || strings.Contains(body, idNumber) {
				t.Fatalf("API licences: %d %s", st, body)
			}
			if st, body := holderAPI(t, env, "POST", "/api/v1/license-holder/licenses/"+itoa(id)+"/answer", ht.Token, map[string]string{"answer": "closing"}); st != 204 {
				t.Fatalf("API answer: %d %s", st, body)
			}
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

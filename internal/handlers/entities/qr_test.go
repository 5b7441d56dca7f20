package entities_test

import (
	"bytes"
	"image"
	"image/png"
	"net/http"
	"strings"
	"testing"

	goqr "github.com/piglig/go-qr"

	"yingshang/internal/entity"
	"yingshang/internal/site/sitetest"
)

// checkQR decodes a PNG and checks that it is the QR code of text: 8
// pixels per module inside a white 4-module quiet zone, module for module
// the symbol of text at level M or better, and readable back as text.
func checkQR(t testing.TB, b []byte, text string) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("not a PNG: %v", err)
	}
	q, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		t.Fatal(err)
	}
	const quiet = 4
	size := q.Size()
	n := size + 2*quiet
	if want := image.Rect(0, 0, n*8, n*8); img.Bounds() != want {
		t.Fatalf("size %v, want %v (%d modules of 8 px)", img.Bounds(), want, n)
	}
	dark := func(x, y int) bool { // module (x, y) of the image, quiet zone included
		r, _, _, _ := img.At(x*8+4, y*8+4).RGBA()
		return r < 0x8000
	}
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			inside := x >= quiet && y >= quiet && x < quiet+size && y < quiet+size
			switch {
			case !inside && dark(x, y):
				t.Fatalf("the quiet zone is not white at module (%d,%d)", x, y)
			case inside && dark(x, y) != q.Module(x-quiet, y-quiet):
				t.Fatalf("module (%d,%d) differs from the code of %q", x-quiet, y-quiet, text)
			}
		}
	}
	got, err := goqr.Decode(img)
	if err != nil || got != text {
		t.Fatalf("the code reads %q (%v), want %q", got, err, text)
	}
}

func TestPublicPageAndQR(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env) {
		anon := env.Anonymous()
		r := anon.Get(t, "/e/"+sitetest.USCCA)
		if r.StatusCode != 200 {
			t.Fatalf("public page: %d", r.StatusCode)
		}
		mustContain(t, "public page", r.Body, "许昌瑞丰商贸有限公司", sitetest.USCCA, "有限责任公司", "存续", "河南省许昌市魏都区",
			"2016-05-18", `src="/e/`+sitetest.USCCA+`/qr.png"`, `href="/login?next=/my/entity"`, `href="/register"`)
		// No personal data, not even masked.
		mustLack(t, "public page", r.Body, idA, "411002********001X", phoneA, "139****1234", "王建国", "专精特新")

		resp, b := getRaw(t, anon, env, "/e/"+sitetest.USCCA+"/qr.png")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("Content-Disposition") != "" {
			t.Fatalf("qr: %d %v", resp.StatusCode, resp.Header)
		}
		checkQR(t, b, "http://yingshang.test/e/"+sitetest.USCCA)
		resp, _ = getRaw(t, anon, env, "/e/"+sitetest.USCCA+"/qr.png?download=1")
		if cd := resp.Header.Get("Content-Disposition"); !strings.Contains(cd, "filename*=UTF-8''%E4%B8%80%E4%BC%81%E4%B8%80%E7%A0%81-"+sitetest.USCCA+".png") {
			t.Errorf("download: %q", cd)
		}
		p := anon.Get(t, "/e/"+sitetest.USCCA+"/print")
		mustContain(t, "print page", p.Body, `data-testid="print-sheet"`, "许昌瑞丰商贸有限公司", sitetest.USCCA, "@media print")
		mustLack(t, "print page", p.Body, phoneA, idA)

		// Lower case finds the entity too.
		if r := anon.Get(t, "/e/"+strings.ToLower(sitetest.USCCA)); r.StatusCode != 200 {
			t.Errorf("lower case: %d", r.StatusCode)
		}
		// Unknown, malformed and cancelled: not found.
		unknown := newUSCC(t, "91411002MA9XWWWW1")
		ctx := sitetest.System()
		b0, _ := env.App.Entities.Get(ctx, env.Entities[sitetest.USCCB])
		in := entity.Input{USCC: b0.USCC, Name: b0.Name, Type: b0.Type, LegalRepName: b0.LegalRepName, LegalRepID: b0.LegalRepID,
			RegionCode: b0.RegionCode, IndustryCode: b0.IndustryCode, FoundedOn: b0.FoundedOn, Phone: b0.Phone, Status: entity.StatusCancelled}
		if _, err := env.App.Entities.Update(ctx, b0.ID, in); err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{"/e/" + unknown, "/e/NOTACODE", "/e/" + sitetest.USCCB, "/e/" + sitetest.USCCB + "/qr.png", "/e/" + sitetest.USCCB + "/print"} {
			if r := anon.Get(t, p); r.StatusCode != http.StatusNotFound {
				t.Errorf("%s: %d", p, r.StatusCode)
			}
		}
		// Staff see that a cancelled entity has no code.
		d := env.Login(t, "admin").Get(t, path(env, sitetest.USCCB, ""))
		mustContain(t, "cancelled detail", d.Body, "已注销的经营主体没有一企一码")
		mustLack(t, "cancelled detail", d.Body, "/qr.png")

		// The API serves the code to those who may read the entity.
		tok := env.Token(t, "ent")
		r = env.API(t, tok, "GET", "/api/v1/entities/by-uscc/"+sitetest.USCCA+"/qr.png", nil)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("API qr: %d %v", r.StatusCode, r.Header)
		}
		checkQR(t, []byte(r.Body), "http://yingshang.test/e/"+sitetest.USCCA)
		if r := env.API(t, env.Token(t, "admin"), "GET", "/api/v1/entities/by-uscc/"+sitetest.USCCB+"/qr.png", nil); r.StatusCode != http.StatusNotFound {
			t.Errorf("API qr of a cancelled entity: %d", r.StatusCode)
		}
		if r := env.API(t, "", "GET", "/api/v1/entities/by-uscc/"+sitetest.USCCA+"/qr.png", nil); r.StatusCode != http.StatusUnauthorized {
			t.Errorf("anonymous API qr: %d", r.StatusCode)
		}
	})
}

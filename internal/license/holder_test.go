package license_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/license"
	"yingshang/internal/yserr"
)

// fakeCodes stands in for account.PhoneCodes (tested in package account):
// it records where codes went and accepts "246810" for the last phone.
type fakeCodes struct{ sent []string }

func (f *fakeCodes) Send(_ context.Context, purpose, phone, _ string) (string, error) {
	if purpose != license.PurposeHolder {
		panic("purpose " + purpose)
	}
	f.sent = append(f.sent, phone)
	return phone[:3] + "****" + phone[7:], nil
}

func (f *fakeCodes) Verify(_ context.Context, _, phone, code string) error {
	if len(f.sent) == 0 || f.sent[len(f.sent)-1] != phone || code != "246810" {
		return yserr.Field("code", "验证码错误", "wrong code")
	}
	return nil
}

func TestPersonHolderSignInAndAnswer(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d, at("2026-11-23", 9, 0))
		codes := &fakeCodes{}
		e.s.Codes, e.s.BaseURL = codes, "https://ys.example.gov.cn/"
		mine := e.person("P-001", "2026-12-10")
		mine.Phone = "13912345678"
		other := e.person("P-002", "2026-12-20") // another person, phone 13800002222
		e.add(mine, other, e.lic("E-001", "2026-12-01"))
		// Of another department: a licence of the same person with another
		// phone (not shown: the phone is part of the proof) and one with the
		// same phone written differently (shown).
		if rep, err := e.s.Add(e.admin(e.deptB, e.adminB), e.deptB, []license.LicenseInput{
			{TypeCode: "YP-LS", Number: "P-003", HolderName: mine.HolderName, HolderCode: mine.HolderCode, Phone: "13700001111", IssuedOn: "2021-01-01", ExpiresOn: "2027-01-15"},
			{TypeCode: "YP-LS", Number: "P-004", HolderName: mine.HolderName, HolderCode: mine.HolderCode, Phone: "139 1234 5678", IssuedOn: "2022-01-01", ExpiresOn: "2027-03-01"},
		}, ""); err != nil || rep.Bad > 0 {
			t.Fatalf("add: %v %+v", err, rep)
		}
		ctx := context.Background()

		// Bad input names the field; a pair that matches no licence sends nothing.
		for _, c := range []struct {
			in    license.HolderInput
			field string
		}{
			{license.HolderInput{IDNumber: "41100219900101001X", Phone: mine.Phone}, "id_number"},
			{license.HolderInput{IDNumber: mine.HolderCode, Phone: "1391234"}, "phone"},
			{license.HolderInput{IDNumber: mine.HolderCode, Phone: other.Phone}, "phone"},
			{license.HolderInput{IDNumber: other.HolderCode, Phone: mine.Phone}, "phone"},
		} {
			_, err := e.s.HolderSendCode(ctx, c.in)
			if ye := yserr.As(err); err == nil || ye.Field != c.field {
				t.Errorf("%+v: got %v, want an error on %s", c.in, err, c.field)
			}
		}
		if len(codes.sent) != 0 {
			t.Fatalf("codes sent for bad input: %v", codes.sent)
		}

		in := license.HolderInput{IDNumber: strings.ToLower(mine.HolderCode), Phone: "+86 139-1234-5678"}
		masked, err := e.s.HolderSendCode(ctx, in)
		if err != nil || masked != "139****5678" || codes.sent[0] != "13912345678" {
			t.Fatalf("send: %q %v %v", masked, err, codes.sent)
		}
		in.Code = "000000"
		if _, err := e.s.HolderSignIn(ctx, in); yserr.As(err).Field != "code" {
			t.Fatalf("wrong code: %v", err)
		}
		in.Code = "246810"
		tok, err := e.s.HolderSignIn(ctx, in)
		if err != nil {
			t.Fatal(err)
		}

		h, ls, err := e.s.HolderLicences(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		var numbers []string
		for _, l := range ls {
			numbers = append(numbers, l.Number)
		}
		if strings.Join(numbers, ",") != "P-001,P-004" {
			t.Errorf("licences %v, want P-001,P-004 (not the other person's, not the one with another phone, not the company's)", numbers)
		}
		if h.PhoneMask != "139****5678" || strings.Contains(h.IDMask, mine.HolderCode[6:14]) || h.Name == mine.HolderName {
			t.Errorf("holder shown unmasked: %+v", h)
		}

		// Answer one's own licence; another person's is not found.
		if err := e.s.HolderAnswer(ctx, tok, ls[0].ID, license.AnswerRenewing); err != nil {
			t.Fatal(err)
		}
		var answer string
		if err := d.Q(ctx).QueryRow(ctx, "SELECT holder_answer FROM licenses WHERE number = 'P-001'").Scan(&answer); err != nil || answer != "renewing" {
			t.Errorf("answer stored: %q %v", answer, err)
		}
		var otherID int64
		if err := d.Q(ctx).QueryRow(ctx, "SELECT id FROM licenses WHERE number = 'P-002'").Scan(&otherID); err != nil {
			t.Fatal(err)
		}
		if err := e.s.HolderAnswer(ctx, tok, otherID, license.AnswerRenewed); !yserr.Is(err, yserr.NotFound) {
			t.Errorf("answering another person's licence: %v", err)
		}
		if err := e.s.HolderAnswer(ctx, tok, ls[0].ID, "maybe"); yserr.As(err).Field != "answer" {
			t.Errorf("bad answer: %v", err)
		}

		// The reminders link each holder to where it answers.
		e.scan()
		for number, link := range map[string]string{"P-001": "https://ys.example.gov.cn/licenses/holder", "E-001": "https://ys.example.gov.cn/my/licenses"} {
			var n int
			if err := d.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM notifications n JOIN licenses l ON n.object_type = 'license' AND n.object_id = `+castText(d)+`
				WHERE l.number = $1 AND n.channel = 'sms' AND n.body LIKE $2`, number, "%"+link).Scan(&n); err != nil || n == 0 {
				t.Errorf("no SMS reminder of %s ends with %s (%v)", number, link, err)
			}
		}

		// A changed token, or one past its 30 minutes, is refused.
		p, mac, _ := strings.Cut(tok, ".")
		for _, bad := range []string{"", "x.y", p + "." + strings.Repeat("0", len(mac)), strings.ToUpper(p[:1]) + p[1:] + "." + mac} {
			if bad == tok {
				continue
			}
			if _, _, err := e.s.HolderLicences(ctx, bad); !yserr.Is(err, yserr.Unauthorized) {
				t.Errorf("token %q: %v", bad, err)
			}
		}
		e.clk.Set(e.clk.Now().Add(license.HolderTTL + time.Second))
		if _, _, err := e.s.HolderLicences(ctx, tok); !yserr.Is(err, yserr.Unauthorized) {
			t.Errorf("expired token: %v", err)
		}
	})
}

// castText is l.id as text, for joining notifications.object_id.
func castText(d *db.DB) string {
	if d.Dialect == db.Postgres {
		return "l.id::text"
	}
	return "CAST(l.id AS TEXT)"
}

package appeal_test

import (
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/yserr"
)

// TestLandlineCallers: the hotline operator registers a landline caller
// (12345 and telephone intake), stored masked; an online channel or SMS
// contact still needs a mobile number, with a message saying why.
func TestLandlineCallers(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			in := func(phone, channel, pref string) appeal.Input {
				return appeal.Input{PersonName: "李女士", PersonPhone: phone, Channel: channel, ContactPref: pref,
					Kind: appeal.Consult, Topic: "开办企业", Title: "食品经营许可咨询", Description: "门店搬迁后许可证要重新办理吗？"}
			}
			p, err := f.svc.Create(f.ctx["admin"], in("(0374)12345678", "hotline12345", "phone"))
			if err != nil || p.PersonPhone != "037******5678" {
				t.Fatalf("12345 landline: %+v %v", p, err)
			}
			if _, err := f.svc.Create(f.ctx["admin"], in("4123456", "phone", "")); err != nil {
				t.Fatalf("local landline by telephone: %v", err)
			}
			_, err = f.svc.Create(f.ctx["admin"], in("0374-12345678", "hotline12345", "sms"))
			if ye := yserr.As(err); ye.Code != yserr.Invalid || ye.Field != "person_phone" || ye.ZH != "短信只能发到手机号，请填写手机号或改选电话联系" {
				t.Fatalf("landline with SMS contact: %v", err)
			}
			_, err = f.svc.Create(f.ctx["admin"], in("0374-123", "hotline12345", "phone"))
			if ye := yserr.As(err); ye.Code != yserr.Invalid || ye.Field != "person_phone" {
				t.Fatalf("short landline: %v", err)
			}
		})
	}
}

package appeal_test

import (
	"testing"

	"yingshang/internal/appeal"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

// TestConfiguredChannels: a city adds WeChat and 吐槽大会; intake staff
// register under them; enterprises online stay "web"; the per-channel
// figures list every channel.
func TestConfiguredChannels(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			st, err := f.svc.Settings(f.ctx["admin"])
			if err != nil {
				t.Fatal(err)
			}
			for _, bad := range [][]appeal.ChannelDef{
				{{Code: "WeChat!", ZH: "微信", EN: "WeChat"}},
				{{Code: "phone", ZH: "电话", EN: "phone"}},
				{{Code: "wechat", ZH: "", EN: "WeChat"}},
			} {
				x := st
				x.ExtraChannels = bad
				if err := f.svc.SaveSettings(f.ctx["admin"], x); yserr.As(err) == nil || yserr.As(err).Field != "extra_channels" {
					t.Fatalf("bad channel %+v: %v", bad, err)
				}
			}
			st.ExtraChannels = []appeal.ChannelDef{{Code: "wechat", ZH: "微信公众号", EN: "WeChat"}, {Code: "complaint_session", ZH: "吐槽大会", EN: "complaint session"}}
			if err := f.svc.SaveSettings(f.ctx["admin"], st); err != nil {
				t.Fatal(err)
			}
			in := appeal.Input{USCC: sitetest.USCCB, Channel: "complaint_session", Kind: appeal.Complaint, Topic: "执法检查",
				Title: "同一周内被三个部门重复检查", Description: "吐槽大会上企业反映：同一周内市监、消防、环保分别上门检查，能否联合检查？"}
			a, err := f.svc.Create(f.ctx["admin"], in)
			if err != nil || a.Channel != "complaint_session" {
				t.Fatalf("intake under a configured channel: %+v %v", a, err)
			}
			in.Channel = "telegram"
			if _, err := f.svc.Create(f.ctx["admin"], in); yserr.As(err) == nil || yserr.As(err).Field != "channel" {
				t.Fatalf("unknown channel: %v", err)
			}
			if got, _ := f.svc.Settings(f.ctx["admin"]); got.ChannelName("complaint_session", "en") != "complaint session" || got.ChannelName("qr", "zh") != "扫码提交" {
				t.Fatal("channel names")
			}
			f.submit(t, appeal.Consult) // online: web
			if _, err := f.svc.ChannelStats(f.ctx["ent"]); !yserr.Is(err, yserr.Forbidden) {
				t.Fatalf("enterprise read the channel figures: %v", err)
			}
			stats, err := f.svc.ChannelStats(f.ctx["sjj-staff"])
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]int{}
			for _, c := range stats {
				got[c.Channel] = c.Total
			}
			if got["complaint_session"] != 1 || got["web"] != 1 || got["wechat"] != 0 || len(stats) != len(appeal.Channels)+2 {
				t.Fatalf("channel figures: %v", got)
			}
		})
	}
}

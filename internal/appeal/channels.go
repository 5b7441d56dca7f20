package appeal

// Channels as configuration (issue 18 item 1): besides the built-in
// channels (Channels), a city adds its own in the settings (WeChat, 市长信箱,
// an app, a provincial platform, 吐槽大会 complaint sessions, officer
// visits...), each with its Chinese and English name. Intake staff register
// appeals under any of them (the intake form lists them), and the office
// sees per-channel figures (ChannelStats).

import (
	"context"
	"regexp"
	"strings"

	"yingshang/internal/yserr"
)

// ChannelDef is a channel a city adds.
type ChannelDef struct {
	Code string `json:"code" doc:"lower-case letters, digits and _; not a built-in channel"`
	ZH   string `json:"zh" doc:"the name in Chinese"`
	EN   string `json:"en" doc:"the name in English"`
}

var channelCode = regexp.MustCompile(`^[a-z][a-z0-9_]{1,29}$`)

func (st *Settings) validateChannels(v *yserr.Validation) {
	seen := map[string]bool{}
	for i, c := range st.ExtraChannels {
		row := "第 " + itoa(i+1) + " 个渠道"
		rowEN := "channel " + itoa(i+1)
		switch {
		case !channelCode.MatchString(c.Code):
			v.Add("extra_channels", row+"代码须为 2-30 位小写字母、数字或下划线："+c.Code, rowEN+": the code must be 2-30 lower-case letters, digits or _: "+c.Code)
		case contains(Channels, c.Code) || seen[c.Code]:
			v.Add("extra_channels", row+"代码重复："+c.Code, rowEN+": the code is taken: "+c.Code)
		case strings.TrimSpace(c.ZH) == "" || strings.TrimSpace(c.EN) == "":
			v.Add("extra_channels", row+"须有中英文名称："+c.Code, rowEN+" needs a Chinese and an English name: "+c.Code)
		}
		seen[c.Code] = true
	}
}

// HasChannel reports whether code is a built-in or a configured channel.
func (st Settings) HasChannel(code string) bool {
	if contains(Channels, code) {
		return true
	}
	for _, c := range st.ExtraChannels {
		if c.Code == code {
			return true
		}
	}
	return false
}

// ChannelName names a built-in or configured channel in lang.
func (st Settings) ChannelName(code, lang string) string {
	if l, ok := channelLabels[code]; ok {
		return pick(l, lang)
	}
	for _, c := range st.ExtraChannels {
		if c.Code == code {
			return pick([2]string{c.ZH, c.EN}, lang)
		}
	}
	return pick([2]string{"其他渠道", "other channel"}, lang)
}

// IntakeChannels are the channels intake staff may choose: the offline
// built-in ones, then the configured ones.
func (st Settings) IntakeChannels() []string {
	out := []string{"phone", "hotline12345", "visit", "letter"}
	for _, c := range st.ExtraChannels {
		out = append(out, c.Code)
	}
	return out
}

// ChannelStat is one channel's figures.
type ChannelStat struct {
	Channel   string `json:"channel"`
	Name      string `json:"name"`
	NameEN    string `json:"name_en"`
	Total     int    `json:"total"`
	Replied   int    `json:"replied"`
	OnTime    int    `json:"on_time" doc:"replied by the reply deadline"`
	OnSpot    int    `json:"on_spot" doc:"resolved on the spot"`
	Satisfied int    `json:"satisfied" doc:"rated satisfied or fairly satisfied"`
	Rated     int    `json:"rated"`
}

// ChannelStats counts the appeals per channel, every configured channel
// listed (with zeros) even before its first appeal. The office,
// supervisors and department staff (aggregates, no personal data).
func (s *Service) ChannelStats(ctx context.Context) ([]ChannelStat, error) {
	if _, _, err := s.officeOrDept(ctx); err != nil {
		return nil, err
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT a.channel, COUNT(*),
		SUM(CASE WHEN a.replied_at IS NOT NULL THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.reply_on_time THEN 1 ELSE 0 END),
		SUM(CASE WHEN t.on_spot THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.rating IN ('satisfied', 'basic') THEN 1 ELSE 0 END),
		SUM(CASE WHEN a.rating <> '' THEN 1 ELSE 0 END)
		FROM appeals a LEFT JOIN appeal_terms t ON t.appeal_id = a.id GROUP BY a.channel`)
	if err != nil {
		return nil, err
	}
	got := map[string]ChannelStat{}
	for rows.Next() {
		var c ChannelStat
		if err := rows.Scan(&c.Channel, &c.Total, &c.Replied, &c.OnTime, &c.OnSpot, &c.Satisfied, &c.Rated); err != nil {
			rows.Close()
			return nil, err
		}
		got[c.Channel] = c
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []ChannelStat
	add := func(code string) {
		c := got[code]
		c.Channel, c.Name, c.NameEN = code, st.ChannelName(code, "zh"), st.ChannelName(code, "en")
		out = append(out, c)
		delete(got, code)
	}
	for _, code := range Channels {
		add(code)
	}
	for _, c := range st.ExtraChannels {
		add(c.Code)
	}
	for code := range got { // channels removed from the settings since
		add(code)
	}
	return out, nil
}

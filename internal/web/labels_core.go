package web

import (
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
)

// The platform core's codes in the one label table: roles, notification
// channels and delivery statuses, the problems the audit deep check
// reports, and the market-entity register's statuses (entity.LabelTables). Modules add theirs through module.Info.Labels.
func init() {
	roles := map[string]Text{}
	for _, r := range auth.AllRoles {
		roles[string(r)] = Text{ZH: r.Label("zh-CN"), EN: r.Label("en")}
	}
	RegisterLabels(Labels{
		"role": roles,
		"channel": {notify.ChannelInApp: {ZH: "站内消息", EN: "In-app"}, notify.ChannelSMS: {ZH: "短信", EN: "SMS"},
			notify.ChannelEmail: {ZH: "电子邮件", EN: "E-mail"}, notify.ChannelWebhook: {ZH: "Webhook", EN: "Webhook"}},
		"notify.status": {notify.StatusQueued: {ZH: "排队中", EN: "Queued"}, notify.StatusSent: {ZH: "已发送", EN: "Sent"},
			notify.StatusDelivered: {ZH: "已送达", EN: "Delivered"}, notify.StatusFailed: {ZH: "失败", EN: "Failed"}},
		"notify.lang": {notify.LangZH: {ZH: "中文", EN: "Chinese"}, notify.LangEN: {ZH: "英文", EN: "English"}},
		"audit.problem": {"added": {ZH: "无审计事件的新增", EN: "added without an event"}, "changed": {ZH: "无审计事件的修改", EN: "changed without an event"},
			"deleted": {ZH: "无审计事件的删除", EN: "deleted without an event"}},
	})
	for kind, codes := range entity.LabelTables() {
		m := make(map[string]Text, len(codes))
		for k, t := range codes {
			m[k] = Text{ZH: t[0], EN: t[1]}
		}
		RegisterLabels(Labels{"entity." + kind: m})
	}
}

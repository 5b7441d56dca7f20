package license

import "strings"

// Labels of the module's codes in Chinese and English. The handlers
// register them in the platform's one label table (module.Info.Labels) as
// "license.<kind>", and the Label funcs below and the pages read the same
// maps, so both always say the same.

var statusLabels = map[string][2]string{
	StatusActive: {"有效", "Valid"}, StatusRenewed: {"已续证", "Renewed"}, StatusRevoked: {"已撤销", "Revoked"},
	StatusCancelled: {"已注销", "Cancelled"}, StatusLapsed: {"已过期失效", "Lapsed"},
}

var stageLabels = map[string][2]string{
	StageRemind1: {"首次提醒", "First reminder"}, StageRemind2: {"再次提醒", "Second reminder"},
	StageFollowup: {"列入跟进清单", "Follow-up list"}, StageLapsed: {"到期失效", "Lapsed"},
}

// outcomeLabels name a follow-up's contact outcomes and contact ways.
var outcomeLabels = map[string][2]string{
	"reached": {"已告知", "Reached"}, "renewing": {"正在办理", "Renewing"}, "renewed": {"已续证", "Renewed"},
	"closing": {"不再续证（停业）", "Closing"}, "unreachable": {"未联系上", "Unreachable"}, "call": {"电话", "Call"}, "visit": {"上门", "Visit"},
}

var answerLabels = map[string][2]string{
	AnswerRenewed: {"持证人答复：已续证", "Holder: renewed"}, AnswerRenewing: {"持证人答复：正在办理", "Holder: renewing"},
	AnswerClosing: {"持证人答复：不再续证", "Holder: closing"},
}

func pickLabel(m map[string][2]string, k, lang string) (string, bool) {
	l, ok := m[k]
	if !ok {
		return "", false
	}
	if lang == "en" {
		return l[1], true
	}
	return l[0], true
}

// StatusLabel names a licence status; an unknown status is returned as it is.
func StatusLabel(st, lang string) string {
	if l, ok := pickLabel(statusLabels, st, lang); ok {
		return l
	}
	return st
}

// StageLabel names a reminder stage; an unknown stage is returned as it is.
func StageLabel(st, lang string) string {
	if l, ok := pickLabel(stageLabels, st, lang); ok {
		return l
	}
	return st
}

// OutcomeLabel names a contact outcome or way; an unknown one is returned
// as it is.
func OutcomeLabel(o, lang string) string {
	if l, ok := pickLabel(outcomeLabels, o, lang); ok {
		return l
	}
	return o
}

// AnswerLabel names a holder's answer; "" for none or an unknown one.
func AnswerLabel(a, lang string) string {
	l, _ := pickLabel(answerLabels, a, lang)
	return l
}

// LabelTables returns the module's label tables by kind ("kind",
// "status", "stage", "outcome", "answer"): code -> {zh, en}, copies of the
// maps the Label funcs read.
func LabelTables() map[string]map[string][2]string {
	tables := map[string]map[string][2]string{
		"kind": kindLabels, "status": statusLabels, "stage": stageLabels, "outcome": outcomeLabels, "answer": answerLabels,
	}
	out := make(map[string]map[string][2]string, len(tables))
	for kind, m := range tables {
		c := make(map[string][2]string, len(m))
		for k, v := range m {
			c[k] = v
		}
		out[kind] = c
	}
	return out
}

// NoteIn is the column's note in the language: the notes are written
// "中文 / English"; a note without " / " is the same in both (a format
// such as YYYY-MM-DD), and a leading YYYY-MM-DD stays in the English one.
func (c Column) NoteIn(lang string) string {
	zh, en, ok := strings.Cut(c.Note, " / ")
	if !ok {
		return c.Note
	}
	if lang != "en" {
		return zh
	}
	if strings.HasPrefix(zh, "YYYY-MM-DD") && !strings.HasPrefix(en, "YYYY-MM-DD") {
		return "YYYY-MM-DD, " + en
	}
	return en
}

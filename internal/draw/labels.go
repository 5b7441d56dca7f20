package draw

// Labels for the codes the draw module shows people: exclusion reasons and
// the expert quota groups. One table, zh-CN and English; an unknown code is
// shown as it is (a room or stratum name chosen by the user).

type label struct{ zh, en string }

var reasonLabels = map[string]label{
	ReasonEmployerBidder:   {"工作单位为投标人", "employer is a bidder"},
	ReasonEmployerTenderer: {"工作单位为招标人", "employer is the tenderer"},
	ReasonRelation:         {"申报了利害关系", "declared relation"},
	ReasonSameRegion:       {"异地评标须回避本地", "same region (cross-region evaluation)"},
	ReasonRecentTenderer:   {"近期已为该招标人抽中", "recently drawn for this tenderer"},
	ReasonNotActive:        {"非在库正常状态或受处罚", "not active or penalised"},
	ReasonUnavailable:      {"声明当日不能参加", "declared unavailable"},
	ReasonNoSpecialty:      {"无对应专业", "no matching specialty"},
	ReasonAlreadyDrawn:     {"本项目已抽中过", "already drawn for this project"},
}

var groupLabels = map[string]label{
	"technical": {"技术类专家", "technical experts"},
	"economic":  {"经济类专家", "economic experts"},
	"staff":     {"受理人员", "intake staff"},
	"witness":   {"见证人员", "witnesses"},
	"main":      {"主评标室", "main room"},
	"secondary": {"备用评标室", "secondary rooms"},
}

func pick(l label, ok bool, code, lang string) string {
	if !ok {
		return code
	}
	if lang == "en" {
		return l.en
	}
	return l.zh
}

// ReasonLabel is the text of an exclusion reason code in lang ("zh-CN" or "en").
func ReasonLabel(code, lang string) string {
	l, ok := reasonLabels[code]
	return pick(l, ok, code, lang)
}

// GroupLabel is the text of a quota group name in lang; names that are not
// codes (rooms, strata) are returned as they are.
func GroupLabel(name, lang string) string {
	l, ok := groupLabels[name]
	return pick(l, ok, name, lang)
}

// LabelTables returns the module's label tables by kind ("reason",
// "group"): code -> {zh, en}. The handlers register them in the platform's
// one label table (web.Labels).
func LabelTables() map[string]map[string][2]string {
	out := map[string]map[string][2]string{"reason": {}, "group": {}}
	for k, l := range reasonLabels {
		out["reason"][k] = [2]string{l.zh, l.en}
	}
	for k, l := range groupLabels {
		out["group"][k] = [2]string{l.zh, l.en}
	}
	return out
}

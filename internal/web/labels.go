package web

import (
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
)

// Labels is the one table of the codes people see (statuses, rule keys,
// reason codes, roles, channels, audit actions, history entry kinds):
// kind -> code -> text in both languages. Kinds are named
// "<module>.<what>" ("appeal.state", "draw.reason") or, for the
// platform's own codes, a single word ("role", "channel", "audit.action").
//
// The core registers its kinds in this package's init; a module
// declares its own in module.Info.Labels and the module list registers
// them at start. Templates print a code with {{label . "kind" .Code}};
// Go code calls Label.
type Labels map[string]map[string]Text

var labels = struct {
	sync.RWMutex
	m Labels
}{m: Labels{}}

// StrictLabels makes a missing label a rendering error instead of a
// visible fallback. Tests switch it on, so an unlabelled code fails them.
var StrictLabels bool

// MergeLabels joins label sets (a module's tables kept in several files)
// into one for module.Info.Labels; a code given twice keeps the later text.
func MergeLabels(ls ...Labels) Labels {
	out := Labels{}
	for _, l := range ls {
		for kind, codes := range l {
			m := out[kind]
			if m == nil {
				m = map[string]Text{}
				out[kind] = m
			}
			for code, t := range codes {
				m[code] = t
			}
		}
	}
	return out
}

// RegisterLabels adds l to the table. Registering the same code of a
// kind twice with a different text panics (two owners of one code).
func RegisterLabels(l Labels) {
	labels.Lock()
	defer labels.Unlock()
	for kind, codes := range l {
		m := labels.m[kind]
		if m == nil {
			m = map[string]Text{}
			labels.m[kind] = m
		}
		for code, t := range codes {
			if t.ZH == "" || t.EN == "" {
				panic(fmt.Sprintf("label %s %q: both languages are required", kind, code))
			}
			if old, ok := m[code]; ok && old != t {
				panic(fmt.Sprintf("label %s %q registered twice: %v and %v", kind, code, old, t))
			}
			m[code] = t
		}
	}
}

// LabelText returns the label of code in kind.
func LabelText(kind, code string) (Text, bool) {
	labels.RLock()
	defer labels.RUnlock()
	t, ok := labels.m[kind][code]
	return t, ok
}

// Label returns the label of code in kind in lang; an unknown code is
// shown as "code?" so that it stands out (and StrictLabels code fails).
func Label(kind, code, lang string) string {
	if t, ok := LabelText(kind, code); ok {
		return t.In(lang)
	}
	return code + "?"
}

// LabelKinds lists the registered kinds, sorted.
func LabelKinds() []string {
	labels.RLock()
	defer labels.RUnlock()
	out := make([]string, 0, len(labels.m))
	for k := range labels.m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// LabelCodes lists the codes of a kind, sorted.
func LabelCodes(kind string) []string {
	labels.RLock()
	defer labels.RUnlock()
	out := make([]string, 0, len(labels.m[kind]))
	for k := range labels.m[kind] {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// labelFunc is the template function "label": {{label . "kind" .Code}}.
// The code may be any string type (a state, a role). An empty code prints
// nothing unless the kind labels it.
func labelFunc(v *View, kind string, code any) (string, error) {
	c := fmt.Sprint(code)
	if t, ok := LabelText(kind, c); ok {
		return t.In(v.Lang), nil
	}
	if c == "" {
		return "", nil
	}
	if StrictLabels {
		return "", fmt.Errorf("no label for %s %q", kind, c)
	}
	return c + "?", nil
}

// AuditActionLabel names an audit action ("appeal.reply") in lang: its
// own label when it has one, else the label of its object ("appeal") and
// of its verb ("reply"), both in kind "audit.action".
func AuditActionLabel(action, lang string) (string, bool) {
	if t, ok := LabelText("audit.action", action); ok {
		return t.In(lang), true
	}
	i := strings.LastIndexByte(action, '.')
	if i <= 0 {
		return action, false
	}
	obj, ok1 := LabelText("audit.object", action[:i])
	verb, ok2 := LabelText("audit.verb", action[i+1:])
	if !ok1 || !ok2 {
		return action, false
	}
	if lang == "en" {
		return obj.EN + ": " + verb.EN, true
	}
	return obj.ZH + "·" + verb.ZH, true
}

// CoreTemplates returns the core's page templates (tests walk them with
// the modules' to find codes printed without a label).
func CoreTemplates() fs.FS {
	t, err := fs.Sub(files, "templates")
	if err != nil {
		panic(err)
	}
	return t
}

// lookup prints code through find, failing (StrictLabels) or marking it
// when find has no label.
func lookup(v *View, kind, code string, find func(code, lang string) (string, bool)) (string, error) {
	if s, ok := find(code, v.Lang); ok {
		return s, nil
	}
	if code == "" {
		return "", nil
	}
	if StrictLabels {
		return "", fmt.Errorf("no label for %s %q", kind, code)
	}
	return code + "?", nil
}

package calendar

import (
	"bytes"
	_ "embed"
	"slices"
	"sync"
)

//go:embed holidays.json
var officialJSON []byte

var officialOverrides = sync.OnceValues(func() ([]Override, error) {
	return ParseOverrides(bytes.NewReader(officialJSON))
})

// LoadOfficial returns the overrides of the official schedules embedded in
// the binary (holidays.json: 2025 and 2026), sorted by date. The caller
// owns the returned slice.
func LoadOfficial() ([]Override, error) {
	ov, err := officialOverrides()
	if err != nil {
		return nil, err
	}
	return slices.Clone(ov), nil
}

var officialCalendar = sync.OnceValue(func() *Calendar {
	ov, err := LoadOfficial()
	if err != nil {
		panic("calendar: embedded holidays.json: " + err.Error())
	}
	return New(ov)
})

// Official returns the calendar of the embedded official schedules. The
// embedded data is checked by the package tests, so it does not fail.
// Services that let an administrator import further years build their own
// calendar with New(append(official, imported...)).
func Official() *Calendar { return officialCalendar() }

func sortOverrides(list []Override) {
	slices.SortFunc(list, func(a, b Override) int { return a.Date.Compare(b.Date) })
}

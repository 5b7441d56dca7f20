package calendarh

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// Schedule documents the JSON import format: the format of the official
// data (internal/calendar/holidays.json), read by calendar.ParseOverrides.
type Schedule struct {
	Note  string         `json:"note,omitempty"`
	Years []YearSchedule `json:"years"`
}

// YearSchedule is one year's official notice.
type YearSchedule struct {
	Year     int            `json:"year" example:"2027"`
	Source   string         `json:"source,omitempty" doc:"通知名称 / The notice, e.g. 国务院办公厅关于2027年部分节假日安排的通知"`
	Holidays []HolidayRange `json:"holidays"`
	Workdays []WorkdayEntry `json:"workdays"`
}

// HolidayRange is a holiday period; every day from From to To is off.
type HolidayRange struct {
	Name string        `json:"name" example:"春节"`
	From calendar.Date `json:"from"`
	To   calendar.Date `json:"to,omitzero" doc:"缺省为 from / Default: from"`
}

// WorkdayEntry is a Saturday or Sunday that is worked (调休上班).
type WorkdayEntry struct {
	Date calendar.Date `json:"date"`
	Name string        `json:"name,omitempty" example:"春节"`
}

var utf8BOM = []byte("\ufeff")

// parseSchedule reads a schedule as JSON (when it starts with "{") or as
// CSV with the header date,kind,name. Errors name the file field and the
// line at fault.
func parseSchedule(data []byte) ([]calendar.Override, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, yserr.Field("file", "文件为空", "the file is empty")
	}
	var list []calendar.Override
	var err error
	if trimmed[0] == '{' {
		list, err = calendar.ParseOverrides(bytes.NewReader(data))
	} else {
		list, err = calendar.ParseOverridesCSV(bytes.NewReader(data))
	}
	if err != nil {
		return nil, scheduleError(err, data)
	}
	return list, nil
}

// scheduleError turns a parse error into a field error naming the line.
// A JSON entry that is well-formed but wrong (an impossible date, a
// workday on a Tuesday) is found in the text to give its line too.
func scheduleError(err error, data []byte) error {
	var pe *calendar.ParseError
	if !errors.As(err, &pe) {
		return yserr.Field("file", "文件无法读取："+err.Error(), "cannot read the file: "+err.Error())
	}
	line := pe.Line
	if line == 0 && pe.Entry != "" {
		line = entryLine(data, pe.Entry)
	}
	detail := pe.Err.Error()
	if pe.Entry != "" {
		detail = pe.Entry + ": " + detail
	}
	if line > 0 {
		return yserr.Field("file", fmt.Sprintf("第 %d 行有误：%s", line, detail), fmt.Sprintf("line %d: %s", line, detail))
	}
	return yserr.Field("file", "文件有误："+detail, "the file is invalid: "+detail)
}

var (
	entryYearRe = regexp.MustCompile(`^years\[(\d+)\]`)
	entryItemRe = regexp.MustCompile(`^year (\d+) (holidays|workdays)\[(\d+)\]`)
)

// entryLine finds the line of a JSON entry named as calendar.ParseError
// names it ("years[1]", `year 2026 holidays[1] "春节"`); 0 when not found.
func entryLine(data []byte, entry string) int {
	offsets, years := jsonPaths(data)
	path := ""
	if m := entryYearRe.FindStringSubmatch(entry); m != nil {
		path = "years[" + m[1] + "]"
	} else if m := entryItemRe.FindStringSubmatch(entry); m != nil {
		for prefix, y := range years {
			if y == m[1] {
				path = prefix + "." + m[2] + "[" + m[3] + "]"
			}
		}
	}
	off, ok := offsets[path]
	if path == "" || !ok {
		return 0
	}
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// jsonPaths maps the path of every value in a JSON document
// ("years[0].holidays[1]") to the offset where it starts, and each element
// of "years" ("years[0]") to its "year".
func jsonPaths(data []byte) (map[string]int64, map[string]string) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := &pathWalker{dec: dec, data: data, offsets: map[string]int64{}, years: map[string]string{}}
	_ = w.walk("")
	return w.offsets, w.years
}

type pathWalker struct {
	dec     *json.Decoder
	data    []byte
	offsets map[string]int64
	years   map[string]string
}

// start returns the offset of the next value: past the whitespace, commas
// and colons after the last token.
func (w *pathWalker) start() int64 {
	off := w.dec.InputOffset()
	for off < int64(len(w.data)) && bytes.IndexByte([]byte(" \t\r\n,:"), w.data[off]) >= 0 {
		off++
	}
	return off
}

func (w *pathWalker) walk(path string) error {
	w.offsets[path] = w.start()
	tok, err := w.dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case json.Delim('{'):
		for w.dec.More() {
			key, err := w.dec.Token()
			if err != nil {
				return err
			}
			if err := w.walk(join(path, fmt.Sprint(key))); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
	case json.Delim('['):
		for i := 0; w.dec.More(); i++ {
			if err := w.walk(path + "[" + strconv.Itoa(i) + "]"); err != nil {
				return err
			}
		}
		_, err = w.dec.Token()
	default:
		if prefix, ok := strings.CutSuffix(path, ".year"); ok && yearPathRe.MatchString(prefix) {
			w.years[prefix] = fmt.Sprint(tok)
		}
	}
	return err
}

var yearPathRe = regexp.MustCompile(`^years\[\d+\]$`)

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// Package refdata holds national reference tables embedded in the binary:
// administrative divisions (GB/T 2260), industries (GB/T 4754-2017) and the
// SME size classes of 工信部联企业〔2011〕300号. All lookups are read-only
// and safe for concurrent use. See SOURCES.md for where the data comes from.
package refdata

import (
	"bufio"
	"fmt"
	"strings"
)

// tsvRow is one data line of an embedded code<TAB>name<TAB>parent file.
type tsvRow struct {
	code, name, parent string
	line               int
}

// parseTSV reads an embedded table, skipping blank lines and lines starting
// with '#'. It panics on a malformed line: the files are embedded and
// covered by tests, so a bad line is a build error, not a runtime condition.
func parseTSV(file, data string) []tsvRow {
	var rows []tsvRow
	sc := bufio.NewScanner(strings.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Split(line, "\t")
		if len(f) != 3 || f[0] == "" || f[1] == "" {
			panic(fmt.Sprintf("refdata: %s:%d: want code<TAB>name<TAB>parent, got %q", file, n, line))
		}
		rows = append(rows, tsvRow{f[0], f[1], f[2], n})
	}
	return rows
}

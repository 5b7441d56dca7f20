package main

import (
	"context"
	"fmt"
	"io"
	"slices"

	"yingshang/internal/calendar"
	"yingshang/internal/credit"
)

// cmdCredit runs the credit module's commands:
//
//	yingshang credit periods --decided DATE --class minor|general|serious [--sector SECTOR]
//
// prints the minimum and maximum publicity end dates the stored rule table
// gives a decision, one per line ("min YYYY-MM-DD", "max YYYY-MM-DD"),
// followed by the rule used on stderr.
func cmdCredit(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 || args[0] != "periods" {
		return &exitError{code: 2, msg: "usage: yingshang credit periods --decided YYYY-MM-DD --class minor|general|serious [--sector special_equipment|work_safety|fire]"}
	}
	fs, resolve := flags("credit periods", stderr)
	decided := fs.String("decided", "", "decision date YYYY-MM-DD")
	class := fs.String("class", "", "severity class: minor, general or serious")
	sector := fs.String("sector", "", "sector with its own minimum period (special_equipment, work_safety, fire)")
	if err := fs.Parse(args[1:]); err != nil {
		return &exitError{code: 2}
	}
	d, err := calendar.ParseDate(*decided)
	if err != nil {
		return &exitError{code: 2, msg: fmt.Sprintf("--decided: %q is not a date (YYYY-MM-DD)", *decided)}
	}
	if !slices.Contains(credit.Classes, *class) {
		return &exitError{code: 2, msg: fmt.Sprintf("--class: %q is not minor, general or serious", *class)}
	}
	if _, ok := credit.Sectors[*sector]; *sector != "" && !ok {
		return &exitError{code: 2, msg: fmt.Sprintf("--sector: unknown sector %q", *sector)}
	}
	cfg, err := resolve()
	if err != nil {
		return err
	}
	a, m, err := openModules(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer a.Close()
	p, err := m.Credit.Periods(ctx, d, *class, *sector)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "min %s\nmax %s\n", p.MinEnd, p.MaxEnd)
	published := "published"
	if !p.Publish {
		published = "not published"
	}
	fmt.Fprintf(stderr, "rule %d (%s, %d-%d months, %s): %s\n", p.Rule.ID, p.Rule.Regime, p.Rule.MinMonths, p.Rule.MaxMonths, published, p.Rule.Note)
	return nil
}

package credits

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"yingshang/internal/auth"

	"yingshang/internal/calendar"
	"yingshang/internal/credit"
	"yingshang/internal/importkit"
	"yingshang/internal/module"
)

const creditUsage = `usage: yingshang credit periods --decided YYYY-MM-DD --class minor|general|serious [--sector special_equipment|work_safety|fire]
       yingshang credit import FILE --department CODE [--dry-run] [--valid-only]`

// The credit module's commands:
//
//	yingshang credit periods --decided DATE --class minor|general|serious [--sector SECTOR]
//
// prints the minimum and maximum publicity end dates the stored rule table
// gives a decision, one per line ("min YYYY-MM-DD", "max YYYY-MM-DD"),
// followed by the rule used on stderr.
//
//	yingshang credit import FILE --department CODE [--dry-run] [--valid-only]
//
// imports credit records from an .xlsx or .csv file in the template's
// layout for the department (see docs/credit.md), prints the counts and
// one line per problem, and exits with 1 when nothing was written because
// of bad rows (or, in a dry run, when there are bad rows).
func cmdPeriods(ctx context.Context, c *module.CLI, args []string) error {
	stdout, stderr := c.Stdout, c.Stderr
	fs, resolve := c.Flags("credit periods")
	decided := fs.String("decided", "", "decision date YYYY-MM-DD")
	class := fs.String("class", "", "severity class: minor, general or serious")
	sector := fs.String("sector", "", "sector with its own minimum period (special_equipment, work_safety, fire)")
	if err := fs.Parse(args); err != nil {
		return &module.ExitError{Code: 2}
	}
	d, err := calendar.ParseDate(*decided)
	if err != nil {
		return &module.ExitError{Code: 2, Msg: fmt.Sprintf("--decided: %q is not a date (YYYY-MM-DD)", *decided)}
	}
	if !slices.Contains(credit.Classes, *class) {
		return &module.ExitError{Code: 2, Msg: fmt.Sprintf("--class: %q is not minor, general or serious", *class)}
	}
	if _, ok := credit.Sectors[*sector]; *sector != "" && !ok {
		return &module.ExitError{Code: 2, Msg: fmt.Sprintf("--sector: unknown sector %q", *sector)}
	}
	o, err := c.Open(ctx, fs, resolve, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	svc, _ := module.Service[*credit.Service](o.Host, "credit")
	p, err := svc.Periods(ctx, d, *class, *sector)
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

func cmdImport(ctx context.Context, c *module.CLI, args []string) error {
	stdout := c.Stdout
	fs, resolve := c.Flags("credit import")
	dept := fs.String("department", "", "code of the deciding department, e.g. XC-SJJ")
	dry := fs.Bool("dry-run", false, "check only, write nothing")
	validOnly := fs.Bool("valid-only", false, "write the valid rows even when some rows are bad (default: all or nothing)")
	var file string
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return &module.ExitError{Code: 2}
	}
	if file == "" && fs.NArg() > 0 {
		file = fs.Arg(0)
	}
	if file == "" || *dept == "" {
		return &module.ExitError{Code: 2, Msg: creditUsage}
	}
	f, err := os.Open(file)
	if err != nil {
		return &module.ExitError{Code: 1, Msg: err.Error()}
	}
	defer f.Close()
	o, err := c.Open(ctx, fs, resolve, nil)
	if err != nil {
		return err
	}
	defer o.Close()
	svc, _ := module.Service[*credit.Service](o.Host, "credit")
	actx := auth.WithActor(ctx, auth.System("cli"))
	id, err := svc.DepartmentByCode(actx, *dept)
	if err != nil {
		return module.UserError(err)
	}
	opts := credit.ImportOptions{DepartmentID: id, DryRun: *dry, Mode: credit.ModeAllOrNothing}
	if *validOnly {
		opts.Mode = credit.ModeValidOnly
	}
	if st, err := f.Stat(); err == nil {
		opts.Size = st.Size()
	}
	opts.Progress = func(p importkit.Progress) { // long files only: every 1,000 rows on stderr
		if p.Total >= 2000 {
			fmt.Fprintf(c.Stderr, "read %d of about %d rows (%d%%)\n", p.Rows, p.Total, p.Percent())
		}
	}
	rep, err := svc.ImportRecords(actx, f, filepath.Base(file), opts)
	if err != nil {
		return module.UserError(err)
	}
	for _, e := range rep.Rows {
		col := e.Column
		if col == "" {
			col = "-"
		}
		fmt.Fprintf(stdout, "row %d\t%s\t%s / %s\n", e.Row, col, e.ZH, e.EN)
	}
	if rep.Truncated {
		fmt.Fprintf(stdout, "... %d problems in all, the first %d listed\n", rep.Errors, len(rep.Rows))
	}
	switch {
	case rep.Committed:
		fmt.Fprintf(stdout, "imported %d of %d rows (%d bad); %d repair notices delivered, %d grades recomputed; import #%d\n",
			rep.Created, rep.Total, rep.Bad, rep.Notices, rep.Regraded, rep.ImportID)
	case *dry:
		fmt.Fprintf(stdout, "checked %d rows: %d valid, %d bad; nothing written (dry run)\n", rep.Total, rep.Created, rep.Bad)
	default:
		fmt.Fprintf(stdout, "%d of %d rows are bad: nothing written (use --valid-only to write the %d valid rows)\n", rep.Bad, rep.Total, rep.Created)
	}
	if rep.Bad > 0 && !rep.Committed {
		return &module.ExitError{Code: 1}
	}
	return nil
}

var commands = []module.Command{
	{Name: "periods", Usage: "--decided DATE --class minor|general|serious [--sector S]   print the publicity window (\"min DATE\", \"max DATE\")", Run: cmdPeriods},
	{Name: "import", Usage: "FILE --department CODE [--dry-run] [--valid-only]   import credit records from .xlsx/.csv (exit 1 if refused)", Run: cmdImport},
}

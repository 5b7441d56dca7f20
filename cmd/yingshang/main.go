// Command yingshang runs the Yingshang platform and its administrative tasks.
//
//	yingshang serve [--demo]        run the web server (migrates first)
//	yingshang migrate               apply database migrations
//	yingshang demo                  load the demo data set
//	yingshang admin create          create or reset a platform admin
//	yingshang token create          issue an API token for a user
//	yingshang audit verify          verify the audit hash chain
//	yingshang calendar add|between|import|show
//	yingshang validate uscc CODE | idcard NUMBER
//	yingshang config                print the effective configuration (secrets masked)
//	yingshang version
//
// Every command accepts the same --data-dir and --database-url (and the
// other settings, also as YINGSHANG_* variables), so it works on the same
// database as the server.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"yingshang/internal/module"
)

// version is stamped at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// exitError carries a specific exit status.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		usage(stderr)
		return 2
	}
	var err error
	switch args[0] {
	case "serve":
		err = cmdServe(ctx, args[1:], stdout, stderr)
	case "migrate":
		err = cmdMigrate(ctx, args[1:], stdout, stderr)
	case "demo":
		err = cmdDemo(ctx, args[1:], stdout, stderr)
	case "admin":
		err = cmdAdmin(ctx, args[1:], stdout, stderr)
	case "token":
		err = cmdToken(ctx, args[1:], stdout, stderr)
	case "audit":
		err = cmdAudit(ctx, args[1:], stdout, stderr)
	case "calendar":
		err = cmdCalendar(ctx, args[1:], stdout, stderr)
	case "validate":
		err = cmdValidate(args[1:], stdout, stderr)
	case "config":
		err = cmdConfig(args[1:], stdout, stderr)
	case "version", "--version", "-v":
		fmt.Fprintln(stdout, "yingshang", version)
	case "help", "-h", "--help":
		usage(stdout)
	case "modules":
		err = cmdModules(args[1:], stdout, stderr)
	default:
		var ok bool
		if ok, err = runModuleCommand(ctx, args, stdout, stderr); !ok {
			fmt.Fprintf(stderr, "yingshang: unknown command %q\n\n", args[0])
			usage(stderr)
			return 2
		}
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) {
			if ee.msg != "" {
				fmt.Fprintln(stderr, ee.msg)
			}
			return ee.code
		}
		var me *module.ExitError
		if errors.As(err, &me) {
			if me.Msg != "" {
				fmt.Fprintln(stderr, me.Msg)
			}
			return me.Code
		}
		fmt.Fprintln(stderr, "yingshang:", err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprint(w, usageHead)
	moduleUsage(w)
	fmt.Fprint(w, usageTail)
}

const usageHead = `Yingshang (营商) business-environment platform

Usage: yingshang COMMAND [flags]

Commands:
  serve [--demo]                 run the web server (migrates the database first;
                                 --demo loads demo data and prints a login)
  migrate                        apply pending database migrations
  demo                           load the demo data set into the database
  admin create --username U [--password P]
                                 create a platform admin (or reset its password)
  token create --username U --name NAME [--days N]
                                 issue an API token (printed once)
  audit verify [--state] [--checkpoint F|URL]   verify the audit log (and the live state; exit 1 if broken)
  audit cosign --log URL --log-key K --state F  witness another installation's log (co-sign its checkpoint)
  calendar add --from DATE --days N
  calendar between --from DATE --to DATE
  calendar show --year YYYY      list holidays and adjusted working days
  calendar import FILE           import a year's holidays (.json or .csv)
  validate uscc CODE             check a unified social credit code
  validate idcard NUMBER         check a resident ID number
  config                         print the effective configuration, secrets masked
  modules                        list the business modules, which are on, and their commands
  version                        print the version
`

const usageTail = `
Every command takes --data-dir DIR and --database-url URL (and every other
setting; see 'yingshang config'), also as YINGSHANG_* environment variables.
`

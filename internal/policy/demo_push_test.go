package policy_test

import (
	"context"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/modules"
	"yingshang/internal/policy"
	"yingshang/internal/site/sitetest"
)

// TestDemoPushes: the demo leaves pushes for the dashboard and the
// enterprise's messages: some read, some unread, exactly one pushed
// again; pushes by tags; paid grants for the working days to money.
func TestDemoPushes(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		a, mods, _ := sitetest.Assemble(t, d)
		if _, err := demo.Load(context.Background(), a, mods); err != nil {
			t.Fatal(err)
		}
		svc := modules.Get[*policy.Service](mods)
		dash, err := svc.Dashboard(sitetest.System())
		fatal(t, err)
		p := dash.Push
		if p.Pushes == 0 || p.Reached == 0 || p.Read == 0 || p.Read >= p.Reached || p.Repushed != 1 {
			t.Errorf("demo pushes: %+v (want some read, some unread, one re-pushed)", p)
		}
		if dash.Tags.Pushed == 0 || dash.Tags.Percent == "—" {
			t.Errorf("demo pushes by tags: %+v", dash.Tags)
		}
		if dash.ToMoney.Grants == 0 || dash.ToMoney.Average == nil {
			t.Errorf("demo working days to money: %+v", dash.ToMoney)
		}
	})
}

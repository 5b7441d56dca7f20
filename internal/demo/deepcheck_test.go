package demo_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/demo"
	"yingshang/internal/site/sitetest"
)

// TestDeepCheck loads the demo, checks that the deep state check finds
// nothing, then makes the edits an insider with database access would
// make, each on its own, and checks that the deep check names the object.
func TestDeepCheck(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		ctx := context.Background()
		a, mods, _ := sitetest.Assemble(t, d)
		if _, err := demo.Load(ctx, a, mods); err != nil {
			t.Fatal(err)
		}
		// A second start resets the demo passwords: that is audited too.
		if _, err := demo.Load(ctx, a, mods); err != nil {
			t.Fatal(err)
		}
		supervisor := &auth.Actor{UserID: 1, Username: "sup", Roles: []auth.Role{auth.Supervisor}}
		res, err := a.Audit.CheckState(auth.WithActor(ctx, supervisor))
		if err != nil {
			t.Fatal(err)
		}
		if !res.OK || res.Objects < 3000 {
			t.Fatalf("deep check of the fresh demo: %d objects, %d issues, first %+v", res.Objects, len(res.Issues), res.Issues[:min(5, len(res.Issues))])
		}
		id := func(q string) string {
			var v any
			if err := d.Q(ctx).QueryRow(ctx, q).Scan(&v); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
			return fmt.Sprint(v)
		}
		entity := id("SELECT MIN(id) FROM entities")
		repaired := id("SELECT MIN(id) FROM credit_records WHERE status = 'published'")
		// The last published record that nothing else points at (notices,
		// repairs, commitments, assisted applications), so it can be deleted.
		deleted := id(`SELECT MAX(r.id) FROM credit_records r WHERE r.status = 'published'
			AND NOT EXISTS (SELECT 1 FROM credit_notices n WHERE n.record_id = r.id) AND NOT EXISTS (SELECT 1 FROM credit_repairs p WHERE p.record_id = r.id)
			AND NOT EXISTS (SELECT 1 FROM credit_commitments c WHERE c.record_id = r.id) AND NOT EXISTS (SELECT 1 FROM credit_assisted a WHERE a.record_id = r.id)`)
		sheet := id("SELECT MIN(sheet_id) FROM bideval_scores")
		project := id("SELECT MIN(project_id) FROM bideval_projects")
		bid := id("SELECT MAX(id) FROM bideval_bids WHERE project_id = (SELECT MIN(project_id) FROM bideval_projects)")
		appealID := id("SELECT MIN(id) FROM appeals")
		repair := id("SELECT MIN(id) FROM credit_repairs")
		user := id("SELECT MIN(u.id) FROM users u JOIN user_roles r ON r.user_id = u.id WHERE r.role = 'enterprise'")
		lic := id("SELECT MIN(id) FROM licenses WHERE status = 'active'")
		gone := id("SELECT MAX(id) FROM licenses WHERE id NOT IN (SELECT renewed_by_id FROM licenses WHERE renewed_by_id IS NOT NULL)")
		point := id("SELECT MIN(department_id) FROM credit_service_points")
		assisted := id("SELECT MIN(id) FROM credit_assisted")
		redList := id("SELECT MIN(id) FROM credit_lists WHERE status = 'published'")
		cases := []struct {
			name, kind, id, problem string
			sql                     []string
		}{
			{"entity name", "entity", entity, "changed", []string{"UPDATE entities SET name = name || '（改）' WHERE id = " + entity}},
			{"credit record repaired", "credit_record", repaired, "changed", []string{"UPDATE credit_records SET status = 'repaired' WHERE id = " + repaired}},
			{"credit record deleted", "credit_record", deleted, "deleted", []string{
				"DELETE FROM credit_record_versions WHERE record_id = " + deleted, "DELETE FROM credit_records WHERE id = " + deleted}},
			{"scores raised", "bideval_sheet", sheet, "changed", []string{"UPDATE bideval_scores SET points = points + 5 WHERE sheet_id = " + sheet}},
			{"award switched", "draw_project", project, "changed", []string{"UPDATE bideval_projects SET award_bid_id = " + bid + " WHERE project_id = " + project}},
			{"appeal closed", "appeal", appealID, "changed", []string{"UPDATE appeals SET state = 'closed', rating = 'satisfied' WHERE id = " + appealID}},
			{"repair approved", "credit_repair", repair, "changed", []string{"UPDATE credit_repairs SET status = 'approved', reason = 'ok' WHERE id = " + repair}},
			{"platform_admin given", "user", user, "changed", []string{"INSERT INTO user_roles (user_id, role) VALUES (" + user + ", 'platform_admin')"}},
			{"licence extended", "license", lic, "changed", []string{"UPDATE licenses SET expires_on = '2099-12-31' WHERE id = " + lic}},
			{"licence deleted", "license", gone, "deleted", []string{
				"DELETE FROM license_contacts WHERE license_id = " + gone, "DELETE FROM license_followups WHERE license_id = " + gone,
				"DELETE FROM license_reminders WHERE license_id = " + gone, "DELETE FROM licenses WHERE id = " + gone}},
			{"service point disabled", "credit_service_point", point, "changed", []string{"UPDATE credit_service_points SET active = FALSE WHERE department_id = " + point}},
			{"assisted application confirmed", "credit_assisted", assisted, "changed", []string{"UPDATE credit_assisted SET status = 'confirmed' WHERE id = " + assisted}},
			{"published list entry dropped", "credit_list", redList, "changed", []string{"DELETE FROM credit_list_entries WHERE list_id = " + redList +
				" AND entity_id = (SELECT MIN(entity_id) FROM credit_list_entries WHERE list_id = " + redList + ")"}},
			{"row inserted", "entity", "", "added", []string{`INSERT INTO entities (uscc, name, created_at, updated_at)
				SELECT '91411000MA00000X9Y', 'Inserted Ltd', created_at, updated_at FROM entities WHERE id = ` + entity}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				err := d.WithTx(ctx, func(ctx context.Context) error {
					for _, q := range c.sql {
						if _, err := d.Q(ctx).Exec(ctx, q); err != nil {
							return fmt.Errorf("%s: %w", q, err)
						}
					}
					// Checked inside the transaction, which then rolls back.
					res, err := a.Audit.CheckState(auth.WithActor(ctx, supervisor))
					if err != nil {
						return err
					}
					if res.OK || len(res.Issues) != 1 {
						return fmt.Errorf("want exactly one issue, got %+v", res.Issues)
					}
					is := res.Issues[0]
					if is.Kind != c.kind || is.Problem != c.problem || (c.id != "" && is.ID != c.id) || !strings.Contains(is.Reason, c.kind) {
						return fmt.Errorf("got %+v, want %s %s %s", is, c.problem, c.kind, c.id)
					}
					return errRollback
				})
				if err != errRollback {
					t.Fatal(err)
				}
			})
		}
	})
}

var errRollback = fmt.Errorf("rollback")

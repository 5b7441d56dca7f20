package bideval

import (
	"context"
	"strings"
	"testing"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
)

// TestBidFilesMoveToStore: bid files kept sealed in bideval_files by
// earlier versions move into the file store at start-up, once, still
// encrypted and with the hash on the bidders' receipts; the committee then
// reads them from the store.
func TestBidFilesMoveToStore(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		e := newEnv(t, d)
		pid, members := e.scored(t)
		ctx := context.Background()
		type row struct {
			id, fileID int64
			sha        string
		}
		var rows []row
		rs, err := d.Q(ctx).Query(ctx, "SELECT id, file_id, sha256 FROM bideval_files ORDER BY id")
		if err != nil {
			t.Fatal(err)
		}
		for rs.Next() {
			var r row
			if err := rs.Scan(&r.id, &r.fileID, &r.sha); err != nil {
				t.Fatal(err)
			}
			rows = append(rows, r)
		}
		rs.Close()
		if len(rows) < 6 { // three bids (the minimum for an evaluation), two parts each, some in two versions
			t.Fatalf("%d bid files, want at least 6", len(rows))
		}
		// Back to how an earlier version kept them: sealed in content_enc.
		for _, r := range rows {
			f, data, err := e.s.Files.Get(ctx, FileOwner, r.fileID)
			if err != nil || f.SHA256 != r.sha || !f.Encrypted {
				t.Fatalf("bid file %d in the store: %+v %v", r.id, f, err)
			}
			if _, err := d.W(ctx).Exec(ctx, "UPDATE bideval_files SET content_enc = $1, file_id = NULL WHERE id = $2", e.s.Keys.Encrypt(string(data)), r.id); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, _, err := e.s.TechnicalByCode(members[0], pid, "A01"); err == nil {
			t.Fatal("a file not yet moved was read")
		}
		if n, err := e.s.MoveFilesToStore(ctx); n != len(rows) || err != nil {
			t.Fatalf("moved %d: %v", n, err)
		}
		if n, err := e.s.MoveFilesToStore(ctx); n != 0 || err != nil {
			t.Fatalf("second run moved %d: %v", n, err)
		}
		var left int
		if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM bideval_files WHERE file_id IS NULL OR LENGTH(content_enc) > 0").Scan(&left); err != nil || left != 0 {
			t.Fatalf("%d rows not moved: %v", left, err)
		}
		for _, c := range []string{"A01", "A02"} {
			_, _, data, err := e.s.TechnicalByCode(members[0], pid, c)
			if err != nil || !strings.HasPrefix(string(data), "施工方案 ") {
				t.Fatalf("%s after the move: %q %v", c, data, err)
			}
		}
	})
}

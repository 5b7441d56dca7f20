package credit_test

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"yingshang/internal/credit"
	"yingshang/internal/filestore"
	"yingshang/internal/site/sitetest"
)

// TestRepairFilesInStore: repair evidence is kept in the file store,
// encrypted, and files kept in the old column by earlier versions move
// into it at start-up, once, keeping their hash.
func TestRepairFilesInStore(t *testing.T) {
	each(t, func(t *testing.T, env *sitetest.Env, svc *credit.Service) {
		a := env.Entities[sitetest.USCCA]
		sjj := staffCtx(env, "sjj-staff", "XC-SJJ")
		ent := entCtx(env, a)
		r, err := svc.Create(sjj, penalty(a, "2026-11-20", "general"))
		fatal(t, err)
		env.Clock.Set(time.Date(2027, 2, 22, 2, 0, 0, 0, time.UTC))
		receipt := credit.NewPDF("缴款凭证 receipt").Bytes()
		p, err := svc.Apply(ent, r.ID, credit.ApplyInput{Statement: "罚款已缴清", SignCommitment: true,
			Files: []credit.Upload{{Name: "缴款凭证.pdf", Data: receipt}, {Name: "整改报告.pdf", Data: credit.NewPDF("整改报告").Bytes()}}})
		fatal(t, err)
		d, sys := env.App.DB, sitetest.System()
		var encrypted, inColumn int
		fatal(t, d.Q(sys).QueryRow(sys, `SELECT COUNT(*) FROM credit_repair_files x JOIN files f ON f.id = x.file_id
			JOIN file_blobs b ON b.id = f.blob_id WHERE x.repair_id = $1 AND b.encrypted`, p.ID).Scan(&encrypted))
		fatal(t, d.Q(sys).QueryRow(sys, `SELECT COUNT(*) FROM credit_repair_files WHERE LENGTH(data) > 0`).Scan(&inColumn))
		if encrypted != 2 || inColumn != 0 {
			t.Fatalf("%d files encrypted in the store, %d still in the column", encrypted, inColumn)
		}
		// Put the first file back as an earlier version kept it, and break the second.
		id1, id2 := p.Files[0].ID, p.Files[1].ID
		_, err = d.W(sys).Exec(sys, "UPDATE credit_repair_files SET data = $1, file_id = NULL WHERE id = $2", receipt, id1)
		fatal(t, err)
		_, err = d.W(sys).Exec(sys, "UPDATE credit_repair_files SET data = $1, file_id = NULL WHERE id = $2", []byte("%PDF-1.4 not what was recorded"), id2)
		fatal(t, err)
		n, err := svc.MoveFilesToStore(sys)
		var left *filestore.Unmovable
		if n != 1 || !errors.As(err, &left) || len(left.Reasons) != 1 {
			t.Fatalf("moved %d: %v", n, err)
		}
		f, rc, err := svc.RepairFile(ent, p.ID, id1)
		fatal(t, err)
		got, err := io.ReadAll(rc)
		rc.Close()
		fatal(t, err)
		if !bytes.Equal(got, receipt) || f.SHA256 != p.Files[0].SHA256 {
			t.Fatalf("moved file reads %d bytes, sha256 %s", len(got), f.SHA256)
		}
		if n, err := svc.MoveFilesToStore(sys); n != 0 || !errors.As(err, &left) {
			t.Fatalf("second run moved %d: %v", n, err)
		}
	})
}

package appeal_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	"yingshang/internal/filestore"
	"yingshang/internal/site/sitetest"
	"yingshang/internal/yserr"
)

var onePixelPNG = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89")

// TestAttachmentsInStore: an attachment goes into the file store,
// encrypted (it is personal), refused by content and extension, and read
// back whole.
func TestAttachmentsInStore(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, "consult")
			att, err := f.svc.Attach(f.ctx["ent"], a.ID, "营业执照.png", bytes.NewReader(onePixelPNG))
			if err != nil {
				t.Fatal(err)
			}
			if att.MIME != filestore.PNG || att.Size != int64(len(onePixelPNG)) {
				t.Fatalf("attachment %+v", att)
			}
			// The bytes are in the database, encrypted; nothing on the disk.
			var enc bool
			d := f.env.App.DB
			if err := d.Q(f.ctx["ent"]).QueryRow(f.ctx["ent"], `SELECT b.encrypted FROM appeal_attachments x JOIN files f ON f.id = x.file_id
				JOIN file_blobs b ON b.id = f.blob_id WHERE x.id = $1`, att.ID).Scan(&enc); err != nil || !enc {
				t.Fatalf("attachment not in the store encrypted: %v %v", enc, err)
			}
			if _, err := os.Stat(filepath.Join(f.svc.DataDir, "attachments")); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("attachments directory written: %v", err)
			}
			got, rc, err := f.svc.OpenAttachment(f.ctx["ent"], att.ID)
			if err != nil {
				t.Fatal(err)
			}
			data, err := io.ReadAll(rc)
			rc.Close()
			if err != nil || !bytes.Equal(data, onePixelPNG) || got.SHA256 != att.SHA256 {
				t.Fatalf("read back %d bytes: %v", len(data), err)
			}
			for name, body := range map[string][]byte{"x.pdf": onePixelPNG, "x.png": []byte("<html><script>alert(1)</script>"), "x.exe": []byte("MZ\x90\x00")} {
				if _, err := f.svc.Attach(f.ctx["ent"], a.ID, name, bytes.NewReader(body)); !yserr.Is(err, yserr.Invalid) {
					t.Fatalf("%s accepted: %v", name, err)
				}
			}
			// Another enterprise's user cannot open it (appeal scope unchanged).
			if _, _, err := f.svc.OpenAttachment(f.ctx["wd-staff"], att.ID); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("out-of-scope read: %v", err)
			}
		})
	}
}

// TestMoveAttachmentsToStore: attachments written to the local disk by
// earlier versions move into the store at start-up, once, keeping their
// hash; files missing from this disk wait, files that changed stay.
func TestMoveAttachmentsToStore(t *testing.T) {
	for _, e := range engines {
		t.Run(string(e), func(t *testing.T) {
			f := newFixture(t, e)
			a := f.submit(t, "consult")
			ctx := sitetest.System()
			d := f.env.App.DB
			legacy := func(name string, data []byte, onDisk []byte) (int64, string) {
				sum := sha256.Sum256(data)
				hash := hex.EncodeToString(sum[:])
				var id int64
				if err := d.W(ctx).QueryRow(ctx, `INSERT INTO appeal_attachments (appeal_id, name, mime, size, sha256, created_at)
					VALUES ($1, $2, 'application/pdf', $3, $4, $5) RETURNING id`, a.ID, name, len(data), hash, time.Now()).Scan(&id); err != nil {
					t.Fatal(err)
				}
				if onDisk != nil {
					p := filepath.Join(f.svc.DataDir, "attachments", hash[:2], hash)
					if err := os.MkdirAll(filepath.Dir(p), 0o750); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(p, onDisk, 0o640); err != nil {
						t.Fatal(err)
					}
				}
				return id, hash
			}
			good := []byte("%PDF-1.4\n旧附件 old attachment\n%%EOF\n")
			okID, okHash := legacy("旧附件.pdf", good, good)
			missingID, _ := legacy("missing.pdf", []byte("%PDF-1.4\nelsewhere\n"), nil)
			changedID, changedHash := legacy("changed.pdf", []byte("%PDF-1.4\nas recorded\n"), []byte("%PDF-1.4\nchanged on disk\n"))

			n, err := f.svc.MoveFilesToStore(ctx)
			var left *filestore.Unmovable
			if n != 1 || !errors.As(err, &left) || len(left.Reasons) != 1 {
				t.Fatalf("moved %d, err %v", n, err)
			}
			att, rc, err := f.svc.OpenAttachment(f.ctx["ent"], okID)
			if err != nil {
				t.Fatal(err)
			}
			data, _ := io.ReadAll(rc)
			rc.Close()
			if !bytes.Equal(data, good) || att.SHA256 != okHash {
				t.Fatalf("moved attachment reads %q (sha256 %s)", data, att.SHA256)
			}
			if _, err := os.Stat(filepath.Join(f.svc.DataDir, "attachments", okHash[:2], okHash)); !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the disk copy of a moved attachment is still there: %v", err)
			}
			if _, err := os.Stat(filepath.Join(f.svc.DataDir, "attachments", okHash[:2])); okHash[:2] != changedHash[:2] && !errors.Is(err, os.ErrNotExist) {
				t.Fatalf("the emptied directory is still there: %v", err)
			}
			if _, err := os.Stat(filepath.Join(f.svc.DataDir, "attachments", changedHash[:2], changedHash)); err != nil {
				t.Fatalf("a changed file was removed: %v", err)
			}
			for _, id := range []int64{missingID, changedID} {
				if _, _, err := f.svc.OpenAttachment(f.ctx["ent"], id); !yserr.Is(err, yserr.Unavailable) {
					t.Fatalf("attachment %d not moved should be unavailable: %v", id, err)
				}
			}
			// Idempotent: nothing more to move.
			if n, err := f.svc.MoveFilesToStore(ctx); n != 0 || !errors.As(err, &left) {
				t.Fatalf("second run moved %d: %v", n, err)
			}
			var files int
			if err := d.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM files WHERE owner = 'appeal'").Scan(&files); err != nil || files != 1 {
				t.Fatalf("%d store files after two runs: %v", files, err)
			}
		})
	}
}

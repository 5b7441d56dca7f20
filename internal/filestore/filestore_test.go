package filestore_test

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/db/dbtest"
	"yingshang/internal/filestore"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

var ctx = context.Background()

func newStore(t testing.TB, d *db.DB) *filestore.Store {
	t.Helper()
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	return filestore.New(d, keys, func() time.Time { return time.Date(2026, 12, 5, 8, 0, 0, 0, time.UTC) })
}

func pdf(body string) []byte { return []byte("%PDF-1.7\n" + body + "\n%%EOF\n") }

func hexSum(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

var opt = filestore.Options{MaxBytes: 4 << 20, Allowed: []string{filestore.PDF, filestore.PNG, filestore.Text}}

func count(t *testing.T, d *db.DB, q string, args ...any) int {
	t.Helper()
	var n int
	if err := d.Q(ctx).QueryRow(ctx, q, args...).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRoundTrip(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		// Larger than three chunks, so the chunking is exercised.
		big := bytes.Repeat([]byte("营商环境 business environment\n"), 3*filestore.ChunkSize/30)
		for _, c := range []struct {
			name    string
			data    []byte
			encrypt bool
		}{{"决定书.pdf", pdf("decision"), false}, {"notes.txt", big, false}, {"sealed.txt", big, true}} {
			o := opt
			o.Encrypt = c.encrypt
			f, err := s.Put(ctx, "appeal", c.name, "", bytes.NewReader(c.data), o)
			if err != nil {
				t.Fatalf("%s: %v", c.name, err)
			}
			if f.ID == 0 || f.Size != int64(len(c.data)) || f.SHA256 != hexSum(c.data) || f.Name != c.name || f.Encrypted != c.encrypt {
				t.Fatalf("%s: ref %+v", c.name, f)
			}
			st, err := s.Stat(ctx, "appeal", f.ID)
			if err != nil || st.SHA256 != f.SHA256 || st.MediaType != f.MediaType || st.Size != f.Size || st.Encrypted != c.encrypt {
				t.Fatalf("%s: stat %+v %v", c.name, st, err)
			}
			_, got, err := s.Get(ctx, "appeal", f.ID)
			if err != nil || !bytes.Equal(got, c.data) {
				t.Fatalf("%s: read back %d bytes, %v", c.name, len(got), err)
			}
			// Streaming in small reads gives the same bytes.
			_, rc, err := s.Open(ctx, "appeal", f.ID)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			if _, err := io.CopyBuffer(&buf, struct{ io.Reader }{rc}, make([]byte, 1000)); err != nil || !bytes.Equal(buf.Bytes(), c.data) {
				t.Fatalf("%s: streamed %d bytes, %v", c.name, buf.Len(), err)
			}
			// Another module cannot read it by id.
			if _, err := s.Stat(ctx, "credit", f.ID); !yserr.Is(err, yserr.NotFound) {
				t.Fatalf("%s: other owner: %v", c.name, err)
			}
		}
		if n := count(t, d, "SELECT COUNT(*) FROM file_chunks c JOIN file_blobs b ON b.id = c.blob_id WHERE b.size > $1", 3*filestore.ChunkSize-100); n < 8 {
			t.Fatalf("big blobs stored in %d chunks, want at least 4 each", n)
		}
	})
}

func TestDedupAndDelete(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		data := pdf("same content")
		a, err := s.Put(ctx, "appeal", "a.pdf", "application/pdf", bytes.NewReader(data), opt)
		if err != nil {
			t.Fatal(err)
		}
		b, err := s.Put(ctx, "credit", "b.pdf", "", bytes.NewReader(data), opt)
		if err != nil {
			t.Fatal(err)
		}
		enc := opt
		enc.Encrypt = true
		c, err := s.Put(ctx, "bideval", "c.pdf", "", bytes.NewReader(data), enc)
		if err != nil {
			t.Fatal(err)
		}
		if a.ID == b.ID || b.ID == c.ID {
			t.Fatal("files must be distinct")
		}
		// One plain blob with two references, one encrypted blob.
		if n := count(t, d, "SELECT COUNT(*) FROM file_blobs"); n != 2 {
			t.Fatalf("%d blobs, want 2 (plain and encrypted)", n)
		}
		if n := count(t, d, "SELECT refs FROM file_blobs WHERE address = $1", "sha256:"+hexSum(data)); n != 2 {
			t.Fatalf("plain blob refs %d, want 2", n)
		}
		if err := s.Delete(ctx, "credit", a.ID); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("delete by another owner: %v", err)
		}
		if err := s.Delete(ctx, "appeal", a.ID); err != nil {
			t.Fatal(err)
		}
		if _, got, err := s.Get(ctx, "credit", b.ID); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("the other file of the blob: %v", err)
		}
		if _, err := s.Stat(ctx, "appeal", a.ID); !yserr.Is(err, yserr.NotFound) {
			t.Fatalf("deleted file: %v", err)
		}
		if err := s.Delete(ctx, "credit", b.ID); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "bideval", c.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(t, d, "SELECT COUNT(*) FROM file_blobs") + count(t, d, "SELECT COUNT(*) FROM file_chunks"); n != 0 {
			t.Fatalf("%d blob/chunk rows left after the last delete", n)
		}
		// Stored again after the blob was removed: a new blob.
		if _, err := s.Put(ctx, "appeal", "a.pdf", "", bytes.NewReader(data), opt); err != nil {
			t.Fatal(err)
		}
	})
}

func TestRefusals(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	s := newStore(t, d)
	exe := append([]byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff"), bytes.Repeat([]byte{0}, 200)...)
	png := []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00")
	for _, c := range []struct {
		why, name, declared string
		data                []byte
		opt                 filestore.Options
		code                yserr.Code
	}{
		{"an executable named .pdf", "invoice.pdf", "application/pdf", exe, opt, yserr.Invalid},
		{"an executable with no type list", "setup.pdf", "", exe, filestore.Options{MaxBytes: 1 << 20}, yserr.Invalid},
		{"a PNG named .pdf", "scan.pdf", "", png, opt, yserr.Invalid},
		{"a PDF declared as an image", "a.pdf", "image/png", pdf("x"), opt, yserr.Invalid},
		{"a type not allowed", "a.gif", "", []byte("GIF89a\x01\x00\x01\x00"), opt, yserr.Invalid},
		{"empty", "a.pdf", "", nil, opt, yserr.Invalid},
		{"one byte over the limit", "a.txt", "", bytes.Repeat([]byte("a"), 1025), filestore.Options{MaxBytes: 1024}, yserr.TooLarge},
	} {
		_, err := s.Put(ctx, "appeal", c.name, c.declared, bytes.NewReader(c.data), c.opt)
		if !yserr.Is(err, c.code) {
			t.Errorf("%s: got %v, want %s", c.why, err, c.code)
		}
		if e := yserr.As(err); e != nil && e.Field != "file" {
			t.Errorf("%s: field %q", c.why, e.Field)
		}
	}
	// Exactly at the limit is accepted.
	if _, err := s.Put(ctx, "appeal", "a.txt", "text/plain", bytes.NewReader(bytes.Repeat([]byte("a"), 1024)), filestore.Options{MaxBytes: 1024}); err != nil {
		t.Fatal(err)
	}
	if n := count(t, d, "SELECT COUNT(*) FROM files"); n != 1 {
		t.Fatalf("%d files stored, want only the accepted one", n)
	}
}

func TestEncryptedAtRest(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		s := newStore(t, d)
		secretText := []byte("身份证号 11010519491231002X phone 13800138000 sealed price 1234567.89")
		f, err := s.Put(ctx, "bideval", "bid.txt", "", bytes.NewReader(secretText), filestore.Options{MaxBytes: 1 << 20, Encrypt: true})
		if err != nil {
			t.Fatal(err)
		}
		rows, err := d.Q(ctx).Query(ctx, "SELECT data FROM file_chunks")
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var b []byte
			if err := rows.Scan(&b); err != nil {
				t.Fatal(err)
			}
			if bytes.Contains(b, []byte("11010519491231002X")) || bytes.Contains(b, []byte("sealed price")) {
				t.Fatal("the stored chunk contains the plaintext")
			}
		}
		// Neither the address nor the file row reveals the plaintext hash.
		var addr, sha string
		if err := d.Q(ctx).QueryRow(ctx, "SELECT b.address, f.sha256 FROM files f JOIN file_blobs b ON b.id = f.blob_id WHERE f.id = $1", f.ID).Scan(&addr, &sha); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(addr, f.SHA256) || sha != "" || !strings.HasPrefix(addr, "hmac:") {
			t.Fatalf("address %q / sha256 %q reveal the hash", addr, sha)
		}
		// A changed chunk is refused, not returned.
		if _, err := d.W(ctx).Exec(ctx, "UPDATE file_chunks SET data = $1", []byte("k1.0123456789abcdefghijklmnopqrstuvwxyz")); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, "bideval", f.ID); err == nil {
			t.Fatal("a tampered encrypted chunk was read")
		}
	})
}

func TestTamperedPlainBlob(t *testing.T) {
	d := dbtest.New(t, db.SQLite)
	s := newStore(t, d)
	f, err := s.Put(ctx, "appeal", "a.pdf", "", bytes.NewReader(pdf("original")), opt)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := d.W(ctx).Exec(ctx, "UPDATE file_chunks SET data = $1", pdf("changed!")); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Get(ctx, "appeal", f.ID); err == nil || !strings.Contains(err.Error(), "does not match") {
		t.Fatalf("tampered plain blob: %v", err)
	}
}

// TestTwoInstances runs two application instances (two connection pools)
// on one PostgreSQL: what one stores, the other reads, including
// encrypted files (the instances share the keyring, as deployed).
func TestTwoInstances(t *testing.T) {
	u, err := dbtest.NewPostgresURL(t)
	if err != nil {
		t.Skipf("PostgreSQL unavailable: %v", err)
	}
	keys, err := secret.Parse("k1:" + secret.NewKey())
	if err != nil {
		t.Fatal(err)
	}
	open := func() *filestore.Store {
		d, err := db.Open(ctx, u, "")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(d.Close)
		return filestore.New(d, keys, nil)
	}
	one, two := open(), open()
	data := bytes.Repeat([]byte("两个实例 two instances\n"), filestore.ChunkSize/10)
	for _, enc := range []bool{false, true} {
		o := opt
		o.Encrypt = enc
		f, err := one.Put(ctx, "appeal", "shared.txt", "", bytes.NewReader(data), o)
		if err != nil {
			t.Fatal(err)
		}
		g, got, err := two.Get(ctx, "appeal", f.ID)
		if err != nil || !bytes.Equal(got, data) || g.SHA256 != f.SHA256 {
			t.Fatalf("encrypted=%v: the second instance read %d bytes: %v", enc, len(got), err)
		}
		// The second instance stores the same content: deduplicated.
		h, err := two.Put(ctx, "credit", "again.txt", "", bytes.NewReader(data), o)
		if err != nil {
			t.Fatal(err)
		}
		if err := one.Delete(ctx, "appeal", f.ID); err != nil {
			t.Fatal(err)
		}
		if _, got, err := one.Get(ctx, "credit", h.ID); err != nil || !bytes.Equal(got, data) {
			t.Fatalf("encrypted=%v: after the first file's delete: %v", enc, err)
		}
	}
	if n := count(t, one.DB, "SELECT COUNT(*) FROM file_blobs"); n != 2 {
		t.Fatalf("%d blobs, want 2", n)
	}
	// Both instances store the same new content at the same time: they
	// meet on the address and keep one blob with every reference.
	same := pdf("stored by both instances at once")
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := range 16 {
		s := one
		if i%2 == 1 {
			s = two
		}
		wg.Go(func() {
			_, err := s.Put(ctx, "appeal", "same.pdf", "", bytes.NewReader(same), opt)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := count(t, one.DB, "SELECT refs FROM file_blobs WHERE address = $1", "sha256:"+hexSum(same)); n != 16 {
		t.Fatalf("refs %d, want 16", n)
	}
	if n := count(t, one.DB, "SELECT COUNT(*) FROM file_chunks c JOIN file_blobs b ON b.id = c.blob_id WHERE b.address = $1", "sha256:"+hexSum(same)); n != 1 {
		t.Fatalf("%d chunks for a one-chunk file", n)
	}
}

func docx(t *testing.T, parts ...string) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte("<x/>"))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestDetect(t *testing.T) {
	for _, c := range []struct {
		name string
		data []byte
		want string
	}{
		{"a.pdf", pdf("x"), filestore.PDF},
		{"a.jpg", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), filestore.JPEG},
		{"a.gif", []byte("GIF87a\x01\x00"), filestore.GIF},
		{"a.webp", []byte("RIFF\x10\x00\x00\x00WEBPVP8 "), filestore.WebP},
		{"a.mp4", []byte("\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom"), filestore.MP4},
		{"a.heic", []byte("\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic"), filestore.HEIC},
		{"a.docx", docx(t, "[Content_Types].xml", "word/document.xml"), filestore.DOCX},
		{"a.xlsx", docx(t, "[Content_Types].xml", "xl/workbook.xml"), filestore.XLSX},
		{"a.zip", docx(t, "word/document.xml"), filestore.ZIP},
		{"a.txt", []byte("中文 text\n"), filestore.Text},
		{"a.csv", []byte("a,b\n1,2\n"), filestore.CSV},
		{"a.txt", []byte("\xff\xfeh\x00i\x00"), filestore.Text},
		{"a.exe", []byte("MZ\x90\x00"), filestore.EXE},
		{"a.bin", []byte("\x00\x01\x02\x03binary"), filestore.Octet},
	} {
		if got := filestore.Detect(c.data, c.name); got != c.want {
			t.Errorf("%s: %s, want %s", c.name, got, c.want)
		}
		if c.want != filestore.Octet && c.want != filestore.EXE && !filestore.ExtensionMatches(c.name, c.want) {
			t.Errorf("%s: extension does not match %s", c.name, c.want)
		}
	}
	if filestore.ExtensionMatches("a.pdf", filestore.DOCX) || !filestore.ExtensionMatches("A.PDF", filestore.PDF) {
		t.Error("extension matching")
	}
	if got := filestore.CleanName(`C:\Users\x\..\报告` + "\x00" + `.pdf`); got != "报告.pdf" {
		t.Errorf("clean name %q", got)
	}
}

// TestReseal: after a key rotation, Reseal moves every encrypted blob to
// the new key, and the old key can then leave the ring.
func TestReseal(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, d *db.DB) {
		old, next := "old:"+secret.NewKey(), "new:"+secret.NewKey()
		ring := func(spec string) *filestore.Store {
			k, err := secret.Parse(spec)
			if err != nil {
				t.Fatal(err)
			}
			return filestore.New(d, k, nil)
		}
		before := ring(old)
		data := bytes.Repeat([]byte("密封 sealed\n"), filestore.ChunkSize/8)
		f, err := before.Put(ctx, "bideval", "bid.txt", "", bytes.NewReader(data), filestore.Options{MaxBytes: 1 << 20, Encrypt: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := before.Put(ctx, "appeal", "plain.txt", "", bytes.NewReader(data), filestore.Options{MaxBytes: 1 << 20}); err != nil {
			t.Fatal(err)
		}
		rotated := ring(next + "," + old)
		if n, err := rotated.Reseal(ctx); n != 1 || err != nil {
			t.Fatalf("resealed %d: %v", n, err)
		}
		if n, err := rotated.Reseal(ctx); n != 0 || err != nil {
			t.Fatalf("second reseal changed %d: %v", n, err)
		}
		g, got, err := ring(next).Get(ctx, "bideval", f.ID)
		if err != nil || !bytes.Equal(got, data) || g.SHA256 != f.SHA256 {
			t.Fatalf("read with the new key only: %v", err)
		}
		if _, _, err := before.Get(ctx, "bideval", f.ID); err == nil {
			t.Fatal("the old key alone still reads the resealed blob")
		}
	})
}

package filestore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// Upload is a checked file, not yet stored: Check reads and checks it
// before the caller's transaction, Save stores it inside.
type Upload struct {
	File
	data []byte
}

// Put checks and stores the content of r as a file of owner (the module
// name) called name: Check, then Save.
func (s *Store) Put(ctx context.Context, owner, name, declared string, r io.Reader, opt Options) (*File, error) {
	u, err := s.Check(name, declared, r, opt)
	if err != nil {
		return nil, err
	}
	return s.Save(ctx, owner, u)
}

// Check reads r (at most opt.MaxBytes) and checks it: not empty, within
// the limit, a type decided by the content that opt.Allowed accepts (never
// an executable), a name whose extension agrees, and a declared type
// (the client's Content-Type, "" when not known) that names the same type.
// Modules call it before their transaction, so that a slow upload never
// holds a write lock.
func (s *Store) Check(name, declared string, r io.Reader, opt Options) (*Upload, error) {
	if opt.MaxBytes <= 0 {
		return nil, errors.New("filestore: Options.MaxBytes is required")
	}
	field := opt.Field
	if field == "" {
		field = "file"
	}
	name = CleanName(name)
	data, err := io.ReadAll(io.LimitReader(r, opt.MaxBytes+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if int64(len(data)) > opt.MaxBytes {
		e := yserr.Newf(yserr.TooLarge, "文件 %s 过大（最大 %s）", "the file %s is too large (at most %s)", name, sizeText(opt.MaxBytes))
		e.Field = field
		return nil, e
	}
	if len(data) == 0 {
		return nil, yserr.Field(field, "文件 "+name+" 是空的", "the file "+name+" is empty")
	}
	mt := Detect(data, name)
	if slices.Contains(executables, mt) || len(opt.Allowed) > 0 && !slices.Contains(opt.Allowed, mt) {
		return nil, yserr.Field(field, "不接受文件 "+name+" 的类型（"+mt+"），可接受："+typesText(opt.Allowed),
			"the type of "+name+" ("+mt+") is not accepted; accepted: "+typesText(opt.Allowed))
	}
	if !ExtensionMatches(name, mt) {
		return nil, yserr.Field(field, "文件 "+name+" 的扩展名与内容（"+mt+"）不符",
			"the extension of "+name+" does not match its content ("+mt+")")
	}
	if !declaredAgrees(declared, mt) {
		return nil, yserr.Field(field, "文件 "+name+" 声明的类型 "+declared+" 与内容（"+mt+"）不符",
			"the declared type of "+name+" ("+declared+") does not match its content ("+mt+")")
	}
	return Trusted(name, mt, data, opt.Encrypt), nil
}

// Trusted wraps content the platform made or checked before (generated
// PDFs, files moved in from an older storage) for Save, unchecked: its
// media type is taken as given.
func Trusted(name, mediaType string, data []byte, encrypt bool) *Upload {
	sum := sha256.Sum256(data)
	return &Upload{File: File{Name: CleanName(name), MediaType: mediaType, Size: int64(len(data)),
		SHA256: hex.EncodeToString(sum[:]), Encrypted: encrypt}, data: data}
}

// Data is the checked content.
func (u *Upload) Data() []byte { return u.data }

// Save stores a checked upload as a file of owner (the module name). It
// joins the transaction in ctx, so the file and the owning module's row
// that refers to it commit together.
func (s *Store) Save(ctx context.Context, owner string, u *Upload) (*File, error) {
	f := u.File
	f.Owner, f.ID, f.CreatedAt = owner, 0, s.Now().UTC()
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		blobID, err := s.blob(ctx, &f, u.data)
		if err != nil {
			return err
		}
		stored := f.SHA256
		if f.Encrypted {
			stored = ""
		}
		return s.DB.W(ctx).QueryRow(ctx, `INSERT INTO files (blob_id, owner, name, media_type, size, sha256, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, blobID, owner, f.Name, f.MediaType, f.Size, stored, f.CreatedAt).Scan(&f.ID)
	})
	if err != nil {
		return nil, err
	}
	return &f, nil
}

// address is the blob's content address in its encryption class.
func (s *Store) address(sha string, encrypted bool) string {
	if encrypted {
		return "hmac:" + s.Keys.Index("filestore blob v1 "+sha)
	}
	return "sha256:" + sha
}

// blob returns the id of the blob holding data, taking a reference: the
// existing one when the same content is already stored in the same class,
// or a new one. Two instances storing the same content at once meet on
// the address's unique constraint.
func (s *Store) blob(ctx context.Context, f *File, data []byte) (int64, error) {
	addr := s.address(f.SHA256, f.Encrypted)
	q := s.DB.W(ctx)
	for range 3 {
		var id int64
		err := q.QueryRow(ctx, "UPDATE file_blobs SET refs = refs + 1 WHERE address = $1 RETURNING id", addr).Scan(&id)
		if err == nil {
			return id, nil
		}
		if !db.IsNoRows(err) {
			return 0, err
		}
		chunks := (len(data) + ChunkSize - 1) / ChunkSize
		var digest []byte
		if f.Encrypted {
			digest = s.Keys.Seal([]byte(f.SHA256), []byte(addr+"/digest"))
		}
		err = q.QueryRow(ctx, `INSERT INTO file_blobs (address, encrypted, size, chunks, digest_enc, refs, created_at)
			VALUES ($1, $2, $3, $4, $5, 1, $6) ON CONFLICT (address) DO NOTHING RETURNING id`,
			addr, f.Encrypted, f.Size, chunks, digest, f.CreatedAt).Scan(&id)
		if db.IsNoRows(err) {
			continue // stored meanwhile by another transaction: take a reference
		}
		if err != nil {
			return 0, err
		}
		for i := range chunks {
			part := data[i*ChunkSize : min(len(data), (i+1)*ChunkSize)]
			if f.Encrypted {
				part = s.Keys.Seal(part, chunkAD(addr, i, chunks))
			}
			if _, err := q.Exec(ctx, "INSERT INTO file_chunks (blob_id, seq, data) VALUES ($1, $2, $3)", id, i, part); err != nil {
				return 0, err
			}
		}
		return id, nil
	}
	return 0, fmt.Errorf("filestore: blob %s kept changing while it was stored", addr)
}

func chunkAD(addr string, seq, chunks int) []byte {
	return []byte(addr + "/" + strconv.Itoa(seq) + "/" + strconv.Itoa(chunks))
}

// stat reads a file's row and its blob's.
type stat struct {
	File
	blobID  int64
	address string
	chunks  int
}

func (s *Store) stat(ctx context.Context, owner string, id int64) (*stat, error) {
	var st stat
	var digest []byte
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT f.id, f.owner, f.name, f.media_type, f.size, f.sha256, f.created_at,
			b.id, b.address, b.encrypted, b.chunks, b.digest_enc
		FROM files f JOIN file_blobs b ON b.id = f.blob_id WHERE f.id = $1`, id).
		Scan(&st.ID, &st.Owner, &st.Name, &st.MediaType, &st.Size, &st.SHA256, &st.CreatedAt,
			&st.blobID, &st.address, &st.Encrypted, &st.chunks, &digest)
	if db.IsNoRows(err) || err == nil && st.Owner != owner {
		return nil, yserr.ErrNotFound("文件", "file")
	}
	if err != nil {
		return nil, err
	}
	if st.Encrypted {
		sha, err := s.Keys.Open(digest, []byte(st.address+"/digest"))
		if err != nil {
			return nil, fmt.Errorf("file %d: digest: %w", id, err)
		}
		st.SHA256 = string(sha)
	}
	return &st, nil
}

// Stat returns a file's metadata.
func (s *Store) Stat(ctx context.Context, owner string, id int64) (*File, error) {
	st, err := s.stat(ctx, owner, id)
	if err != nil {
		return nil, err
	}
	return &st.File, nil
}

// Open returns a file's metadata and a reader of its content, fetched
// chunk by chunk. The reader verifies the content (its hash, or the
// authentication of every encrypted chunk) and fails at the end rather
// than return bytes that were changed in storage.
func (s *Store) Open(ctx context.Context, owner string, id int64) (*File, io.ReadCloser, error) {
	st, err := s.stat(ctx, owner, id)
	if err != nil {
		return nil, nil, err
	}
	return &st.File, &reader{s: s, ctx: ctx, st: st, sum: sha256.New()}, nil
}

// Get returns a file's metadata and its whole content.
func (s *Store) Get(ctx context.Context, owner string, id int64) (*File, []byte, error) {
	f, rc, err := s.Open(ctx, owner, id)
	if err != nil {
		return nil, nil, err
	}
	defer rc.Close()
	data, err := io.ReadAll(rc)
	if err != nil {
		return nil, nil, err
	}
	return f, data, nil
}

// Delete removes a file; the blob goes with its last file.
func (s *Store) Delete(ctx context.Context, owner string, id int64) error {
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		q := s.DB.W(ctx)
		var blobID int64
		err := q.QueryRow(ctx, "DELETE FROM files WHERE id = $1 AND owner = $2 RETURNING blob_id", id, owner).Scan(&blobID)
		if db.IsNoRows(err) {
			return yserr.ErrNotFound("文件", "file")
		}
		if err != nil {
			return err
		}
		var refs int64
		if err := q.QueryRow(ctx, "UPDATE file_blobs SET refs = refs - 1 WHERE id = $1 RETURNING refs", blobID).Scan(&refs); err != nil {
			return err
		}
		if refs > 0 {
			return nil
		}
		if _, err := q.Exec(ctx, "DELETE FROM file_chunks WHERE blob_id = $1", blobID); err != nil {
			return err
		}
		_, err = q.Exec(ctx, "DELETE FROM file_blobs WHERE id = $1", blobID)
		return err
	})
}

type reader struct {
	s   *Store
	ctx context.Context
	st  *stat
	seq int
	buf []byte
	n   int64
	sum hash.Hash
	err error
}

func (r *reader) Read(p []byte) (int, error) {
	for len(r.buf) == 0 {
		if r.err != nil {
			return 0, r.err
		}
		if r.seq == r.st.chunks {
			r.err = io.EOF
			continue
		}
		var part []byte
		err := r.s.DB.Q(r.ctx).QueryRow(r.ctx, "SELECT data FROM file_chunks WHERE blob_id = $1 AND seq = $2", r.st.blobID, r.seq).Scan(&part)
		if err != nil {
			r.err = fmt.Errorf("file %d: chunk %d: %w", r.st.ID, r.seq, err)
			continue
		}
		if r.st.Encrypted {
			if part, err = r.s.Keys.Open(part, chunkAD(r.st.address, r.seq, r.st.chunks)); err != nil {
				r.err = fmt.Errorf("file %d: chunk %d: %w", r.st.ID, r.seq, err)
				continue
			}
		}
		r.seq++
		r.n += int64(len(part))
		r.sum.Write(part)
		if r.seq == r.st.chunks {
			// The last chunk is held back until the whole content checks out.
			if err := r.verify(); err != nil {
				r.err = err
				continue
			}
		}
		r.buf = part
	}
	n := copy(p, r.buf)
	r.buf = r.buf[n:]
	return n, nil
}

// verify checks the whole content once the last chunk is read.
func (r *reader) verify() error {
	got := hex.EncodeToString(r.sum.Sum(nil))
	if r.n != r.st.Size || got != r.st.SHA256 {
		return fmt.Errorf("file %d: stored content does not match its hash (%d bytes, sha256 %s)", r.st.ID, r.n, got)
	}
	return nil
}

func (r *reader) Close() error { return nil }

// CleanName keeps the last path element of a client's file name, without
// control characters, at most 120 characters.
func CleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, strings.TrimSpace(name))
	if name == "" || name == "." || name == "/" || name == ".." {
		name = "file"
	}
	if utf8.RuneCountInString(name) > 120 {
		ext := filepath.Ext(name)
		if utf8.RuneCountInString(ext) > 16 {
			ext = ""
		}
		name = string([]rune(strings.TrimSuffix(name, ext))[:120-utf8.RuneCountInString(ext)]) + ext
	}
	return name
}

func sizeText(n int64) string {
	if n >= 1<<20 && n%(1<<20) == 0 {
		return strconv.FormatInt(n>>20, 10) + " MB"
	}
	if n >= 1<<10 {
		return strconv.FormatInt(n>>10, 10) + " KB"
	}
	return strconv.FormatInt(n, 10) + " B"
}

var typeNames = map[string]string{PDF: "PDF", PNG: "PNG", JPEG: "JPEG", GIF: "GIF", WebP: "WebP", ZIP: "ZIP",
	DOCX: "DOCX", XLSX: "XLSX", PPTX: "PPTX", MP4: "MP4", Text: "TXT", CSV: "CSV"}

func typesText(types []string) string {
	if len(types) == 0 {
		return "*"
	}
	var b bytes.Buffer
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		if n, ok := typeNames[t]; ok {
			b.WriteString(n)
		} else {
			b.WriteString(t)
		}
	}
	return b.String()
}

package appeal

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/filestore"
	"yingshang/internal/yserr"
)

// FileOwner names the appeal module's files in the shared file store.
const FileOwner = "appeal"

// AllowedTypes are the attachment types, decided by the content (and the
// name's extension must agree).
var AllowedTypes = []string{filestore.JPEG, filestore.PNG, filestore.GIF, filestore.WebP, filestore.PDF}

// Attach stores a file for an appeal the caller may see and act on (its
// enterprise, intake, the office or a handling department). Attachments
// carry personal data, so the file store keeps them encrypted.
func (s *Service) Attach(ctx context.Context, appealID int64, name string, r io.Reader) (*Attachment, error) {
	a, err := s.Get(ctx, appealID)
	if err != nil {
		return nil, err
	}
	if !a.Open() {
		return nil, yserr.New(yserr.Conflict, "诉求已办结，不能再添加附件", "the appeal is closed: no more attachments")
	}
	st, err := s.Settings(ctx)
	if err != nil {
		return nil, err
	}
	// Pictures and PDF up to MaxAttachmentBytes; video (MP4/H.264) and
	// voice notes up to MaxMediaBytes (media.go).
	data, err := io.ReadAll(io.LimitReader(r, max(st.MaxAttachmentBytes, st.MaxMediaBytes)+1))
	if err != nil {
		return nil, err
	}
	up, err := s.Files.Check(name, "", bytes.NewReader(data), filestore.Options{MaxBytes: max(st.MaxAttachmentBytes, st.MaxMediaBytes),
		Allowed: append(slices.Clone(AllowedTypes), MediaTypes...), Encrypt: true})
	if err != nil {
		return nil, err
	}
	if err := checkMedia(up.MediaType, data, up.Name, st); err != nil {
		return nil, err
	}
	att := &Attachment{AppealID: a.ID, Name: up.Name, MIME: up.MediaType, Size: up.Size, SHA256: up.SHA256, CreatedAt: s.now()}
	actor := auth.From(ctx)
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		f, err := s.Files.Save(ctx, FileOwner, up)
		if err != nil {
			return err
		}
		if err := s.DB.W(ctx).QueryRow(ctx, `INSERT INTO appeal_attachments (appeal_id, name, mime, size, sha256, uploaded_by, created_at, file_id)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id`, a.ID, att.Name, att.MIME, att.Size, att.SHA256, nullID(actor.UserID), att.CreatedAt, f.ID).Scan(&att.ID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "appeal.attach", "appeal", strconv.FormatInt(a.ID, 10), nil, map[string]any{"name": att.Name, "sha256": att.SHA256, "size": att.Size}, "")
	})
	if err != nil {
		return nil, err
	}
	return att, nil
}

// Attachments lists an appeal's files.
func (s *Service) Attachments(ctx context.Context, appealID int64) ([]Attachment, error) {
	if _, err := s.Get(ctx, appealID); err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, appeal_id, name, mime, size, sha256, created_at FROM appeal_attachments
		WHERE appeal_id = $1 ORDER BY id`, appealID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Attachment
	for rows.Next() {
		var t Attachment
		if err := rows.Scan(&t.ID, &t.AppealID, &t.Name, &t.MIME, &t.Size, &t.SHA256, &t.CreatedAt); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// OpenAttachment returns an attachment and a reader of its content, for
// callers who may see its appeal; the caller closes the reader.
func (s *Service) OpenAttachment(ctx context.Context, id int64) (*Attachment, io.ReadCloser, error) {
	var t Attachment
	var fileID *int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT id, appeal_id, name, mime, size, sha256, created_at, file_id FROM appeal_attachments WHERE id = $1`, id).
		Scan(&t.ID, &t.AppealID, &t.Name, &t.MIME, &t.Size, &t.SHA256, &t.CreatedAt, &fileID)
	if err != nil {
		return nil, nil, yserr.ErrNotFound("附件", "attachment")
	}
	if _, err := s.Get(ctx, t.AppealID); err != nil {
		return nil, nil, yserr.ErrNotFound("附件", "attachment")
	}
	if fileID == nil {
		return nil, nil, yserr.New(yserr.Unavailable, "附件 "+t.Name+" 尚未迁入文件库（其原文件不在本实例的磁盘上）",
			"the attachment "+t.Name+" has not been moved into the file store yet (its original is not on this instance's disk)")
	}
	_, rc, err := s.Files.Open(ctx, FileOwner, *fileID)
	if err != nil {
		return nil, nil, err
	}
	return &t, rc, nil
}

// legacyPath is where attachments were kept before the file store: the
// local disk of one instance, DataDir/attachments/ab/abcdef...
func (s *Service) legacyPath(hash string) string {
	return filepath.Join(s.DataDir, "attachments", hash[:2], hash)
}

// MoveFilesToStore moves the attachments still on this instance's disk
// (from before the file store) into the store, encrypted, records the new
// file in each row and removes the disk copy. It runs at start-up and is
// idempotent: rows already moved are skipped, and rows whose file is not
// on this disk wait for the instance that has it. The content must match
// the recorded SHA-256 (so receipts still verify); a file that does not is
// left where it is and reported. It returns the number moved.
func (s *Service) MoveFilesToStore(ctx context.Context) (int, error) {
	type pending struct {
		id               int64
		name, mime, hash string
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, name, mime, sha256 FROM appeal_attachments WHERE file_id IS NULL ORDER BY id`)
	if err != nil {
		return 0, err
	}
	var todo []pending
	for rows.Next() {
		var p pending
		if err := rows.Scan(&p.id, &p.name, &p.mime, &p.hash); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	moved := 0
	var bad filestore.Unmovable
	done := map[string]bool{}
	for _, p := range todo {
		if len(p.hash) != 64 {
			bad.Add(fmt.Sprintf("appeal attachment %d: recorded sha256 %q is not a SHA-256", p.id, p.hash))
			continue
		}
		data, err := os.ReadFile(s.legacyPath(p.hash))
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return moved, err
		}
		if sum := sha256.Sum256(data); hex.EncodeToString(sum[:]) != p.hash {
			bad.Add(fmt.Sprintf("appeal attachment %d (%s): the file on disk does not match its recorded sha256", p.id, p.name))
			continue
		}
		err = s.DB.WithTx(ctx, func(ctx context.Context) error {
			f, err := s.Files.Save(ctx, FileOwner, filestore.Trusted(p.name, p.mime, data, true))
			if err != nil {
				return err
			}
			_, err = s.DB.W(ctx).Exec(ctx, `UPDATE appeal_attachments SET file_id = $1 WHERE id = $2 AND file_id IS NULL`, f.ID, p.id)
			return err
		})
		if err != nil {
			return moved, fmt.Errorf("attachment %d: %w", p.id, err)
		}
		moved++
		done[p.hash] = true
	}
	// The disk copies go once no row still waits for them.
	for hash := range done {
		var waiting int
		if err := s.DB.Q(ctx).QueryRow(ctx, `SELECT COUNT(*) FROM appeal_attachments WHERE sha256 = $1 AND file_id IS NULL`, hash).Scan(&waiting); err != nil {
			return moved, err
		}
		if waiting == 0 {
			if err := os.Remove(s.legacyPath(hash)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				return moved, err
			}
			_ = os.Remove(filepath.Dir(s.legacyPath(hash))) // only when empty
		}
	}
	return moved, bad.Err()
}

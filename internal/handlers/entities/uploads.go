package entities

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"yingshang/internal/clock"
	"yingshang/internal/yserr"
)

// uploadTTL is how long a refused or checked import file is kept for the
// user to import it again (only the valid rows, or for real after a check).
const uploadTTL = 30 * time.Minute

// uploadStore keeps uploaded files for a short while under DataDir/uploads,
// each under a random token and bound to the user who uploaded it.
type uploadStore struct {
	dir   string
	clock clock.Clock
}

// uploadMeta is the side file of a kept upload.
type uploadMeta struct {
	UserID   int64     `json:"user_id"`
	Filename string    `json:"filename"`
	At       time.Time `json:"at"`
}

var tokenRe = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newUploadStore(dataDir string, clk clock.Clock) *uploadStore {
	return &uploadStore{dir: filepath.Join(dataDir, "uploads"), clock: clk}
}

func (u *uploadStore) paths(token string) (data, meta string) {
	return filepath.Join(u.dir, "import-"+token+".bin"), filepath.Join(u.dir, "import-"+token+".json")
}

// save copies r into the store and returns its token.
func (u *uploadStore) save(userID int64, filename string, r io.Reader) (string, error) {
	u.sweep()
	if err := os.MkdirAll(u.dir, 0o700); err != nil {
		return "", err
	}
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	token := hex.EncodeToString(b)
	data, meta := u.paths(token)
	// The side file comes first (renamed into place whole), so that a data
	// file without one is always an orphan that sweep may delete.
	m, err := json.Marshal(uploadMeta{UserID: userID, Filename: filename, At: u.clock.Now()})
	if err == nil {
		err = os.WriteFile(meta+".tmp", m, 0o600)
	}
	if err == nil {
		err = os.Rename(meta+".tmp", meta)
	}
	if err == nil {
		err = writeFile(data, r)
	}
	if err != nil {
		_ = os.Remove(meta + ".tmp")
		u.remove(token)
		return "", err
	}
	return token, nil
}

func writeFile(name string, r io.Reader) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// errUploadGone is the answer for a token that is unknown, expired or
// somebody else's.
func errUploadGone() error {
	return yserr.Field("file", "上传的文件已过期（保留 30 分钟），请重新选择文件", "the uploaded file has expired (kept for 30 minutes); choose the file again")
}

// open returns the kept file of token if userID uploaded it and it has
// not expired.
func (u *uploadStore) open(userID int64, token string) (*os.File, string, error) {
	if !tokenRe.MatchString(token) {
		return nil, "", errUploadGone()
	}
	m, ok := u.meta(token)
	if !ok || m.UserID != userID || u.expired(m) {
		return nil, "", errUploadGone()
	}
	data, _ := u.paths(token)
	f, err := os.Open(data)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", errUploadGone()
	}
	return f, m.Filename, err
}

func (u *uploadStore) meta(token string) (uploadMeta, bool) {
	_, meta := u.paths(token)
	var m uploadMeta
	b, err := os.ReadFile(meta)
	if err != nil || json.Unmarshal(b, &m) != nil {
		return m, false
	}
	return m, true
}

func (u *uploadStore) expired(m uploadMeta) bool { return u.clock.Now().Sub(m.At) > uploadTTL }

// remove deletes a kept file.
func (u *uploadStore) remove(token string) {
	if !tokenRe.MatchString(token) {
		return
	}
	data, meta := u.paths(token)
	_ = os.Remove(data)
	_ = os.Remove(meta)
}

// sweep deletes the kept files that have expired, and data files left
// without their side file.
func (u *uploadStore) sweep() {
	entries, err := os.ReadDir(u.dir)
	if err != nil {
		return
	}
	for _, e := range entries {
		rest, ok := strings.CutPrefix(e.Name(), "import-")
		if !ok || filepath.Ext(rest) == ".tmp" {
			continue
		}
		token := strings.TrimSuffix(rest, filepath.Ext(rest))
		if m, ok := u.meta(token); !ok || u.expired(m) {
			u.remove(token)
		}
	}
}

// Package filestore is the one place for uploaded and generated files
// (appeal attachments, credit repair evidence, sealed bids, PDFs): every
// application instance reads the same files because the bytes live in the
// database, never on one instance's disk.
//
// A file is a module's named use of a blob. Blobs are content-addressed and
// stored once per encryption class: identical plaintext uploaded twice (by
// any module) is one blob with a reference count; the last Delete removes
// it. The type is decided by the content (magic bytes), never by the name,
// and the name's extension must agree with it. Files the owning module
// flags as personal or sealed (Options.Encrypt) are encrypted at rest with
// the platform keyring (AES-256-GCM, chunk by chunk); their address is a
// keyed HMAC of the plaintext hash, so reading the tables reveals neither
// the content nor its hash.
//
// Authorisation stays with the owning module: it decides who may see the
// appeal, the repair or the bid, then asks the store for the file by id and
// owner. The store refuses a file of another owner as "not found".
//
// Modules call Check before their transaction (it reads and checks the
// upload) and Save inside it, so the file and the row that refers to it
// commit together; Put does both.
//
// Error contract: Check and Put return yserr Invalid (field Options.Field) for an
// empty file, a type that is not allowed or an extension that does not
// match the content, and yserr TooLarge above Options.MaxBytes; Stat, Get,
// Open and Delete return yserr NotFound for an unknown id or another owner's
// file. A blob whose stored bytes no longer match its address fails to read
// with an internal error (never silently).
package filestore

import (
	"fmt"
	"strings"
	"time"

	"yingshang/internal/db"
	"yingshang/internal/secret"
)

// File is a stored file's reference and metadata.
type File struct {
	ID        int64     `json:"id"`
	Owner     string    `json:"owner"`
	Name      string    `json:"name"`
	MediaType string    `json:"media_type"`
	Size      int64     `json:"size"`
	SHA256    string    `json:"sha256" doc:"hex SHA-256 of the content (the plaintext, also for encrypted files)"`
	Encrypted bool      `json:"encrypted"`
	CreatedAt time.Time `json:"created_at"`
}

// Options are the owning module's rules for one Put.
type Options struct {
	// MaxBytes is the largest accepted file (required, > 0). Put holds at
	// most this much in memory.
	MaxBytes int64
	// Allowed lists the accepted media types (as Detect names them); empty
	// accepts any type except executables.
	Allowed []string
	// Encrypt stores the file encrypted at rest: personal data or sealed
	// content.
	Encrypt bool
	// Field names the form field in errors ("file" when empty).
	Field string
}

// Store is the file store on one database.
type Store struct {
	DB   *db.DB
	Keys *secret.Keyring
	Now  func() time.Time
}

// ChunkSize is the largest stored piece of a blob.
const ChunkSize = 256 << 10

// New returns a store on d that encrypts with keys.
func New(d *db.DB, keys *secret.Keyring, now func() time.Time) *Store {
	if now == nil {
		now = time.Now
	}
	return &Store{DB: d, Keys: keys, Now: now}
}

// Unmovable collects the files a module's start-up move into the store
// had to leave where they were (their content no longer matches the
// recorded hash). It is a warning for the log, not a reason to stop.
type Unmovable struct{ Reasons []string }

// Add records one file left behind.
func (u *Unmovable) Add(reason string) { u.Reasons = append(u.Reasons, reason) }

// Err returns u when a file was left behind, nil otherwise.
func (u *Unmovable) Err() error {
	if len(u.Reasons) == 0 {
		return nil
	}
	return u
}

func (u *Unmovable) Error() string {
	return fmt.Sprintf("%d file(s) not moved into the file store: %s", len(u.Reasons), strings.Join(u.Reasons, "; "))
}

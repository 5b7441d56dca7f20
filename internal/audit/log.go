package audit

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// LeafPrefix opens the leaf bytes of every event (docs/audit.md, "Leaves").
const LeafPrefix = "yingshang-audit-leaf-v1\n"

// Leaf returns the exact bytes hashed as e's leaf: the prefix, then each
// field as "<byte length>:<value>\n". The leaf hash is
// SHA-256(0x00 || Leaf()) as in RFC 9162.
func (e *Event) Leaf() []byte {
	var b bytes.Buffer
	b.WriteString(LeafPrefix)
	for _, f := range []string{
		strconv.FormatInt(e.Seq, 10), e.At.UTC().Format(time.RFC3339Nano), strconv.FormatInt(e.ActorID, 10), e.ActorName,
		e.Action, e.ObjectType, e.ObjectID, e.BeforeDigest, e.AfterDigest, e.Detail, e.StateDigest, e.PrevHash, e.Hash,
	} {
		b.WriteString(strconv.Itoa(len(f)))
		b.WriteByte(':')
		b.WriteString(f)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// Key is the installation's checkpoint signing key (Ed25519, in the
// signed-note key format of golang.org/x/mod/sumdb/note).
type Key struct {
	Signer   note.Signer
	Verifier note.Verifier
	// Public is the verifier key, "name+hash+base64", shown on the public
	// audit page; the name is the log's origin line.
	Public string
}

// ParseKey reads a private key "PRIVATE+KEY+name+hash+base64".
func ParseKey(skey string) (*Key, error) {
	s, err := note.NewSigner(strings.TrimSpace(skey))
	if err != nil {
		return nil, fmt.Errorf("audit signing key: %w", err)
	}
	// The verifier key is derived from the private key's seed.
	f := strings.SplitN(strings.TrimSpace(skey), "+", 5)
	raw, err := base64.StdEncoding.DecodeString(f[4])
	if err != nil || len(raw) != 33 {
		return nil, fmt.Errorf("audit signing key: bad key data")
	}
	pub := ed25519Public(raw[1:])
	vkey, err := note.NewEd25519VerifierKey(s.Name(), pub)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(vkey)
	if err != nil {
		return nil, err
	}
	return &Key{Signer: s, Verifier: v, Public: vkey}, nil
}

// Origin returns the log's origin (the key name) for a site URL:
// "host[:port][/path]/audit".
func Origin(baseURL string) string {
	u, err := url.Parse(baseURL)
	name := "yingshang"
	if err == nil && u.Host != "" {
		name = u.Host + strings.TrimRight(u.Path, "/")
	}
	return strings.NewReplacer("+", "-", " ", "-").Replace(name) + "/audit"
}

// LoadOrCreateKey returns the signing key stored in dataDir/audit-signing.key,
// generating it (named origin) on first start. Keep the file with the
// encryption key; every instance of one installation needs the same file.
func LoadOrCreateKey(dataDir, origin string) (*Key, error) {
	path := filepath.Join(dataDir, "audit-signing.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		skey, _, err := note.GenerateKey(rand.Reader, origin)
		if err != nil {
			return nil, err
		}
		if err := os.MkdirAll(dataDir, 0o750); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, []byte(skey+"\n"), 0o600); err != nil {
			return nil, fmt.Errorf("write %s: %w", path, err)
		}
		return ParseKey(skey)
	}
	if err != nil {
		return nil, err
	}
	return ParseKey(string(b))
}

// Checkpoint is a parsed checkpoint body (docs/audit.md, "Checkpoints").
type Checkpoint struct {
	Origin string
	Size   int64
	Root   tlog.Hash
	Time   time.Time
}

// Text returns the checkpoint body that is signed.
func (c Checkpoint) Text() string {
	return fmt.Sprintf("%s\n%d\n%s\ntime %s\n", c.Origin, c.Size, base64.StdEncoding.EncodeToString(c.Root[:]), c.Time.UTC().Format(time.RFC3339))
}

// ParseCheckpoint reads a checkpoint body (the note's text).
func ParseCheckpoint(text string) (Checkpoint, error) {
	var c Checkpoint
	lines := strings.Split(strings.TrimSuffix(text, "\n"), "\n")
	if len(lines) < 3 {
		return c, fmt.Errorf("checkpoint: want origin, size and root lines")
	}
	c.Origin = lines[0]
	n, err := strconv.ParseInt(lines[1], 10, 64)
	if err != nil || n < 0 || strconv.FormatInt(n, 10) != lines[1] {
		return c, fmt.Errorf("checkpoint: bad tree size %q", lines[1])
	}
	c.Size = n
	root, err := base64.StdEncoding.DecodeString(lines[2])
	if err != nil || len(root) != tlog.HashSize {
		return c, fmt.Errorf("checkpoint: bad root hash %q", lines[2])
	}
	copy(c.Root[:], root)
	for _, l := range lines[3:] {
		if t, ok := strings.CutPrefix(l, "time "); ok {
			c.Time, _ = time.Parse(time.RFC3339, t)
		}
	}
	return c, nil
}

// OpenCheckpoint verifies a signed note with the given verifier keys (the
// log's and optionally witnesses') and parses its body. Every key given
// must have signed it.
func OpenCheckpoint(signed []byte, keys ...note.Verifier) (Checkpoint, *note.Note, error) {
	n, err := note.Open(signed, note.VerifierList(keys...))
	if err != nil {
		return Checkpoint{}, nil, fmt.Errorf("checkpoint signature: %w", err)
	}
	for _, k := range keys {
		found := false
		for _, s := range n.Sigs {
			if s.Name == k.Name() && s.Hash == k.KeyHash() {
				found = true
			}
		}
		if !found {
			return Checkpoint{}, nil, fmt.Errorf("checkpoint is not signed by %s", k.Name())
		}
	}
	c, err := ParseCheckpoint(n.Text)
	return c, n, err
}

// hashReader reads stored tree hashes, seeing first those written by the
// running batch.
type hashReader struct {
	ctx     context.Context
	q       db.Querier
	pending map[int64]tlog.Hash
}

func (r *hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	var need []int64
	for i, ix := range indexes {
		if h, ok := r.pending[ix]; ok {
			out[i] = h
		} else {
			need = append(need, ix)
		}
	}
	if len(need) == 0 {
		return out, nil
	}
	got := make(map[int64]tlog.Hash, len(need))
	for len(need) > 0 {
		chunk := need[:min(len(need), 500)]
		need = need[len(chunk):]
		ph := make([]string, len(chunk))
		args := make([]any, len(chunk))
		for i, ix := range chunk {
			ph[i] = "$" + strconv.Itoa(i+1)
			args[i] = ix
		}
		rows, err := r.q.Query(r.ctx, "SELECT idx, hash FROM audit_tree_hashes WHERE idx IN ("+strings.Join(ph, ",")+")", args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ix int64
			var b []byte
			if err := rows.Scan(&ix, &b); err != nil {
				rows.Close()
				return nil, err
			}
			var h tlog.Hash
			copy(h[:], b)
			got[ix] = h
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, err
		}
	}
	for i, ix := range indexes {
		if _, ok := r.pending[ix]; ok {
			continue
		}
		h, ok := got[ix]
		if !ok {
			return nil, fmt.Errorf("audit tree: stored hash %d is missing", ix)
		}
		out[i] = h
	}
	return out, nil
}

func (l *Log) reader(ctx context.Context) *hashReader {
	return &hashReader{ctx: ctx, q: l.DB.Q(ctx), pending: map[int64]tlog.Hash{}}
}

// Integrate is the sequencer: in one transaction it takes up to max
// committed events that are not yet in the log, gives them the next leaf
// indexes, stores the new tree hashes, and signs and stores a checkpoint.
// It returns how many events it integrated. Killed mid-batch, the
// transaction rolls back: nothing is lost or integrated twice.
//
// The sequencer keeps no watermark: it takes the committed events whose
// leaf_index is still NULL (a partial index finds them), in seq order. An
// event whose transaction commits after a later event was integrated is
// therefore never skipped: it is not visible to one batch and is taken by
// the next, so leaf order is the order in which events became visible
// (commit order), as docs/audit.md explains. Appenders never update a row
// that the sequencer writes, so neither waits on the other.
func (l *Log) Integrate(ctx context.Context, max int) (int, error) {
	if l.Signer == nil {
		return 0, fmt.Errorf("audit: no checkpoint signing key")
	}
	if max <= 0 {
		max = 10000
	}
	var done int
	err := l.DB.WithTx(ctx, func(ctx context.Context) error {
		q := l.DB.Q(ctx)
		lock := ""
		if l.DB.Dialect == db.Postgres {
			lock = " FOR UPDATE"
		}
		// Only sequencers take this lock; appenders never touch the row.
		var size int64
		var rootHex string
		if err := q.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1"+lock).Scan(&size, &rootHex); err != nil {
			return fmt.Errorf("audit head: %w", err)
		}
		rows, err := q.Query(ctx, "SELECT "+cols+" FROM audit_events WHERE leaf_index IS NULL ORDER BY seq LIMIT $1", max)
		if err != nil {
			return err
		}
		var batch []Event
		for rows.Next() {
			var e Event
			if err := scan(rows, &e); err != nil {
				rows.Close()
				return err
			}
			batch = append(batch, e)
		}
		err = rows.Err()
		rows.Close()
		if err != nil || len(batch) == 0 {
			return err
		}
		r := l.reader(ctx)
		var idx []int64
		var hs []tlog.Hash
		for i, e := range batch {
			n := size + int64(i)
			hashes, err := tlog.StoredHashes(n, e.Leaf(), r)
			if err != nil {
				return err
			}
			base := tlog.StoredHashCount(n)
			for j, h := range hashes {
				r.pending[base+int64(j)] = h
				idx = append(idx, base+int64(j))
				hs = append(hs, h)
			}
			if _, err := q.Exec(ctx, "UPDATE audit_events SET leaf_index = $1 WHERE seq = $2", n, e.Seq); err != nil {
				return err
			}
			if l.crashAfter > 0 && i+1 == l.crashAfter {
				return errCrash
			}
		}
		if err := insertHashes(ctx, q, idx, hs); err != nil {
			return err
		}
		newSize := size + int64(len(batch))
		root, err := tlog.TreeHash(newSize, r)
		if err != nil {
			return err
		}
		now := l.Clock.Now().UTC().Truncate(time.Second)
		cp := Checkpoint{Origin: l.Signer.Signer.Name(), Size: newSize, Root: root, Time: now}
		signed, err := note.Sign(&note.Note{Text: cp.Text()}, l.Signer.Signer)
		if err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "INSERT INTO audit_checkpoints (size, root, at, note) VALUES ($1, $2, $3, $4)",
			newSize, hex.EncodeToString(root[:]), now, string(signed)); err != nil {
			return err
		}
		if _, err := q.Exec(ctx, "UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1", newSize, hex.EncodeToString(root[:])); err != nil {
			return err
		}
		done = len(batch)
		return nil
	})
	return done, err
}

var errCrash = errors.New("audit: sequencer stopped mid-batch (test)")

func insertHashes(ctx context.Context, q db.Querier, idx []int64, hs []tlog.Hash) error {
	const chunk = 400
	for len(idx) > 0 {
		n := min(len(idx), chunk)
		var sb strings.Builder
		sb.WriteString("INSERT INTO audit_tree_hashes (idx, hash) VALUES ")
		args := make([]any, 0, 2*n)
		for i := 0; i < n; i++ {
			if i > 0 {
				sb.WriteByte(',')
			}
			fmt.Fprintf(&sb, "($%d,$%d)", 2*i+1, 2*i+2)
			h := hs[i]
			args = append(args, idx[i], h[:])
		}
		if _, err := q.Exec(ctx, sb.String(), args...); err != nil {
			return err
		}
		idx, hs = idx[n:], hs[n:]
	}
	return nil
}

// IntegrateAll runs the sequencer until no ready event is left.
func (l *Log) IntegrateAll(ctx context.Context) (int, error) {
	total := 0
	for {
		n, err := l.Integrate(ctx, 10000)
		total += n
		if err != nil || n == 0 {
			return total, err
		}
	}
}

// SignedCheckpoint returns the latest signed checkpoint (a signed note), or
// nil before the first one.
func (l *Log) SignedCheckpoint(ctx context.Context) ([]byte, error) {
	var s string
	err := l.DB.Q(ctx).QueryRow(ctx, "SELECT note FROM audit_checkpoints ORDER BY size DESC LIMIT 1").Scan(&s)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("审计检查点", "audit checkpoint")
	}
	return []byte(s), err
}

// LogEvent returns the event at a leaf index with its leaf bytes. It is
// public: events carry digests and names of actors, no personal data.
func (l *Log) LogEvent(ctx context.Context, index int64) (*Event, []byte, error) {
	var e Event
	err := scan(l.DB.Q(ctx).QueryRow(ctx, "SELECT "+cols+" FROM audit_events WHERE leaf_index = $1", index), &e)
	if db.IsNoRows(err) {
		return nil, nil, yserr.ErrNotFound("审计事件", "audit event")
	}
	if err != nil {
		return nil, nil, err
	}
	return &e, e.Leaf(), nil
}

// EventLeafIndex returns the leaf index of the latest event about an
// object (nil while it waits for the sequencer), for public pages that link
// to their inclusion proof.
func (l *Log) EventLeafIndex(ctx context.Context, objectType, objectID string) (*int64, error) {
	var ix *int64
	err := l.DB.Q(ctx).QueryRow(ctx, "SELECT leaf_index FROM audit_events WHERE object_type = $1 AND object_id = $2 ORDER BY seq DESC LIMIT 1",
		objectType, objectID).Scan(&ix)
	if db.IsNoRows(err) {
		return nil, nil
	}
	return ix, err
}

func (l *Log) checkSize(ctx context.Context, field string, n int64) (int64, error) {
	size, _, err := l.Head(ctx)
	if err != nil {
		return 0, err
	}
	if n < 0 || n > size {
		return 0, yserr.Field(field, fmt.Sprintf("树大小须在 0 到 %d 之间", size), fmt.Sprintf("must be between 0 and %d, the log's size", size))
	}
	return size, nil
}

// InclusionProof returns the RFC 9162 audit path of leaf index in the tree
// of the given size.
func (l *Log) InclusionProof(ctx context.Context, index, size int64) ([]tlog.Hash, error) {
	if _, err := l.checkSize(ctx, "size", size); err != nil {
		return nil, err
	}
	if index < 0 || index >= size {
		return nil, yserr.Field("index", fmt.Sprintf("叶序号须小于树大小 %d", size), fmt.Sprintf("must be below the tree size %d", size))
	}
	return tlog.ProveRecord(size, index, l.reader(ctx))
}

// ConsistencyProof returns the RFC 9162 consistency proof between the trees
// of sizes from and to.
func (l *Log) ConsistencyProof(ctx context.Context, from, to int64) ([]tlog.Hash, error) {
	if _, err := l.checkSize(ctx, "to", to); err != nil {
		return nil, err
	}
	if from < 1 || from > to {
		return nil, yserr.Field("from", "须在 1 到 to 之间", "must be between 1 and to")
	}
	return tlog.ProveTree(to, from, l.reader(ctx))
}

// RootAt returns the root hash of the tree of size n from the stored hashes.
func (l *Log) RootAt(ctx context.Context, n int64) (tlog.Hash, error) {
	return tlog.TreeHash(n, l.reader(ctx))
}

func ed25519Public(seed []byte) ed25519.PublicKey {
	return ed25519.NewKeyFromSeed(seed).Public().(ed25519.PublicKey)
}

// Hex returns hashes as lower-case hex strings.
func Hex[H ~[32]byte](hs []H) []string {
	out := make([]string, len(hs))
	for i, h := range hs {
		out[i] = hex.EncodeToString(h[:])
	}
	return out
}

package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// Result is the outcome of a verification.
type Result struct {
	OK       bool   `json:"ok"`
	Events   int64  `json:"events"` // events in the log (the tree size)
	Head     string `json:"head"`   // the log's root hash (hex)
	Pending  int64  `json:"pending"`
	BrokenAt int64  `json:"broken_at,omitempty"` // seq of the first bad event (or where one is missing)
	Reason   string `json:"reason,omitempty"`

	ChainEvents int64  `json:"chain_events"` // events of the legacy hash chain
	ChainHead   string `json:"chain_head,omitempty"`
	Checkpoints int64  `json:"checkpoints"` // stored checkpoints checked
	External    int    `json:"external"`    // outside checkpoints checked
}

func (r *Result) fail(seq int64, reason string) {
	if r.OK {
		r.OK, r.BrokenAt, r.Reason = false, seq, reason
	}
}

// External is a checkpoint kept outside the database (a file, a URL, a
// witness's co-signed copy), with the keys that must have signed it.
type External struct {
	Source string // where it came from, for messages
	Signed []byte
	// Witnesses are extra verifier keys that must have co-signed it.
	Witnesses []note.Verifier
}

// Verify checks the whole trail: the legacy hash chain, every leaf of the
// log against its event, every stored tree hash of the leaves, the root at
// every stored checkpoint and each checkpoint's signature, and each
// outside checkpoint given (a consistent rewrite of history is caught
// there: its root no longer matches the tree recomputed from the events).
func (l *Log) Verify(ctx context.Context, ext ...External) (Result, error) {
	res := Result{OK: true}
	if err := l.verifyChain(ctx, &res); err != nil || !res.OK {
		return res, err
	}
	size, rootHex, err := l.Head(ctx)
	if err != nil {
		return res, err
	}
	if err := l.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE leaf_index IS NULL").Scan(&res.Pending); err != nil {
		return res, err
	}
	// The roots we must check, by tree size.
	type want struct {
		root   tlog.Hash
		what   string
		signed []byte
	}
	wants := map[int64][]want{}
	var sizes []int64
	addWant := func(n int64, w want) {
		if _, ok := wants[n]; !ok {
			sizes = append(sizes, n)
		}
		wants[n] = append(wants[n], w)
	}
	var verifier note.Verifier
	if l.Signer != nil {
		verifier = l.Signer.Verifier
	}
	rows, err := l.DB.Q(ctx).Query(ctx, "SELECT size, root, note FROM audit_checkpoints ORDER BY size")
	if err != nil {
		return res, err
	}
	for rows.Next() {
		var n int64
		var root, signed string
		if err := rows.Scan(&n, &root, &signed); err != nil {
			rows.Close()
			return res, err
		}
		h, err := tlog.ParseHash(b64(root))
		if err != nil {
			res.fail(0, fmt.Sprintf("checkpoint at size %d has a bad root %q", n, root))
		}
		addWant(n, want{root: h, what: fmt.Sprintf("stored checkpoint at size %d", n), signed: []byte(signed)})
		res.Checkpoints++
	}
	err = rows.Err()
	rows.Close()
	if err != nil || !res.OK {
		return res, err
	}
	for _, x := range ext {
		if verifier == nil {
			return res, fmt.Errorf("audit: no log key to check %s", x.Source)
		}
		c, _, err := OpenCheckpoint(x.Signed, append([]note.Verifier{verifier}, x.Witnesses...)...)
		if err != nil {
			res.fail(0, fmt.Sprintf("%s: %v", x.Source, err))
			return res, nil
		}
		if c.Size > size {
			res.fail(size+1, fmt.Sprintf("%s is a checkpoint of %d events but the log has only %d: events were removed", x.Source, c.Size, size))
			return res, nil
		}
		addWant(c.Size, want{root: c.Root, what: x.Source})
		res.External++
	}
	sort.Slice(sizes, func(i, j int) bool { return sizes[i] < sizes[j] })
	headRoot, err := tlog.ParseHash(b64(rootHex))
	if err != nil {
		res.fail(0, "the log head's root hash is malformed")
		return res, nil
	}
	check := func(n int64, root tlog.Hash) {
		for _, w := range wants[n] {
			if w.root != root {
				res.fail(0, fmt.Sprintf("%s has root %s but the events give %s: history was rewritten", w.what, hex.EncodeToString(w.root[:]), hex.EncodeToString(root[:])))
				return
			}
			if w.signed != nil {
				c, _, err := OpenCheckpoint(w.signed, verifier)
				if err != nil || c.Size != n || c.Root != root {
					res.fail(0, fmt.Sprintf("%s: its signed note does not verify or does not match (%v)", w.what, err))
					return
				}
			}
		}
	}
	if _, ok := wants[0]; ok {
		check(0, emptyRoot)
	}
	// Walk the leaves in order with a stack of complete subtrees.
	var stack []subtree
	var next int64
	const page = 5000
	r := l.reader(ctx)
	wi := 0
	for next < size && res.OK {
		rows, err := l.DB.Q(ctx).Query(ctx, "SELECT "+cols+" FROM audit_events WHERE leaf_index >= $1 AND leaf_index < $2 ORDER BY leaf_index", next, min(size, next+page))
		if err != nil {
			return res, err
		}
		var evs []Event
		for rows.Next() {
			var e Event
			if err := scan(rows, &e); err != nil {
				rows.Close()
				return res, err
			}
			evs = append(evs, e)
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return res, err
		}
		idx := make([]int64, len(evs))
		for i, e := range evs {
			idx[i] = tlog.StoredHashIndex(0, *e.LeafIndex)
		}
		stored, err := r.ReadHashes(idx)
		if err != nil {
			res.fail(0, err.Error())
			return res, nil
		}
		for i, e := range evs {
			if *e.LeafIndex != next {
				res.fail(e.Seq, fmt.Sprintf("leaf %d of the log is missing (next present is %d, event %d)", next, *e.LeafIndex, e.Seq))
				return res, nil
			}
			h := tlog.RecordHash(e.Leaf())
			if h != stored[i] {
				res.fail(e.Seq, fmt.Sprintf("event %d (leaf %d) was altered: its leaf hash does not match the tree", e.Seq, next))
				return res, nil
			}
			stack = push(stack, h)
			next++
			for wi < len(sizes) && sizes[wi] < next {
				wi++
			}
			if wi < len(sizes) && sizes[wi] == next {
				check(next, fold(stack))
				if !res.OK {
					res.BrokenAt = e.Seq
					return res, nil
				}
			}
		}
		if len(evs) == 0 {
			res.fail(0, fmt.Sprintf("leaf %d of the log is missing", next))
			return res, nil
		}
	}
	// No event may claim a place beyond the log's size. The sequencer may
	// integrate a batch while this runs (it writes the places and the head
	// in one transaction), so the count is taken against a head that did
	// not move across it.
	extra, beyond := int64(0), size
	for try := 0; try < 10; try++ {
		if err := l.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM audit_events WHERE leaf_index >= $1", beyond).Scan(&extra); err != nil {
			return res, err
		}
		now, _, err := l.Head(ctx)
		if err != nil {
			return res, err
		}
		if now == beyond {
			break
		}
		beyond = now
	}
	if extra > 0 {
		res.fail(0, fmt.Sprintf("%d events claim a place beyond the log's size %d", extra, beyond))
		return res, nil
	}
	root := emptyRoot
	if size > 0 {
		root = fold(stack)
	}
	if root != headRoot {
		res.fail(0, "the log head's root does not match the events")
		return res, nil
	}
	if stored, err := l.RootAt(ctx, size); size > 0 && (err != nil || stored != root) {
		res.fail(0, fmt.Sprintf("the stored tree hashes do not give the root of the events (%v)", err))
		return res, nil
	}
	res.Events, res.Head = size, hex.EncodeToString(root[:])
	return res, nil
}

type subtree struct {
	h    tlog.Hash
	size int64
}

// push adds a leaf and merges equal-sized complete subtrees.
func push(s []subtree, h tlog.Hash) []subtree {
	s = append(s, subtree{h, 1})
	for len(s) >= 2 && s[len(s)-1].size == s[len(s)-2].size {
		a, b := s[len(s)-2], s[len(s)-1]
		s = append(s[:len(s)-2], subtree{tlog.NodeHash(a.h, b.h), a.size * 2})
	}
	return s
}

// fold returns the RFC 9162 root of the leaves pushed so far.
func fold(s []subtree) tlog.Hash {
	h := s[len(s)-1].h
	for i := len(s) - 2; i >= 0; i-- {
		h = tlog.NodeHash(s[i].h, h)
	}
	return h
}

// b64 turns a hex hash into the base64 form tlog.ParseHash reads.
func b64(hexHash string) string {
	raw, err := hex.DecodeString(hexHash)
	if err != nil || len(raw) != tlog.HashSize {
		return "!"
	}
	var h tlog.Hash
	copy(h[:], raw)
	return h.String()
}

// emptyRoot is the RFC 9162 root of the empty tree, SHA-256 of nothing.
var emptyRoot = tlog.Hash(sha256.Sum256(nil))

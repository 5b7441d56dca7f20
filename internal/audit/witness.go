package audit

import (
	"fmt"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"
)

// ProofFunc fetches a consistency proof between two tree sizes of a log.
type ProofFunc func(from, to int64) ([]tlog.Hash, error)

// Cosign is what a witness does with another log's checkpoint: it checks
// the log's signature, checks that the checkpoint extends the last one the
// witness co-signed (last, nil the first time) with a consistency proof,
// and returns the checkpoint with the witness's signature added. A log
// that rewrote or truncated its history cannot get a co-signature again.
func Cosign(signed []byte, logKey note.Verifier, last []byte, proof ProofFunc, witness *Key) ([]byte, error) {
	c, n, err := OpenCheckpoint(signed, logKey)
	if err != nil {
		return nil, err
	}
	if last != nil {
		c0, _, err := OpenCheckpoint(last, logKey)
		if err != nil {
			return nil, fmt.Errorf("the last co-signed checkpoint: %w", err)
		}
		if c0.Origin != c.Origin {
			return nil, fmt.Errorf("the checkpoint is of log %q, the last one of %q", c.Origin, c0.Origin)
		}
		if c.Size < c0.Size {
			return nil, fmt.Errorf("the log shrank from %d to %d events: history was rewritten", c0.Size, c.Size)
		}
		if c.Size == c0.Size && c.Root != c0.Root {
			return nil, fmt.Errorf("the log has two roots at size %d: history was rewritten", c.Size)
		}
		if c0.Size > 0 && c.Size > c0.Size {
			p, err := proof(c0.Size, c.Size)
			if err != nil {
				return nil, fmt.Errorf("consistency proof: %w", err)
			}
			if err := tlog.CheckTree(p, c.Size, c.Root, c0.Size, c0.Root); err != nil {
				return nil, fmt.Errorf("the checkpoint of size %d is not consistent with the one of size %d: history was rewritten", c.Size, c0.Size)
			}
		}
	}
	return note.Sign(n, witness.Signer)
}

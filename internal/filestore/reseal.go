package filestore

import (
	"context"
	"fmt"

	"yingshang/internal/secret"
)

// Reseal re-encrypts with the keyring's current key every encrypted chunk
// and digest still sealed with an older key, one blob per transaction, so
// that the older key can leave the ring after a rotation. Addresses do not
// change (they are only used to find duplicates). It returns the number of
// blobs it changed.
func (s *Store) Reseal(ctx context.Context) (int, error) {
	var ids []int64
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM file_blobs WHERE encrypted ORDER BY id")
	if err != nil {
		return 0, err
	}
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	cur, changed := s.Keys.Current(), 0
	for _, id := range ids {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			q := s.DB.W(ctx)
			var addr string
			var chunks int
			var digest []byte
			if err := q.QueryRow(ctx, "SELECT address, chunks, digest_enc FROM file_blobs WHERE id = $1", id).Scan(&addr, &chunks, &digest); err != nil {
				return err
			}
			did := false
			if secret.KeyID(digest) != cur {
				pt, err := s.Keys.Open(digest, []byte(addr+"/digest"))
				if err != nil {
					return err
				}
				if _, err := q.Exec(ctx, "UPDATE file_blobs SET digest_enc = $1 WHERE id = $2", s.Keys.Seal(pt, []byte(addr+"/digest")), id); err != nil {
					return err
				}
				did = true
			}
			for seq := range chunks {
				var ct []byte
				if err := q.QueryRow(ctx, "SELECT data FROM file_chunks WHERE blob_id = $1 AND seq = $2", id, seq).Scan(&ct); err != nil {
					return err
				}
				if secret.KeyID(ct) == cur {
					continue
				}
				ad := chunkAD(addr, seq, chunks)
				pt, err := s.Keys.Open(ct, ad)
				if err != nil {
					return fmt.Errorf("chunk %d: %w", seq, err)
				}
				if _, err := q.Exec(ctx, "UPDATE file_chunks SET data = $1 WHERE blob_id = $2 AND seq = $3", s.Keys.Seal(pt, ad), id, seq); err != nil {
					return err
				}
				did = true
			}
			if did {
				changed++
			}
			return nil
		})
		if err != nil {
			return changed, fmt.Errorf("reseal blob %d: %w", id, err)
		}
	}
	return changed, nil
}

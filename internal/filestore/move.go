package filestore

import (
	"context"
	"fmt"
)

// Kept is a file as a module kept it before the store: its name, type,
// recorded SHA-256 and content.
type Kept struct {
	Name, Type, SHA256 string
	Data               []byte
}

// MoveKept moves files a module kept in its own rows into the store, one
// row per transaction (so a restart resumes where it stopped). ids are the
// rows still to move; load reads one inside the transaction (nil when
// another instance moved it meanwhile, a non-empty refusal when its content
// cannot be read); record points the row at the stored file and empties the
// old copy. A file whose content no longer matches its recorded SHA-256 is
// left as it is and reported in the returned *Unmovable, so receipts keep
// verifying. what names a row in messages ("bid file"). It returns the
// number moved.
func (s *Store) MoveKept(ctx context.Context, owner, what string, ids []int64,
	load func(ctx context.Context, id int64) (kept *Kept, refusal string, err error),
	record func(ctx context.Context, id, fileID int64) error) (int, error) {
	moved := 0
	var bad Unmovable
	for _, id := range ids {
		err := s.DB.WithTx(ctx, func(ctx context.Context) error {
			k, refusal, err := load(ctx, id)
			if err != nil || k == nil {
				if refusal != "" {
					bad.Add(fmt.Sprintf("%s %d: %s", what, id, refusal))
				}
				return err
			}
			up := Trusted(k.Name, k.Type, k.Data, true)
			if up.SHA256 != k.SHA256 {
				bad.Add(fmt.Sprintf("%s %d (%s): the stored content does not match its recorded sha256", what, id, k.Name))
				return nil
			}
			f, err := s.Save(ctx, owner, up)
			if err != nil {
				return err
			}
			if err := record(ctx, id, f.ID); err != nil {
				return err
			}
			moved++
			return nil
		})
		if err != nil {
			return moved, fmt.Errorf("%s %d: %w", what, id, err)
		}
	}
	return moved, bad.Err()
}

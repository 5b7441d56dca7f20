package module

import (
	"context"
	"errors"
	"log/slog"

	"yingshang/internal/filestore"
)

// MoveFiles runs a module's step that moves files kept before the shared
// file store into it, logging what moved and what had to stay (a file
// missing from this instance's disk waits for the instance that has it; a
// file whose content no longer matches its recorded hash is left in
// place). Only other errors stop the start.
func MoveFiles(ctx context.Context, log *slog.Logger, module string, move func(context.Context) (int, error)) error {
	n, err := move(ctx)
	if n > 0 {
		log.Info("files moved into the file store", "module", module, "files", n)
	}
	var left *filestore.Unmovable
	if errors.As(err, &left) {
		log.Warn("files left out of the file store", "module", module, "reasons", left.Reasons)
		return nil
	}
	return err
}

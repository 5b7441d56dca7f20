package entity

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The bigram index (table entity_name_bigrams, migration 0003) holds every
// 2-character fragment of every entity name, so that a 2-character name
// search reads the entries of that fragment instead of every name. The
// trigram indexes cannot answer fragments shorter than 3 characters.
//
// Fragments are the names' characters as stored (no case folding): the
// index answers only fragments without cased letters (Chinese, digits),
// where a substring match and LIKE / ILIKE agree exactly; other 2-character
// fragments are searched by scanning, as before.

// bigrams returns the distinct 2-character fragments of name, in the order
// they first occur. SQL substr(name, i, 2) over i < length(name) gives the
// same set (the migration's backfill).
func bigrams(name string) []string {
	var out []string
	seen := map[string]bool{}
	for i, r := range name {
		j := i + utf8.RuneLen(r)
		if j >= len(name) {
			break
		}
		_, n := utf8.DecodeRuneInString(name[j:])
		g := name[i : j+n]
		if !seen[g] {
			seen[g] = true
			out = append(out, g)
		}
	}
	return out
}

// useBigrams reports whether the bigram index answers a name search for
// text (already cleaned).
func useBigrams(text string) bool {
	return utf8.RuneCountInString(text) == 2 && !hasCase(text)
}

// indexNames writes the bigram entries of the given entities (id ->
// name), replacing those of the ids in stale (entities that had a name
// before; a new entity has no entries to remove). Call it inside the
// transaction that wrote the names.
func (s *Service) indexNames(ctx context.Context, names map[int64]string, stale []int64) error {
	if len(names) == 0 {
		return nil
	}
	q := s.DB.Q(ctx)
	if len(stale) > 0 {
		ids := make([]string, len(stale))
		for i, id := range stale {
			ids[i] = strconv.FormatInt(id, 10)
		}
		// ids are integers formatted here, not user input.
		if _, err := q.Exec(ctx, "DELETE FROM entity_name_bigrams WHERE entity_id IN ("+strings.Join(ids, ",")+")"); err != nil {
			return err
		}
	}
	var rows [][]any
	for id, name := range names {
		for _, g := range bigrams(name) {
			rows = append(rows, []any{g, id})
		}
	}
	return s.DB.CopyRows(ctx, "entity_name_bigrams", []string{"bigram", "entity_id"}, rows)
}

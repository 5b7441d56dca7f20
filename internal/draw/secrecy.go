package draw

// Secrecy of a tender until the law allows (招标投标法 Arts. 22 and 37):
// per-project expert pseudonyms, so that an expert seen on one project
// cannot be recognised on the next; and the bidder list, which the expert
// draw needs for avoidance, committed by a salted hash and disclosed only
// after the bid opening (docs/draw-protocol.md §2a).

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"slices"
	"strings"

	"yingshang/internal/auth"
)

const (
	aliasDomain   = "yingshang-draw/1 alias"
	biddersDomain = "yingshang-draw/1 bidders"
	// RuleBiddersHash is the spec rule holding the bidder list's commitment.
	RuleBiddersHash = "bidders_sha256"
)

// Alias is an expert's pseudonym on one project: "E-" and the first 10 hex
// digits (upper case) of SHA-256("yingshang-draw/1 alias" || salt || pool
// pseudonym), salt being the project's secret (hex text). Without a salt
// (projects registered before per-project pseudonyms) it is the pool
// pseudonym itself.
func Alias(salt, pseudonym string) string {
	if salt == "" {
		return pseudonym
	}
	h := sha256.Sum256([]byte(aliasDomain + salt + pseudonym))
	return "E-" + strings.ToUpper(hex.EncodeToString(h[:5]))
}

// Disclosure is the avoidance input revealed after the bid opening: the
// salt and the bidders' credit codes whose salted hash the expert draw's
// specification committed to (rule bidders_sha256).
type Disclosure struct {
	Salt    string   `json:"salt" doc:"hex of the 16 random bytes"`
	Bidders []string `json:"bidders" doc:"the bidders' credit codes, sorted"`
}

// BiddersHash is hex(SHA-256("yingshang-draw/1 bidders" || salt bytes ||
// the sorted credit codes joined by ",")).
func BiddersHash(saltHex string, bidders []string) (string, error) {
	salt, err := hex.DecodeString(saltHex)
	if err != nil {
		return "", err
	}
	list := slices.Clone(bidders)
	slices.Sort(list)
	h := sha256.New()
	h.Write([]byte(biddersDomain))
	h.Write(salt)
	h.Write([]byte(strings.Join(list, ",")))
	return hex.EncodeToString(h.Sum(nil)), nil
}

// checkDisclosure compares a record's disclosure with the commitment in its
// specification (an absent disclosure is the first stage: nothing to check).
func checkDisclosure(r *Record) []string {
	committed, ok := r.Spec.Rules[RuleBiddersHash]
	if r.Disclosure == nil {
		return nil
	}
	if !ok {
		return []string{"a bidder list is disclosed but the specification commits to none"}
	}
	if !slices.IsSorted(r.Disclosure.Bidders) {
		return []string{"the disclosed bidder list is not sorted"}
	}
	h, err := BiddersHash(r.Disclosure.Salt, r.Disclosure.Bidders)
	if err != nil || len(r.Disclosure.Salt) != 32 {
		return []string{"the disclosed salt is not 16 bytes of hex"}
	}
	if h != committed {
		return []string{"the disclosed bidder list hashes to " + h + ", the specification committed to " + committed}
	}
	return nil
}

// newSalt returns n random bytes as hex.
func (s *Service) newSalt(n int) (string, error) {
	b := make([]byte, n)
	if _, err := io.ReadFull(s.rand(), b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

// commitBidders salts and hashes the project's bidder list for an expert
// draw: the rule value and the disclosure to store with the draw.
func (s *Service) commitBidders(p *Project) (string, string, error) {
	salt, err := s.newSalt(16)
	if err != nil {
		return "", "", err
	}
	d := Disclosure{Salt: salt, Bidders: slices.Clone(p.BidderUSCCs)}
	if d.Bidders == nil {
		d.Bidders = []string{}
	}
	slices.Sort(d.Bidders)
	h, err := BiddersHash(salt, d.Bidders)
	if err != nil {
		return "", "", err
	}
	raw, err := json.Marshal(d)
	return h, string(raw), err
}

// isCentreFor reports whether the actor is the trading centre of the
// project (its department's staff, platform admins, the system) or a
// supervisor: those who may know bidders and committee members early.
func isCentreFor(ctx context.Context, p *Project) bool {
	a := auth.From(ctx)
	if a == nil {
		return false
	}
	return a.IsSystem() || a.Has(auth.PlatformAdmin, auth.Supervisor) || (a.Has(auth.DeptAdmin, auth.DeptStaff) && a.InScope(p.DepartmentID))
}

// ProjectAlias returns the pseudonym under which a pool expert appears on a
// project (for the trading centre of the project only: the mapping is what
// keeps the committee secret).
func (s *Service) ProjectAlias(ctx context.Context, projectID int64, pseudonym string) (string, error) {
	p, err := s.project(ctx, projectID)
	if err != nil {
		return "", err
	}
	if _, err := staff(ctx, p.DepartmentID); err != nil {
		return "", err
	}
	return Alias(p.aliasSalt, pseudonym), nil
}

package draw

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// AlgorithmVersion names this protocol (docs/draw-protocol.md). A record
// with another version is refused by Verify.
const AlgorithmVersion = "yingshang-draw/1"

const (
	seedDomain = "yingshang-draw/1 seed"
	drbgDomain = "yingshang-draw/1 drbg"
)

// Candidate is one eligible member of the frozen candidate list. ID is the
// public identifier (a stable pseudonym for experts). Groups names the quota
// groups of the specification this candidate may fill.
type Candidate struct {
	ID     string   `json:"id"`
	Groups []string `json:"groups"`
}

// Exclusion is a pool member left out when the list was frozen, with every
// reason that applied (reason codes, see Reason* constants).
type Exclusion struct {
	ID      string   `json:"id"`
	Reasons []string `json:"reasons"`
}

// CandidateList is the frozen list: candidates sorted by ID (byte order),
// exclusions sorted by ID.
type CandidateList struct {
	Candidates []Candidate `json:"candidates"`
	Excluded   []Exclusion `json:"excluded"`
}

// Group is a quota: Count members to draw and Reserves reserves (候补).
type Group struct {
	Name     string `json:"name"`
	Count    int    `json:"count"`
	Reserves int    `json:"reserves"`
}

// BeaconRef names a drand round fixed before the draw.
type BeaconRef struct {
	Chain string `json:"chain" doc:"drand chain hash (hex)"`
	Round uint64 `json:"round"`
}

// Spec is the specification: what is drawn and under which rules.
type Spec struct {
	Algorithm string            `json:"algorithm"`
	Purpose   string            `json:"purpose" doc:"what is drawn: experts, staff, witnesses, venues, codes..."`
	Subject   string            `json:"subject" doc:"what the draw is for, e.g. the project code"`
	Groups    []Group           `json:"groups"`
	Rules     map[string]string `json:"rules" doc:"the eligibility rules applied when freezing, as name -> setting"`
	Beacon    *BeaconRef        `json:"beacon,omitempty"`
	// Seating, for purpose "seats", replaces the groups: the projects of a
	// session with their experts and the rooms with their capacities.
	Seating *Seating `json:"seating,omitempty"`
	// Strata, for stratified sampling (§6a), fixes every group's count
	// from its ratio and the group's size in the candidate list.
	Strata *Strata `json:"strata,omitempty"`
	// Teams, after the groups, draws a team for every picked member
	// (§6b): the inspectors of each sampled enterprise.
	Teams *Teams `json:"teams,omitempty"`
}

// Seating is the input of a seat draw.
type Seating struct {
	Projects []SeatProject `json:"projects"`
	Rooms    []Room        `json:"rooms"`
}

// Commitment is published before the draw.
type Commitment struct {
	CandidatesHash string `json:"candidates_sha256"`
	SpecHash       string `json:"spec_sha256"`
	SecretHash     string `json:"secret_sha256"`
	CommittedAt    string `json:"committed_at" doc:"RFC 3339 UTC"`
}

// Beacon is a revealed drand round.
type Beacon struct {
	Chain     string `json:"chain"`
	Round     uint64 `json:"round"`
	Signature string `json:"signature" doc:"hex, 48-byte compressed G1 point"`
}

// Reveal holds the inputs revealed at the draw.
type Reveal struct {
	Secret  string  `json:"secret" doc:"hex of the 32-byte server secret"`
	Witness string  `json:"witness" doc:"the value the witness entered"`
	Beacon  *Beacon `json:"beacon,omitempty"`
	DrawnAt string  `json:"drawn_at" doc:"RFC 3339 UTC"`
}

// Pick is one drawn member. Order counts from 1 within its group; reserves
// continue the numbering after the group's Count.
type Pick struct {
	Group   string `json:"group"`
	Order   int    `json:"order"`
	ID      string `json:"id"`
	Reserve bool   `json:"reserve"`
}

// Record is the complete, self-verifying draw record.
type Record struct {
	Version    string        `json:"version"`
	DrawID     int64         `json:"draw_id,omitempty"`
	Commitment Commitment    `json:"commitment"`
	Spec       Spec          `json:"spec"`
	Candidates CandidateList `json:"candidates"`
	Reveal     Reveal        `json:"reveal"`
	Seed       string        `json:"seed"`
	Picks      []Pick        `json:"picks"`
	// Disclosure, not hashed, reveals after the bid opening the avoidance
	// inputs the spec committed to (rule bidders_sha256); absent before.
	Disclosure *Disclosure `json:"disclosure,omitempty"`
}

// HashJSON returns the hex SHA-256 of v's canonical JSON. A candidate
// list is streamed into the hash by its own encoder (listEncoder).
func HashJSON(v any) (string, error) {
	var h [sha256.Size]byte
	switch x := v.(type) {
	case CandidateList:
		h = hashList(x)
	case *CandidateList:
		h = hashList(*x)
	default:
		b, err := Canonical(v)
		if err != nil {
			return "", err
		}
		h = sha256.Sum256(b)
	}
	return hex.EncodeToString(h[:]), nil
}

// Commit computes the commitment of a frozen list and specification.
func Commit(list CandidateList, spec Spec, secret []byte, at time.Time) (Commitment, error) {
	h := hashList(list)
	return commitHashed(hex.EncodeToString(h[:]), spec, secret, at)
}

// commitStored is Commit that also returns the list's canonical JSON, the
// bytes stored as candidates_json: the list is encoded once for both.
func commitStored(list CandidateList, spec Spec, secret []byte, at time.Time) (Commitment, []byte, error) {
	b, h := canonicalList(list)
	c, err := commitHashed(hex.EncodeToString(h[:]), spec, secret, at)
	return c, b, err
}

func commitHashed(ch string, spec Spec, secret []byte, at time.Time) (Commitment, error) {
	sh, err := HashJSON(spec)
	if err != nil {
		return Commitment{}, err
	}
	h := sha256.Sum256(secret)
	return Commitment{CandidatesHash: ch, SpecHash: sh, SecretHash: hex.EncodeToString(h[:]),
		CommittedAt: FormatTime(at)}, nil
}

// FormatTime is the record's time format: RFC 3339, UTC, whole seconds.
func FormatTime(t time.Time) string { return t.UTC().Truncate(time.Second).Format(time.RFC3339) }

// Seed derives the seed: SHA-256 over the domain string and length-prefixed
// fields (4-byte big-endian length, then the bytes): candidates hash (32
// bytes), spec hash (32), secret, witness value (UTF-8), beacon randomness
// (SHA-256 of the signature, 32 bytes; empty when no beacon).
func Seed(c Commitment, secret []byte, witness string, beaconSig []byte) ([]byte, error) {
	ch, err := hex.DecodeString(c.CandidatesHash)
	if err != nil || len(ch) != 32 {
		return nil, fmt.Errorf("candidates hash is not 32 bytes of hex")
	}
	sh, err := hex.DecodeString(c.SpecHash)
	if err != nil || len(sh) != 32 {
		return nil, fmt.Errorf("spec hash is not 32 bytes of hex")
	}
	var rnd []byte
	if beaconSig != nil {
		r := sha256.Sum256(beaconSig)
		rnd = r[:]
	}
	h := sha256.New()
	h.Write([]byte(seedDomain))
	for _, f := range [][]byte{ch, sh, secret, []byte(witness), rnd} {
		var l [4]byte
		binary.BigEndian.PutUint32(l[:], uint32(len(f)))
		h.Write(l[:])
		h.Write(f)
	}
	return h.Sum(nil), nil
}

// DRBG is the deterministic generator: the i-th 64-bit output (i from 0) is
// the first 8 bytes, big-endian, of SHA-256(drbgDomain || seed || i as 8
// bytes big-endian).
type DRBG struct {
	seed    []byte
	counter uint64
}

// NewDRBG returns a generator keyed by seed.
func NewDRBG(seed []byte) *DRBG { return &DRBG{seed: slices.Clone(seed)} }

// Uint64 returns the next output.
func (g *DRBG) Uint64() uint64 {
	var c [8]byte
	binary.BigEndian.PutUint64(c[:], g.counter)
	g.counter++
	h := sha256.New()
	h.Write([]byte(drbgDomain))
	h.Write(g.seed)
	h.Write(c[:])
	return binary.BigEndian.Uint64(h.Sum(nil)[:8])
}

// Uniform returns an integer uniform in [0, n) by rejection sampling:
// outputs at or above 2^64 - (2^64 mod n) are discarded, so there is no
// modulo bias. n must be positive.
func (g *DRBG) Uniform(n uint64) uint64 {
	if n == 0 {
		panic("draw: Uniform(0)")
	}
	limit := math.MaxUint64 - (math.MaxUint64%n+1)%n // = 2^64 - (2^64 mod n) - 1
	for {
		x := g.Uint64()
		if x <= limit {
			return x % n
		}
	}
}

// Shortfall explains a group that cannot be filled.
type Shortfall struct {
	Group     string
	Need      int
	Available int
}

func (s *Shortfall) Error() string {
	return fmt.Sprintf("group %q needs %d, only %d eligible", s.Group, s.Need, s.Available)
}

// ZH is the shortfall in Chinese, the group named by its label.
func (s *Shortfall) ZH() string {
	return fmt.Sprintf("%s需要 %d 人，仅 %d 人符合条件", GroupLabel(s.Group, "zh-CN"), s.Need, s.Available)
}

// selectScratch is Select's pools and marks of used candidates, kept
// between calls in selectScratches (nothing in them leaves the call): a
// draw's allocations are paid again in the collector's work.
type selectScratch struct {
	pools [][]int32
	used  []bool
}

var selectScratches = sync.Pool{New: func() any { return new(selectScratch) }}

// poolsFor returns n empty pools, with the capacity of earlier calls.
func (sc *selectScratch) poolsFor(n int) [][]int32 {
	for len(sc.pools) < n {
		sc.pools = append(sc.pools, nil)
	}
	pools := sc.pools[:n]
	for i := range pools {
		pools[i] = pools[i][:0]
	}
	return pools
}

// usedFor returns n cleared marks.
func (sc *selectScratch) usedFor(n int) []bool {
	if cap(sc.used) < n {
		sc.used = make([]bool, n)
		return sc.used
	}
	sc.used = sc.used[:n]
	clear(sc.used)
	return sc.used
}

// put returns the scratch to its pool unless a slice grew past
// maxScratch elements.
func (sc *selectScratch) put() {
	for _, p := range sc.pools {
		if cap(p) > maxScratch {
			return
		}
	}
	if cap(sc.used) <= maxScratch {
		selectScratches.Put(sc)
	}
}

// poolSample is how many candidates Select reads before it sizes the
// groups' pools from their shares so far.
const poolSample = 1024

// Select runs the selection: for each group in spec order, the pool is the
// candidates (in list order, i.e. sorted by ID) that list the group and are
// not already picked by an earlier group; a partial Fisher-Yates shuffle
// draws Count members and then up to Reserves reserves (fewer when the pool
// runs out); all picks are removed from later groups' pools. A pool smaller
// than Count is a *Shortfall.
func Select(seed []byte, spec Spec, list CandidateList) ([]Pick, error) {
	g := NewDRBG(seed)
	if spec.Seating != nil {
		return seatPicks(g, spec.Seating)
	}
	// Pools hold indexes into list.Candidates, not IDs: no hashing per
	// candidate. One pass over the list finds every group's candidates
	// (those that list its name, in list order; the answer is kept for
	// the last four distinct Groups slices, which frozen lists share) and
	// whether the IDs are unique and sorted. "Not picked by an earlier
	// group" is then "index not used" when the IDs are unique; otherwise
	// picked IDs are looked up. TestSelectAndFreezeEqualReference and
	// TestSelectSameAsReferenceRandomLists hold it to the ID-map version.
	cands := list.Candidates
	sc := selectScratches.Get().(*selectScratch)
	defer sc.put()
	pools := sc.poolsFor(len(spec.Groups))
	unique := true
	// The spec groups a Groups slice lists, for the last few distinct
	// slices (by first element's address and length: a frozen list
	// shares one slice per quota group, and its groups' candidates
	// alternate); in is those of the current candidate.
	var seen [4]struct {
		first *string
		n     int
		in    []int
	}
	var in []int
	next, last := 0, -1 // seen's next entry to replace, entry used last
	for i := range cands {
		if i == poolSample && len(cands) >= 2*poolSample {
			// Each pool is sized once from its share of the first
			// candidates, plus a twentieth: a first guess of an even
			// share grew the larger pools by append, allocating about
			// twice their size (0.9 MB of a 100,000-member draw, for
			// 0.36 MB of indexes). A wrong guess only means growth.
			for gi, p := range pools {
				pools[gi] = slices.Grow(p, len(p)*(len(cands)-i)/i*21/20+16)
			}
		}
		c := &cands[i]
		if unique && i > 0 && compareKeys(cands[i-1].ID, c.ID) >= 0 {
			unique = false
		}
		switch {
		case len(c.Groups) == 0:
			in, last = nil, -1
		case last >= 0 && seen[last].first == &c.Groups[0] && seen[last].n == len(c.Groups):
		default:
			last = -1
			for j := range seen {
				if seen[j].first == &c.Groups[0] && seen[j].n == len(c.Groups) {
					last = j
					break
				}
			}
			if last < 0 {
				last, next = next, (next+1)%len(seen)
				e := &seen[last]
				e.first, e.n, e.in = &c.Groups[0], len(c.Groups), e.in[:0]
				for gi, grp := range spec.Groups {
					if slices.Contains(c.Groups, grp.Name) {
						e.in = append(e.in, gi)
					}
				}
			}
			in = seen[last].in
		}
		for _, gi := range in {
			if cap(pools[gi]) == 0 {
				// Room for the sample (see poolSample).
				pools[gi] = make([]int32, 0, min(len(cands), poolSample))
			}
			pools[gi] = append(pools[gi], int32(i))
		}
	}
	used := sc.usedFor(len(cands))
	var usedID map[string]bool
	if !unique {
		usedID = map[string]bool{}
	}
	var picks []Pick
	for gi, grp := range spec.Groups {
		pool := pools[gi]
		if len(picks) > 0 {
			n := 0
			for _, i := range pool {
				if !used[i] && (usedID == nil || !usedID[cands[i].ID]) {
					pool[n] = i
					n++
				}
			}
			pool = pool[:n]
		}
		if len(pool) < grp.Count {
			return nil, &Shortfall{Group: grp.Name, Need: grp.Count, Available: len(pool)}
		}
		k := min(grp.Count+grp.Reserves, len(pool))
		for i := 0; i < k; i++ {
			j := i + int(g.Uniform(uint64(len(pool)-i)))
			pool[i], pool[j] = pool[j], pool[i]
			used[pool[i]] = true
			if usedID != nil {
				usedID[cands[pool[i]].ID] = true
			}
			picks = append(picks, Pick{Group: grp.Name, Order: i + 1, ID: cands[pool[i]].ID, Reserve: i >= grp.Count})
		}
	}
	if spec.Teams != nil {
		return teamPicks(g, spec.Teams, list, picks)
	}
	return picks, nil
}

// RoundTime is the time a drand round is emitted.
func RoundTime(genesis int64, period int64, round uint64) time.Time {
	return time.Unix(genesis+int64(round-1)*period, 0).UTC()
}

// Exclusion reason codes (recorded in CandidateList.Excluded).
const (
	ReasonEmployerBidder   = "employer_is_bidder"
	ReasonEmployerTenderer = "employer_is_tenderer"
	ReasonRelation         = "declared_relation"
	ReasonSameRegion       = "same_region"
	ReasonRecentTenderer   = "recently_drawn_for_tenderer"
	ReasonNotActive        = "not_active"
	ReasonUnavailable      = "unavailable"
	ReasonNoSpecialty      = "no_matching_specialty"
	ReasonAlreadyDrawn     = "already_drawn_for_project"
)

// seatPicks runs AssignSeats; each seat is a pick with Group = room and
// Order = the seat's position in the room (from 1, in assignment order).
func seatPicks(g *DRBG, st *Seating) ([]Pick, error) {
	seats, err := AssignSeats(g, st.Projects, st.Rooms)
	if err != nil {
		return nil, err
	}
	inRoom := map[string]int{}
	picks := make([]Pick, len(seats))
	for i, s := range seats {
		inRoom[s.Room]++
		picks[i] = Pick{Group: s.Room, Order: inRoom[s.Room], ID: s.Expert}
	}
	return picks, nil
}

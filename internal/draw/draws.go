package draw

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// pending is a draw being committed.
type pending struct {
	purpose string
	project *Project
	parent  int64
	list    CandidateList
	spec    Spec
	sealed  bool
	// disclosure is revealed after the project's opening (Disclosure JSON).
	disclosure string
}

// commit freezes and stores a draw: the list, the spec, the commitment and
// the sealed secret, in one transaction with its audit event.
func (s *Service) commit(ctx context.Context, p pending) (*Draw, error) {
	secret := make([]byte, 32)
	if _, err := io.ReadFull(s.rand(), secret); err != nil {
		return nil, err
	}
	now := s.Clock.Now()
	// The list's canonical JSON is hashed and stored in one pass (read
	// back by decodeList, as is the encoding/json form of older rows).
	c, listJSON, err := commitStored(p.list, p.spec, secret, now)
	if err != nil {
		return nil, err
	}
	specJSON, _ := json.Marshal(p.spec)
	cJSON, _ := json.Marshal(c)
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var project, parent, creator any
		if p.project != nil {
			project = p.project.ID
		}
		if p.parent != 0 {
			parent = p.parent
		}
		if a := auth.From(ctx); a != nil && a.UserID != 0 {
			creator = a.UserID
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO draws (purpose, project_id, parent_id, status, spec_json, candidates_json,
			commitment_json, secret_enc, committed_at, created_by, sealed, disclosure_json) VALUES ($1,$2,$3,'committed',$4,$5,$6,$7,$8,$9,$10,$11) RETURNING id`,
			p.purpose, project, parent, string(specJSON), string(listJSON), string(cJSON), s.Keys.Encrypt(hex.EncodeToString(secret)),
			now, creator, p.sealed, p.disclosure).Scan(&id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "draw.commit", "draw", strconv.FormatInt(id, 10), nil, c,
			fmt.Sprintf("%s: %d candidates, %d excluded", p.purpose, len(p.list.Candidates), len(p.list.Excluded)))
	})
	if err != nil {
		return nil, err
	}
	return s.Draw(ctx, id)
}

// failDraw records a refused draw in the audit trail and returns the error.
func (s *Service) failDraw(ctx context.Context, subject, zh, en string) error {
	if err := s.Audit.Record(ctx, "draw.refused", "draw_project", subject, nil, nil, zh+" / "+en); err != nil {
		return err
	}
	return yserr.New(yserr.Conflict, "合格候选人不足，抽取未进行："+zh, "not enough eligible candidates, no draw was made: "+en)
}

// row is a stored draw.
type row struct {
	Draw
	specJSON, listJSON, recordJSON string
	disclosureJSON                 string
	secretEnc                      []byte
}

func (s *Service) loadDraw(ctx context.Context, id int64) (*row, error) {
	var r row
	var cJSON string
	var project, parent *int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT d.id, d.purpose, d.project_id, d.parent_id, d.status, d.committed_at, d.drawn_at,
		d.commitment_json, d.spec_json, d.candidates_json, d.record_json, d.secret_enc, COALESCE(p.code, ''), d.sealed, d.disclosure_json
		FROM draws d LEFT JOIN draw_projects p ON p.id = d.project_id WHERE d.id = $1`, id).Scan(
		&r.ID, &r.Purpose, &project, &parent, &r.Status, &r.CommittedAt, &r.DrawnAt, &cJSON, &r.specJSON, &r.listJSON,
		&r.recordJSON, &r.secretEnc, &r.ProjectCode, &r.Sealed, &r.disclosureJSON)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("抽取记录", "draw")
	}
	if err != nil {
		return nil, err
	}
	if project != nil {
		r.ProjectID = *project
	}
	if parent != nil {
		r.ParentID = *parent
	}
	return &r, json.Unmarshal([]byte(cJSON), &r.Commitment)
}

// Draw returns a draw's public summary (anyone). It reads only the
// summary's columns: a sampling frame's candidate list and record run to
// tens of megabytes, and the summary needs neither.
func (s *Service) Draw(ctx context.Context, id int64) (*Draw, error) {
	var d Draw
	var cJSON string
	var project, parent *int64
	err := s.DB.Q(ctx).QueryRow(ctx, `SELECT d.id, d.purpose, d.project_id, d.parent_id, d.status, d.committed_at, d.drawn_at,
		d.commitment_json, COALESCE(p.code, ''), d.sealed
		FROM draws d LEFT JOIN draw_projects p ON p.id = d.project_id WHERE d.id = $1`, id).Scan(
		&d.ID, &d.Purpose, &project, &parent, &d.Status, &d.CommittedAt, &d.DrawnAt, &cJSON, &d.ProjectCode, &d.Sealed)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("抽取记录", "draw")
	}
	if err != nil {
		return nil, err
	}
	if project != nil {
		d.ProjectID = *project
	}
	if parent != nil {
		d.ParentID = *parent
	}
	return &d, json.Unmarshal([]byte(cJSON), &d.Commitment)
}

// Draws lists draws, newest first (public: commitments are published).
func (s *Service) Draws(ctx context.Context, projectID int64, page, perPage int) ([]Draw, int64, error) {
	where, args := "1=1", []any{}
	if projectID != 0 {
		where, args = "d.project_id = $1", []any{projectID}
	}
	var total int64
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM draws d WHERE "+where, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	page = max(page, 1)
	if perPage <= 0 || perPage > 200 {
		perPage = 50
	}
	args = append(args, perPage, (page-1)*perPage)
	rows, err := s.DB.Q(ctx).Query(ctx, fmt.Sprintf(`SELECT d.id FROM draws d WHERE %s ORDER BY d.committed_at DESC, d.id DESC
		LIMIT $%d OFFSET $%d`, where, len(args)-1, len(args)), args...)
	if err != nil {
		return nil, 0, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	out := []Draw{}
	for _, id := range ids {
		d, err := s.Draw(ctx, id)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, *d)
	}
	return out, total, nil
}

// PublicRecord returns the draw's record: for a drawn draw the full record
// (candidates are pseudonyms); for a committed one the commitment, spec and
// list with no reveal. A sealed draw shows only its commitment and spec to
// everyone but supervisors until it is unsealed. The avoidance inputs an
// expert draw committed to (the bidder list) are added as the disclosure
// from the project's bid opening on.
func (s *Service) PublicRecord(ctx context.Context, id int64) (*Record, error) {
	r, err := s.loadDraw(ctx, id)
	if err != nil {
		return nil, err
	}
	if r.Sealed && !seesSealed(ctx) {
		return sealedRecord(r)
	}
	rec, err := r.record()
	if err != nil {
		return nil, err
	}
	if r.disclosureJSON != "" && r.ProjectID != 0 {
		p, err := s.project(ctx, r.ProjectID)
		if err != nil {
			return nil, err
		}
		if !s.Clock.Now().Before(p.OpeningAt) {
			rec.Disclosure = &Disclosure{}
			if err := json.Unmarshal([]byte(r.disclosureJSON), rec.Disclosure); err != nil {
				return nil, err
			}
		}
	}
	return rec, nil
}

// storedRecord is a Record as record_json holds it: without the candidate
// list, which candidates_json holds once (the list the commitment hashes,
// the same the record would repeat). Records stored before issue 17
// repeat the list; Candidates then holds it.
type storedRecord struct {
	Record
	Candidates *CandidateList `json:"candidates,omitempty"`
}

// record is the stored draw's record: for a drawn draw record_json with
// the candidate list, for a committed one the commitment, spec and list.
func (r *row) record() (*Record, error) {
	if r.recordJSON == "" {
		rec := Record{Version: AlgorithmVersion, DrawID: r.ID, Commitment: r.Commitment}
		if err := json.Unmarshal([]byte(r.specJSON), &rec.Spec); err != nil {
			return nil, err
		}
		var err error
		rec.Candidates, err = decodeList(r.listJSON)
		return &rec, err
	}
	var sr storedRecord
	if err := json.Unmarshal([]byte(r.recordJSON), &sr); err != nil {
		return nil, err
	}
	rec := sr.Record
	if sr.Candidates != nil {
		rec.Candidates = *sr.Candidates
		return &rec, nil
	}
	var err error
	rec.Candidates, err = decodeList(r.listJSON)
	return &rec, err
}

// VerifyDraw recomputes a drawn draw's record; the result lists the
// differences (empty when it verifies).
func (s *Service) VerifyDraw(ctx context.Context, id int64) ([]string, error) {
	rec, err := s.PublicRecord(ctx, id)
	if err != nil {
		return nil, err
	}
	if d, err := s.Draw(ctx, id); err != nil {
		return nil, err
	} else if d.Sealed && !seesSealed(ctx) {
		return nil, errSealed()
	}
	if rec.Seed == "" {
		return nil, yserr.New(yserr.Conflict, "该抽取尚未进行，只公布了承诺", "the draw has not taken place yet; only its commitment is published")
	}
	return Verify(rec), nil
}

// Execute performs a committed draw: it reveals the secret, takes the
// witness's value and the named beacon round (verified), selects, stores
// the record and applies the result (assignments, bookings...), all in one
// transaction: a crash leaves either the complete record or none.
func (s *Service) Execute(ctx context.Context, id int64, in DrawInput) (*Record, error) {
	var rec *Record
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		r, err := s.loadDraw(ctx, id)
		if err != nil {
			return err
		}
		if err := s.canRun(ctx, r); err != nil {
			return err
		}
		if r.Status != "committed" {
			return yserr.New(yserr.Conflict, "该抽取已经进行", "this draw has already taken place")
		}
		rec, err = s.reveal(ctx, r, in)
		if err != nil {
			return err
		}
		if d := Verify(rec); len(d) > 0 {
			return fmt.Errorf("draw %d does not verify after selection: %s", id, strings.Join(d, "; "))
		}
		raw, err := json.Marshal(storedRecord{Record: *rec})
		if err != nil {
			return err
		}
		now := s.Clock.Now()
		n, err := s.DB.Q(ctx).Exec(ctx, `UPDATE draws SET status = 'drawn', record_json = $1, drawn_at = $2, witness_name = $3
			WHERE id = $4 AND status = 'committed'`, string(raw), now, in.WitnessName, id)
		if err != nil {
			return err
		}
		if n != 1 {
			return yserr.New(yserr.Conflict, "该抽取已经进行", "this draw has already taken place")
		}
		if err := s.Audit.Record(ctx, "draw.execute", "draw", strconv.FormatInt(id, 10), r.Commitment, rec.Picks,
			"seed "+rec.Seed+", witness "+in.WitnessName); err != nil {
			return err
		}
		return s.apply(ctx, &r.Draw, rec)
	})
	if err == nil && rec != nil && rec.DrawID != 0 {
		if d, derr := s.Draw(ctx, id); derr == nil && d.Sealed && !seesSealed(ctx) {
			return sealedRecord(&row{Draw: *d, specJSON: mustJSON(rec.Spec)})
		}
	}
	return rec, err
}

func (s *Service) canRun(ctx context.Context, r *row) error {
	if f := s.Runners[r.Purpose]; r.ProjectID == 0 && f != nil {
		return f(ctx, &r.Draw)
	}
	if r.ProjectID == 0 {
		// Seat draws belong to no project: the centre runs them.
		return s.managePools(ctx)
	}
	p, err := s.project(ctx, r.ProjectID)
	if err != nil {
		return err
	}
	_, err = staff(ctx, p.DepartmentID)
	return err
}

func (s *Service) reveal(ctx context.Context, r *row, in DrawInput) (*Record, error) {
	var v yserr.Validation
	in.WitnessValue = strings.TrimSpace(in.WitnessValue)
	if in.WitnessValue == "" {
		v.Add("witness_value", "请由见证人输入随机值", "the witness must enter a value")
	}
	if strings.TrimSpace(in.WitnessName) == "" {
		v.Add("witness_name", "请填写见证人姓名", "the witness's name is required")
	}
	var spec Spec
	if err := json.Unmarshal([]byte(r.specJSON), &spec); err != nil {
		return nil, err
	}
	list, err := decodeList(r.listJSON)
	if err != nil {
		return nil, err
	}
	if err := s.checkBeaconInput(spec.Beacon, in.Beacon, &v); err != nil {
		return nil, err
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	secretHex, err := s.Keys.Decrypt(r.secretEnc)
	if err != nil {
		return nil, err
	}
	secret, err := hex.DecodeString(secretHex)
	if err != nil {
		return nil, err
	}
	rec, err := Run(list, spec, r.Commitment, secret, in.WitnessValue, in.Beacon, s.Clock.Now())
	var sf *Shortfall
	if errors.As(err, &sf) {
		return nil, yserr.New(yserr.Conflict, "候选人不足："+sf.ZH(), "not enough candidates: "+sf.Error())
	}
	if err != nil {
		return nil, err
	}
	rec.DrawID = r.ID
	return rec, nil
}

func (s *Service) checkBeaconInput(ref *BeaconRef, b *Beacon, v *yserr.Validation) error {
	switch {
	case ref == nil && b == nil:
		return nil
	case ref == nil:
		v.Add("beacon", "该抽取未约定信标", "this draw named no beacon")
		return nil
	case b == nil || b.Signature == "":
		v.Add("beacon", fmt.Sprintf("请提供 drand 第 %d 轮的签名", ref.Round), fmt.Sprintf("the signature of drand round %d is required", ref.Round))
		return nil
	}
	b.Chain, b.Round = ref.Chain, ref.Round
	sig, err := hex.DecodeString(strings.TrimSpace(b.Signature))
	if err != nil {
		v.Add("beacon", "信标签名须为十六进制", "the beacon signature must be hex")
		return nil
	}
	b.Signature = hex.EncodeToString(sig)
	chain, ok := Chains[ref.Chain]
	if !ok {
		v.Add("beacon", "未知的信标链", "unknown beacon chain")
		return nil
	}
	if err := chain.VerifyBeacon(ref.Round, sig); err != nil {
		v.Add("beacon", "信标签名验证失败", "the beacon signature does not verify: "+err.Error())
	}
	if now := s.Clock.Now(); RoundTime(chain.Genesis, chain.Period, ref.Round).After(now) {
		v.Add("beacon", "该轮次尚未产生", "that round has not been emitted yet")
	}
	return nil
}

// BeaconAfter names the first quicknet round emitted at least lead after
// now, for a draw committed now.
func BeaconAfter(now time.Time, lead time.Duration) *BeaconRef {
	t := now.Add(lead).Unix()
	round := uint64((t-Quicknet.Genesis)/Quicknet.Period) + 2
	return &BeaconRef{Chain: Quicknet.Hash, Round: round}
}

// apply carries out a drawn record's result.
func (s *Service) apply(ctx context.Context, d *Draw, rec *Record) error {
	switch d.Purpose {
	case "experts":
		return s.applyExperts(ctx, d, rec)
	case "staff", "witnesses":
		return s.applyPeople(ctx, d, rec)
	case "venues":
		return s.applyVenues(ctx, d, rec)
	case "seats":
		return s.applySeats(ctx, d, rec)
	}
	if f := s.Appliers[d.Purpose]; f != nil {
		return f(ctx, d, rec)
	}
	return nil
}

// Names maps the pseudonyms of a draw's record to names, for supervisors,
// platform admins and the staff of the trading centre of the draw's project
// (any staff for draws without a project), and for everyone once the
// project's result is published; nil for everyone else.
func (s *Service) Names(ctx context.Context, drawID int64, ids []string) (map[string]string, error) {
	a := auth.From(ctx)
	if a == nil {
		return nil, nil
	}
	r, err := s.loadDraw(ctx, drawID)
	if err != nil {
		return nil, err
	}
	if r.ProjectID != 0 {
		p, err := s.project(ctx, r.ProjectID)
		if err != nil {
			return nil, err
		}
		if !seesNames(ctx, p) {
			return nil, nil
		}
	} else if !a.Has(auth.PlatformAdmin, auth.Supervisor, auth.DeptAdmin, auth.DeptStaff) {
		return nil, nil
	}
	out := map[string]string{}
	for _, q := range []string{"SELECT name FROM draw_experts WHERE pseudonym = $1", "SELECT name FROM draw_people WHERE pseudonym = $1",
		"SELECT MIN(e.name) FROM draw_assignments a JOIN draw_experts e ON e.id = a.expert_id WHERE a.alias = $1 HAVING COUNT(*) > 0"} {
		for _, id := range ids {
			if _, done := out[id]; done {
				continue
			}
			var name string
			err := s.DB.Q(ctx).QueryRow(ctx, q, id).Scan(&name)
			if err == nil {
				out[id] = name
			} else if !db.IsNoRows(err) {
				return nil, err
			}
		}
	}
	return out, nil
}

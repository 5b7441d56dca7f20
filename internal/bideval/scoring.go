package bideval

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// linkedExpert returns the pool expert linked to an expert user (0 if none).
func (s *Service) linkedExpert(ctx context.Context, a *auth.Actor) int64 {
	if a == nil || a.UserID == 0 || !a.Has(auth.Expert) {
		return 0
	}
	id, _ := s.Draw.ExpertOfUser(ctx, a.UserID)
	return id
}

// assignment returns the expert's confirmed assignment on the project.
func (s *Service) assignment(ctx context.Context, projectID, expertID int64) (int64, error) {
	id, err := s.Draw.ConfirmedAssignment(ctx, projectID, expertID)
	if err == nil && id == 0 {
		return 0, yserr.New(yserr.Forbidden, "您不是本项目评标委员会的成员（须经抽取并确认参加）", "you are not a member of this project's committee (drawn and confirmed)")
	}
	return id, err
}

// member checks that the actor is a confirmed expert of the project whose
// codes are drawn; it returns the settings, the expert and the assignment.
func (s *Service) member(ctx context.Context, projectID int64) (*Settings, int64, int64, error) {
	a, err := auth.Require(ctx, auth.Expert)
	if err != nil {
		return nil, 0, 0, err
	}
	expertID := s.linkedExpert(ctx, a)
	if expertID == 0 {
		return nil, 0, 0, yserr.New(yserr.Forbidden, "您的账号未关联专家库中的专家，请联系交易中心", "your account is not linked to an expert of the pool; ask the trading centre")
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, 0, 0, err
	}
	asg, err := s.assignment(ctx, projectID, expertID)
	if err != nil {
		return nil, 0, 0, err
	}
	if st.Status == StatusOpen || st.Status == StatusClosed {
		return nil, 0, 0, yserr.New(yserr.Conflict, "暗标编码尚未抽取，评分尚未开始", "the codes are not drawn yet; scoring has not started")
	}
	return st, expertID, asg, nil
}

// CodedBid is what an expert sees of a bid: its code, an identifier of the
// technical part that cannot be linked to the bidder's receipt (not its
// SHA-256, which the bidder holds), and whether the part is served as
// redacted text. No name, no file name, no price, no hash.
type CodedBid struct {
	Code     string `json:"code"`
	ViewID   string `json:"view_id" doc:"identifies the technical part for the committee; unrelated to the bidder's receipt"`
	Size     int64  `json:"size" doc:"bytes of what the expert downloads"`
	Ext      string `json:"ext"`
	Redacted bool   `json:"redacted" doc:"the leak check found the bidder's identity: the expert gets the text with it blacked out"`
	bidID    int64
	fileID   int64
	sha      string
}

func (s *Service) codedBids(ctx context.Context, projectID int64) ([]CodedBid, error) {
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT b.id, b.code, f.id, f.sha256, f.size, f.file_name, f.redacted_enc FROM bideval_bids b
		JOIN bideval_files f ON f.bid_id = b.id AND f.part = 'technical'
		AND f.version = (SELECT MAX(version) FROM bideval_files x WHERE x.bid_id = b.id AND x.part = 'technical')
		WHERE b.project_id = $1 AND b.code <> '' ORDER BY b.code`, projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CodedBid
	for rows.Next() {
		var c CodedBid
		var name string
		var redacted []byte
		if err := rows.Scan(&c.bidID, &c.Code, &c.fileID, &c.sha, &c.Size, &name, &redacted); err != nil {
			return nil, err
		}
		c.Ext = strings.ToLower(filepath.Ext(name))
		if len(redacted) > 0 {
			text, err := s.Keys.Decrypt(redacted)
			if err != nil {
				return nil, err
			}
			c.Redacted, c.Ext, c.Size = true, ".txt", int64(len(text))
		}
		c.ViewID = "V-" + strings.ToUpper(s.Keys.Index(fmt.Sprintf("bideval.view:%d:%s", c.fileID, c.sha))[:12])
		out = append(out, c)
	}
	return out, rows.Err()
}

// Codes lists the coded bids to a member of the committee.
func (s *Service) Codes(ctx context.Context, projectID int64) ([]CodedBid, error) {
	if _, _, _, err := s.member(ctx, projectID); err != nil {
		return nil, err
	}
	return s.codedBids(ctx, projectID)
}

// TechnicalByCode returns the latest technical part of the coded bid to a
// member of the committee, named after its code (e.g. A01.pdf); when the
// leak check found the bidder's identity in it, the extracted text with the
// identity blacked out instead (A01.txt).
func (s *Service) TechnicalByCode(ctx context.Context, projectID int64, code string) (name, mime string, data []byte, err error) {
	if _, _, _, err := s.member(ctx, projectID); err != nil {
		return "", "", nil, err
	}
	bids, err := s.codedBids(ctx, projectID)
	if err != nil {
		return "", "", nil, err
	}
	i := slices.IndexFunc(bids, func(b CodedBid) bool { return b.Code == code })
	if i < 0 {
		return "", "", nil, yserr.ErrNotFound("暗标 "+code, "coded bid "+code)
	}
	var stored *int64
	var redacted []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT mime, file_id, redacted_enc FROM bideval_files WHERE id = $1", bids[i].fileID).Scan(&mime, &stored, &redacted); err != nil {
		return "", "", nil, err
	}
	if len(redacted) > 0 {
		plain, err := s.Keys.Decrypt(redacted)
		if err != nil {
			return "", "", nil, err
		}
		return code + bids[i].Ext, "text/plain; charset=utf-8", []byte(plain), nil
	}
	if stored == nil {
		return "", "", nil, yserr.New(yserr.Unavailable, "暗标 "+code+" 的文件尚未迁入文件库", "the file of coded bid "+code+" has not been moved into the file store yet")
	}
	_, data, err = s.Files.Get(ctx, FileOwner, *stored)
	if err != nil {
		return "", "", nil, err
	}
	return code + bids[i].Ext, mime, data, nil
}

// Score is one expert's points for one code and criterion.
type Score struct {
	Code      string  `json:"code"`
	Criterion string  `json:"criterion"`
	Points    float64 `json:"points"`
	Comment   string  `json:"comment"`
	bidID     int64
}

// Sheet is an expert's score sheet.
type Sheet struct {
	ProjectID int64      `json:"project_id"`
	Expert    string     `json:"expert,omitempty" doc:"name; shown to the expert, the centre after unmasking, and on the publicity"`
	Pseudonym string     `json:"pseudonym"`
	Status    string     `json:"status" enum:"draft,locked"`
	LockedAt  *time.Time `json:"locked_at,omitempty"`
	SHA256    string     `json:"sha256,omitempty" doc:"hash of the locked scores (canonical JSON), the expert's receipt"`
	Scores    []Score    `json:"scores"`
	Totals    []Total    `json:"totals" doc:"per code"`
	expertID  int64
	id        int64
}

// Total is a sheet's sum for one code.
type Total struct {
	Code   string  `json:"code"`
	Points float64 `json:"points"`
}

// SheetInput saves a draft or locks it: the complete set of entries so
// far (entries left out are removed from the draft).
type SheetInput struct {
	Scores []Score `json:"scores"`
	Lock   bool    `json:"lock,omitempty" doc:"submit and lock: every code and criterion needs points and a comment; a locked sheet never changes"`
}

// MySheet returns the expert's own sheet (an empty draft before saving).
func (s *Service) MySheet(ctx context.Context, projectID int64) (*Sheet, error) {
	_, expertID, _, err := s.member(ctx, projectID)
	if err != nil {
		return nil, err
	}
	sh, err := s.sheet(ctx, projectID, expertID)
	if err != nil {
		return nil, err
	}
	return sh, nil
}

func (s *Service) sheet(ctx context.Context, projectID, expertID int64) (*Sheet, error) {
	sh := &Sheet{ProjectID: projectID, Status: SheetDraft, Scores: []Score{}, expertID: expertID}
	var err error
	if sh.Expert, sh.Pseudonym, err = s.Draw.ExpertOnProject(ctx, projectID, expertID); err != nil {
		return nil, err
	}
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id, status, locked_at FROM bideval_sheets WHERE project_id = $1 AND expert_id = $2",
		projectID, expertID).Scan(&sh.id, &sh.Status, &sh.LockedAt)
	if db.IsNoRows(err) {
		return sh, nil
	}
	if err != nil {
		return nil, err
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT b.code, c.bid_id, c.criterion, c.points, c.comment FROM bideval_scores c
		JOIN bideval_bids b ON b.id = c.bid_id WHERE c.sheet_id = $1 ORDER BY b.code, c.criterion`, sh.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var c Score
		if err := rows.Scan(&c.Code, &c.bidID, &c.Criterion, &c.Points, &c.Comment); err != nil {
			return nil, err
		}
		sh.Scores = append(sh.Scores, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	sh.totals()
	if sh.Status == SheetLocked {
		sh.SHA256 = sheetHash(sh.Scores)
	}
	return sh, nil
}

func (sh *Sheet) totals() {
	sum := map[string]float64{}
	for _, c := range sh.Scores {
		sum[c.Code] += c.Points
	}
	sh.Totals = []Total{}
	for code, p := range sum {
		sh.Totals = append(sh.Totals, Total{Code: code, Points: round2(p)})
	}
	slices.SortFunc(sh.Totals, func(a, b Total) int { return strings.Compare(a.Code, b.Code) })
}

// sheetHash is the SHA-256 of the scores as JSON (sorted by code and
// criterion), the receipt shown when the sheet is locked.
func sheetHash(scores []Score) string {
	type line struct {
		Code      string  `json:"code"`
		Criterion string  `json:"criterion"`
		Points    float64 `json:"points"`
		Comment   string  `json:"comment"`
	}
	ls := make([]line, len(scores))
	for i, c := range scores {
		ls[i] = line{c.Code, c.Criterion, c.Points, c.Comment}
	}
	slices.SortFunc(ls, func(a, b line) int {
		if c := strings.Compare(a.Code, b.Code); c != 0 {
			return c
		}
		return strings.Compare(a.Criterion, b.Criterion)
	})
	b, _ := json.Marshal(ls)
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

// SaveSheet saves the expert's draft, or locks it (in.Lock). Points must be
// within 0..max of the criterion with at most 2 decimals; codes and
// criteria must be the project's. Locking needs every code x criterion
// with a comment. A locked sheet cannot change.
func (s *Service) SaveSheet(ctx context.Context, projectID int64, in SheetInput) (*Sheet, error) {
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, expertID, asgID, err := s.member(ctx, projectID)
		if err != nil {
			return err
		}
		if st.Status != StatusScoring {
			return yserr.New(yserr.Conflict, "编码已揭示，评分已结束", "the codes are unmasked; scoring is over")
		}
		bids, err := s.codedBids(ctx, projectID)
		if err != nil {
			return err
		}
		byCode := map[string]int64{}
		for _, b := range bids {
			byCode[b.Code] = b.bidID
		}
		maxOf := map[string]float64{}
		for _, c := range st.Criteria {
			maxOf[c.Key] = c.Max
		}
		var v yserr.Validation
		seen := map[[2]string]bool{}
		for i := range in.Scores {
			c := &in.Scores[i]
			c.Code, c.Criterion, c.Comment = strings.TrimSpace(c.Code), strings.TrimSpace(c.Criterion), strings.TrimSpace(c.Comment)
			field := fmt.Sprintf("scores[%s.%s]", c.Code, c.Criterion)
			id, ok := byCode[c.Code]
			mx, okc := maxOf[c.Criterion]
			switch {
			case !ok:
				v.Add(field, "本项目没有暗标 "+c.Code, "this project has no coded bid "+c.Code)
				continue
			case !okc:
				v.Add(field, "本项目评分办法中没有评分项 "+c.Criterion, "the template has no criterion "+c.Criterion)
				continue
			case seen[[2]string{c.Code, c.Criterion}]:
				v.Add(field, c.Code+" 的 "+c.Criterion+" 重复评分", c.Code+" "+c.Criterion+" is scored twice")
				continue
			}
			seen[[2]string{c.Code, c.Criterion}] = true
			c.bidID = id
			if math.IsNaN(c.Points) || c.Points < 0 || c.Points > mx || round2(c.Points) != c.Points {
				v.Add(field, fmt.Sprintf("%s「%s」得分须在 0 到 %g 分之间（最多两位小数），现为 %g", c.Code, c.Criterion, mx, c.Points),
					fmt.Sprintf("%s %s: points must be 0 to %g (at most 2 decimals), not %g", c.Code, c.Criterion, mx, c.Points))
			}
			if utf8.RuneCountInString(c.Comment) > 1000 {
				v.Add(field, c.Code+" 的评语最多 1000 字", c.Code+": a comment has at most 1000 characters")
			}
		}
		if in.Lock {
			for _, b := range bids {
				for _, cr := range st.Criteria {
					i := slices.IndexFunc(in.Scores, func(x Score) bool { return x.Code == b.Code && x.Criterion == cr.Key })
					field := fmt.Sprintf("scores[%s.%s]", b.Code, cr.Key)
					if i < 0 {
						v.Add(field, fmt.Sprintf("提交前请为 %s 的「%s」打分", b.Code, cr.NameZH), fmt.Sprintf("score %s on %q before submitting", b.Code, cr.NameEN))
					} else if in.Scores[i].Comment == "" && !v.Has(field) {
						v.Add(field, fmt.Sprintf("提交前请填写 %s「%s」的评语", b.Code, cr.NameZH), fmt.Sprintf("write a comment for %s on %q before submitting", b.Code, cr.NameEN))
					}
				}
			}
		}
		if err := v.Err(); err != nil {
			return err
		}
		now := s.Clock.Now()
		var sheetID int64
		var status string
		err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id, status FROM bideval_sheets WHERE project_id = $1 AND expert_id = $2", projectID, expertID).Scan(&sheetID, &status)
		switch {
		case db.IsNoRows(err):
			if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO bideval_sheets (project_id, assignment_id, expert_id, status, updated_at)
				VALUES ($1,$2,$3,'draft',$4) RETURNING id`, projectID, asgID, expertID, now).Scan(&sheetID); err != nil {
				return err
			}
		case err != nil:
			return err
		case status == SheetLocked:
			return yserr.New(yserr.Conflict, "评分表已提交锁定，不能再修改", "your score sheet is locked and cannot be changed")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "DELETE FROM bideval_scores WHERE sheet_id = $1", sheetID); err != nil {
			return err
		}
		for _, c := range in.Scores {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO bideval_scores (sheet_id, bid_id, criterion, points, comment) VALUES ($1,$2,$3,$4,$5)",
				sheetID, c.bidID, c.Criterion, c.Points, c.Comment); err != nil {
				return err
			}
		}
		action, detail := "bideval.sheet.save", fmt.Sprintf("%d scores", len(in.Scores))
		if in.Lock {
			n, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_sheets SET status = 'locked', locked_at = $1, updated_at = $1 WHERE id = $2 AND status = 'draft'", now, sheetID)
			if err != nil {
				return err
			}
			if n != 1 {
				return yserr.New(yserr.Conflict, "评分表已提交锁定，不能再修改", "your score sheet is locked and cannot be changed")
			}
			action, detail = "bideval.sheet.lock", "sha256 "+sheetHash(in.Scores)
		} else if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_sheets SET updated_at = $1 WHERE id = $2", now, sheetID); err != nil {
			return err
		}
		return s.Audit.Record(ctx, action, "bideval_sheet", strconv.FormatInt(sheetID, 10), nil, in.Scores, detail)
	})
	if err != nil {
		return nil, err
	}
	return s.MySheet(ctx, projectID)
}

// Member is a confirmed member of the committee and the state of the
// member's sheet.
type Member struct {
	AssignmentID int64      `json:"assignment_id"`
	ExpertID     int64      `json:"expert_id"`
	Pseudonym    string     `json:"pseudonym"`
	Name         string     `json:"name,omitempty"`
	Group        string     `json:"group"`
	Linked       bool       `json:"linked" doc:"the expert has a user account to sign in with"`
	Sheet        string     `json:"sheet" enum:"none,draft,locked"`
	LockedAt     *time.Time `json:"locked_at,omitempty"`
}

func (s *Service) committee(ctx context.Context, projectID int64) ([]Member, error) {
	seats, err := s.Draw.CommitteeSeats(ctx, projectID, "confirmed")
	if err != nil {
		return nil, err
	}
	type sheetState struct {
		status string
		locked *time.Time
	}
	sheets := map[int64]sheetState{}
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT expert_id, status, locked_at FROM bideval_sheets WHERE project_id = $1", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var st sheetState
		if err := rows.Scan(&id, &st.status, &st.locked); err != nil {
			return nil, err
		}
		sheets[id] = st
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []Member
	for _, seat := range seats {
		m := Member{AssignmentID: seat.AssignmentID, ExpertID: seat.ExpertID, Pseudonym: seat.Pseudonym, Name: seat.Name,
			Group: seat.Group, Linked: seat.UserID != 0, Sheet: "none"}
		if st, ok := sheets[seat.ExpertID]; ok {
			m.Sheet, m.LockedAt = st.status, st.locked
		}
		out = append(out, m)
	}
	return out, nil
}

// Progress lists the committee and its sheets for the centre's staff and
// supervisors (names, as the draw module shows them to staff).
func (s *Service) Progress(ctx context.Context, projectID int64) ([]Member, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	if !isCentre(a, st) && !a.Has(auth.Supervisor) {
		return nil, yserr.ErrForbidden()
	}
	return s.committee(ctx, projectID)
}

// CommitteeSheets returns every member's sheet: to a member of the
// committee only once all sheets are locked; to staff after unmasking; to
// supervisors always.
func (s *Service) CommitteeSheets(ctx context.Context, projectID int64) ([]Sheet, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	members, err := s.committee(ctx, projectID)
	if err != nil {
		return nil, err
	}
	unmasked := revealed(st)
	switch {
	case a.Has(auth.Supervisor) || a.IsSystem():
	case isCentre(a, st) && unmasked:
	case a.Has(auth.Expert):
		if _, _, _, err := s.member(ctx, projectID); err != nil {
			return nil, err
		}
		for _, m := range members {
			if m.Sheet != SheetLocked {
				return nil, yserr.New(yserr.Forbidden, "全部专家提交锁定前，只能查看自己的评分", "until every member has locked, you see only your own scores")
			}
		}
	default:
		return nil, yserr.ErrForbidden()
	}
	var out []Sheet
	for _, m := range members {
		sh, err := s.sheet(ctx, projectID, m.ExpertID)
		if err != nil {
			return nil, err
		}
		out = append(out, *sh)
	}
	return out, nil
}

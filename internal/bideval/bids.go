package bideval

import (
	"archive/zip"
	"bytes"
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/draw"
	"yingshang/internal/filestore"
	"yingshang/internal/yserr"
)

// deadlinePassed is the refusal of any change after the deadline.
func deadlinePassed(st *Settings) error {
	return yserr.Newf(yserr.Conflict, "投标已于 %s 截止，不能再登记、上传或修改投标文件",
		"bids closed at %s (Beijing time): no registration, upload or change is accepted any more", fmtTime(st.DeadlineAt))
}

// bidder returns the enterprise actor.
func bidder(ctx context.Context) (*auth.Actor, error) {
	a, err := auth.Require(ctx)
	if err != nil {
		return nil, err
	}
	if !a.Has(auth.Enterprise) || a.EntityID == 0 {
		return nil, yserr.New(yserr.Forbidden, "只有绑定了经营主体的企业用户可以投标", "only enterprise users bound to a market entity may bid")
	}
	return a, nil
}

func pseudonym() (string, error) {
	b := make([]byte, 5)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "B-" + strings.ToUpper(hex.EncodeToString(b)), nil
}

// Register registers the caller's entity as a bidder of the project before
// the deadline. Its credit code joins the project's known bidders, so that
// expert draws avoid its employees and declared relations.
func (s *Service) Register(ctx context.Context, projectID int64, in RegisterInput) (*Bid, error) {
	return s.register(ctx, projectID, in, "")
}

// RegisterAdmitted registers the caller's entity on a project whose
// bidders module admits (Settings.AdmittedBy): that module calls it, in
// its own transaction, once its checks passed. Everything else is as
// Register.
func (s *Service) RegisterAdmitted(ctx context.Context, projectID int64, in RegisterInput, module string) (*Bid, error) {
	return s.register(ctx, projectID, in, module)
}

func (s *Service) register(ctx context.Context, projectID int64, in RegisterInput, via string) (*Bid, error) {
	a, err := bidder(ctx)
	if err != nil {
		return nil, err
	}
	in.ProjectManager = strings.TrimSpace(in.ProjectManager)
	if utf8.RuneCountInString(in.ProjectManager) > 30 {
		return nil, yserr.Field("project_manager", "项目负责人姓名最多 30 字", "the project manager's name has at most 30 characters")
	}
	var id int64
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		if st.Status != StatusOpen {
			return deadlinePassed(st)
		}
		if st.admittedBy != "" && st.admittedBy != via {
			name := map[string]string{"procure": "政府采购"}[st.admittedBy]
			if name == "" {
				name = st.admittedBy
			}
			return yserr.New(yserr.Conflict, "本项目的投标人须在"+name+"模块报名（资格与信用核查），由该模块登记到双盲评标",
				"the bidders of this project register in module "+st.admittedBy+" (its eligibility and credit checks), which registers them here")
		}
		own, err := s.Entities.Ref(ctx, a.EntityID, "")
		if err != nil {
			return err
		}
		uscc, name := own.USCC, own.Name
		if uscc == st.tenderer {
			return yserr.New(yserr.Conflict, "招标人不能投标本项目", "the tenderer cannot bid for its own project")
		}
		ps, err := pseudonym()
		if err != nil {
			return err
		}
		err = s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO bideval_bids (project_id, entity_id, uscc, name, pseudonym, project_manager, registered_by, registered_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7,$8) RETURNING id`, projectID, a.EntityID, uscc, name, ps, in.ProjectManager, nullID(a.UserID), s.Clock.Now()).Scan(&id)
		if db.IsUnique(err) {
			return yserr.New(yserr.Conflict, "本单位已登记投标本项目", "your entity is already registered for this project")
		}
		if err != nil {
			return err
		}
		if err := s.Draw.AddBidder(ctx, projectID, uscc); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "bideval.register", "bideval_bid", strconv.FormatInt(id, 10), nil,
			map[string]any{"project": st.ProjectCode, "uscc": uscc, "pseudonym": ps}, name)
	})
	if err != nil {
		return nil, err
	}
	return s.MyBid(ctx, projectID)
}

// Upload stores a new version of a part of the caller's bid before the
// deadline: .pdf, .docx or .txt, at most MaxFileBytes; the commercial part
// carries the declared price in yuan. The technical part is read for the
// identity-leak check: every hit is flagged for the centre, returned to the
// bidder as a warning, and the experts will get the text with the hits
// blacked out instead of the file. It returns the receipt.
func (s *Service) Upload(ctx context.Context, projectID int64, part, name string, data []byte, priceYuan string) (*File, error) {
	a, err := bidder(ctx)
	if err != nil {
		return nil, err
	}
	var v yserr.Validation
	if part != PartTechnical && part != PartCommercial {
		v.Add("part", "请选择技术标或商务标", "the part must be technical or commercial")
	}
	mime, ferr := checkFile(name, data, s.maxFile())
	if ferr != nil {
		v.AddErr("file", ferr)
	}
	var price *int64
	if part == PartCommercial {
		fen, err := parseYuan(priceYuan)
		if err != nil {
			v.AddErr("price_yuan", err)
		}
		price = &fen
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	// Bids are sealed: the file store keeps them encrypted.
	up, err := s.Files.Check(name, "", bytes.NewReader(data), filestore.Options{MaxBytes: s.maxFile(), Allowed: bidTypes, Encrypt: true})
	if err != nil {
		return nil, err
	}
	hash := up.SHA256
	var f *File
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		if st.Status != StatusOpen {
			return deadlinePassed(st)
		}
		var bidID int64
		var manager string
		err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id, project_manager FROM bideval_bids WHERE project_id = $1 AND entity_id = $2",
			projectID, a.EntityID).Scan(&bidID, &manager)
		if db.IsNoRows(err) {
			return yserr.New(yserr.Conflict, "请先登记投标本项目", "register for this project first")
		}
		if err != nil {
			return err
		}
		var version int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) + 1 FROM bideval_files WHERE bid_id = $1 AND part = $2",
			bidID, part).Scan(&version); err != nil {
			return err
		}
		status, chars := "", 0
		var leaks []Leak
		var redacted []byte
		if part == PartTechnical {
			id, err := s.identity(ctx, a.EntityID, manager)
			if err != nil {
				return err
			}
			text, err := ExtractText(name, data)
			switch {
			case err == ErrUnsupported:
				status = "unsupported"
			case err != nil:
				status = "error"
			case strings.TrimSpace(text) == "":
				status = "empty"
			default:
				status, chars = "read", utf8.RuneCountInString(text)
				leaks = FindLeaks(text, id)
				if len(leaks) > 0 {
					redacted = s.Keys.Encrypt(Redact(text, id))
				}
			}
		}
		now := s.Clock.Now()
		f = &File{BidID: bidID, Part: part, Version: version, FileName: cleanName(name), MIME: mime, Size: int64(len(data)),
			SHA256: hash, TextStatus: status, TextChars: chars, UploadedAt: now, priceFen: price}
		stored, err := s.Files.Save(ctx, FileOwner, up)
		if err != nil {
			return err
		}
		if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO bideval_files (bid_id, part, version, file_name, mime, size, sha256, content_enc,
			price_fen, text_status, text_chars, uploaded_by, uploaded_at, file_id, redacted_enc) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15) RETURNING id`,
			bidID, part, version, f.FileName, mime, f.Size, hash, []byte{}, price, status, chars, nullID(a.UserID), now, stored.ID, redacted).Scan(&f.ID); err != nil {
			return err
		}
		f.Warnings = leaks
		for _, l := range leaks {
			if _, err := s.DB.Q(ctx).Exec(ctx, "INSERT INTO bideval_flags (file_id, kind, term, hits) VALUES ($1,$2,$3,$4)",
				f.ID, l.Kind, l.Term, l.Count); err != nil {
				return err
			}
		}
		return s.Audit.Record(ctx, "bideval.upload", "bideval_bid", strconv.FormatInt(bidID, 10), nil,
			map[string]any{"part": part, "version": version, "sha256": hash, "size": f.Size, "leaks": len(leaks), "text": status},
			fmt.Sprintf("%s v%d %s", part, version, f.FileName))
	})
	if err != nil {
		return nil, err
	}
	if price != nil {
		f.PriceYuan = fmtYuan(*price)
	}
	return f, nil
}

// identity is what must not appear in the entity's technical part: its
// name and credit code, its legal representative, the people of its user
// accounts (contacts) and the declared project manager.
func (s *Service) identity(ctx context.Context, entityID int64, manager string) (Identity, error) {
	var id Identity
	ent, err := s.Entities.Ref(ctx, entityID, "")
	if err != nil {
		return id, err
	}
	id.Name, id.USCC = ent.Name, ent.USCC
	rep := ent.LegalRepName
	people := []string{rep, manager}
	bound, err := s.Accounts.EntityUsers(ctx, []int64{entityID})
	if err != nil {
		return id, err
	}
	users, err := s.Accounts.UserRefs(ctx, bound[entityID])
	if err != nil {
		return id, err
	}
	for _, u := range bound[entityID] {
		people = append(people, users[u].DisplayName)
	}
	for _, p := range people {
		p = strings.TrimSpace(p)
		if personName(p) && !slices.Contains(id.People, p) {
			id.People = append(id.People, p)
		}
	}
	return id, nil
}

// personName accepts 2-6 Han characters (with an optional middle dot) or
// a Latin name: display names such as "交易中心（测试）" are not people.
func personName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 30 {
		return false
	}
	han := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Han, r):
			han++
		case r == '·' || r == ' ' || r == '.' || unicode.IsLetter(r) && r < 0x250:
		default:
			return false
		}
	}
	return han == 0 || (han >= 2 && han <= 6)
}

var allowedExt = map[string]string{".pdf": "application/pdf", ".txt": "text/plain; charset=utf-8",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

// FileOwner names the bideval module's files in the shared file store.
const FileOwner = "bideval"

// bidTypes are the bid file types the file store accepts (by content).
var bidTypes = []string{filestore.PDF, filestore.DOCX, filestore.Text}

// MoveFilesToStore moves bid files kept in bideval_files.content_enc
// (before the file store) into the store, encrypted, records the file and
// empties the old column, one file per transaction. It runs at start-up
// and is idempotent. The content must match the recorded SHA-256, so the
// bidders' receipts still verify; a row that does not is left as it is and
// reported. It returns the number moved.
func (s *Service) MoveFilesToStore(ctx context.Context) (int, error) {
	var ids []int64
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT id FROM bideval_files WHERE file_id IS NULL ORDER BY id")
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
	return s.Files.MoveKept(ctx, FileOwner, "bid file", ids,
		func(ctx context.Context, id int64) (*filestore.Kept, string, error) {
			var k filestore.Kept
			var enc []byte
			err := s.DB.W(ctx).QueryRow(ctx, "SELECT file_name, mime, sha256, content_enc FROM bideval_files WHERE id = $1 AND file_id IS NULL", id).
				Scan(&k.Name, &k.Type, &k.SHA256, &enc)
			if db.IsNoRows(err) {
				return nil, "", nil // moved meanwhile by another instance
			}
			if err != nil {
				return nil, "", err
			}
			plain, err := s.Keys.Decrypt(enc)
			if err != nil {
				return nil, fmt.Sprintf("(%s): %v", k.Name, err), nil
			}
			k.Data = []byte(plain)
			return &k, "", nil
		},
		func(ctx context.Context, id, fileID int64) error {
			_, err := s.DB.W(ctx).Exec(ctx, "UPDATE bideval_files SET file_id = $1, content_enc = $2 WHERE id = $3", fileID, []byte{}, id)
			return err
		})
}

// checkFile accepts .pdf, .docx and .txt files whose content matches the
// extension, non-empty and at most limit bytes; it returns the MIME type.
func checkFile(name string, data []byte, limit int64) (string, error) {
	ext := strings.ToLower(filepath.Ext(name))
	mime, ok := allowedExt[ext]
	if !ok {
		return "", yserr.Field("file", "只接受 PDF、DOCX 或 TXT 文件："+name, "only PDF, DOCX or TXT files are accepted: "+name)
	}
	if len(data) == 0 {
		return "", yserr.Field("file", "文件为空", "the file is empty")
	}
	if int64(len(data)) > limit {
		return "", yserr.Field("file", fmt.Sprintf("文件过大（最多 %d MB）", limit>>20), fmt.Sprintf("the file is too large (at most %d MB)", limit>>20))
	}
	bad := yserr.Field("file", "文件内容与扩展名 "+ext+" 不符", "the file's content does not match its extension "+ext)
	switch ext {
	case ".pdf":
		if !bytes.HasPrefix(data, []byte("%PDF-")) {
			return "", bad
		}
	case ".docx":
		zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
		if err != nil || !slices.ContainsFunc(zr.File, func(f *zip.File) bool { return f.Name == "word/document.xml" }) {
			return "", bad
		}
	case ".txt":
		utf16 := len(data) >= 2 && ((data[0] == 0xFE && data[1] == 0xFF) || (data[0] == 0xFF && data[1] == 0xFE))
		if !utf16 && (!utf8.Valid(data) || bytes.IndexByte(data, 0) >= 0) {
			return "", yserr.Field("file", "TXT 文件须为 UTF-8 或带 BOM 的 UTF-16 文本", "a TXT file must be UTF-8 text (or UTF-16 with a byte-order mark)")
		}
	}
	return mime, nil
}

func cleanName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return -1
		}
		return r
	}, name)
	if utf8.RuneCountInString(name) > 120 {
		name = string([]rune(name)[:120])
	}
	return name
}

// parseYuan reads a positive price in yuan with at most 2 decimals
// ("8350000", "8,350,000.50") into fen. Each error says what is wrong with
// the value as typed.
func parseYuan(s string) (int64, error) {
	typed := strings.TrimSpace(s)
	s = strings.NewReplacer(",", "", "，", "", " ", "", "¥", "", "￥", "", "元", "").Replace(typed)
	bad := func(zh, en string) error {
		return yserr.Field("price_yuan", zh, en)
	}
	if s == "" {
		return 0, bad("请填写投标报价（元）", "enter the bid price in yuan")
	}
	if strings.HasPrefix(s, "-") {
		return 0, bad("投标报价不能为负数：「"+typed+"」", "the bid price cannot be negative: "+typed)
	}
	whole, frac, dot := strings.Cut(s, ".")
	if strings.Contains(frac, ".") {
		return 0, bad("投标报价只能有一个小数点：「"+typed+"」", "the bid price has more than one decimal point: "+typed)
	}
	digits := func(x string) bool { return x != "" && strings.Trim(x, "0123456789") == "" }
	if !digits(whole) || dot && !digits(frac) {
		return 0, bad("投标报价只能填数字（可带千位分隔符和小数点），「"+typed+"」不是金额", "the bid price must be a number (thousands separators and a decimal point allowed): "+typed+" is not an amount")
	}
	if len(frac) > 2 {
		return 0, bad("投标报价最多两位小数（到分）：「"+typed+"」有 "+strconv.Itoa(len(frac))+" 位", "the bid price has at most 2 decimals (fen): "+typed+" has "+strconv.Itoa(len(frac)))
	}
	for len(frac) < 2 {
		frac += "0"
	}
	y, err1 := strconv.ParseInt(whole, 10, 64)
	f, _ := strconv.ParseInt(frac, 10, 64)
	if err1 != nil || y > 1e13 {
		return 0, bad("投标报价过大：「"+typed+"」", "the bid price is too large: "+typed)
	}
	fen := y*100 + f
	if fen <= 0 {
		return 0, bad("投标报价须大于 0", "the bid price must be above 0")
	}
	return fen, nil
}

func fmtYuan(fen int64) string { return fmt.Sprintf("%d.%02d", fen/100, fen%100) }

// MyBid returns the caller's bid on the project with every version of its
// files (the receipts) and its own declared prices. Its virtual code is
// told only after the audited unmasking: a bidder who knew it could tell a
// member of the committee.
func (s *Service) MyBid(ctx context.Context, projectID int64) (*Bid, error) {
	a, err := bidder(ctx)
	if err != nil {
		return nil, err
	}
	var id int64
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT id FROM bideval_bids WHERE project_id = $1 AND entity_id = $2", projectID, a.EntityID).Scan(&id)
	if db.IsNoRows(err) {
		return nil, yserr.ErrNotFound("本单位的投标", "your bid")
	}
	if err != nil {
		return nil, err
	}
	bids, err := s.loadBids(ctx, projectID, id)
	if err != nil {
		return nil, err
	}
	b := &bids[0]
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	if !revealed(st) {
		b.Code = ""
	}
	for i := range b.Files {
		if p := b.Files[i].priceFen; p != nil {
			b.Files[i].PriceYuan = fmtYuan(*p)
		}
	}
	if b.Commercial != nil && b.Commercial.priceFen != nil {
		b.Commercial.PriceYuan = fmtYuan(*b.Commercial.priceFen)
	}
	b.Flags = nil // the leak check is the centre's business
	return b, nil
}

// loadBids loads a project's bids (one when bidID != 0) with their files
// and flags; prices stay in priceFen, codes as stored.
func (s *Service) loadBids(ctx context.Context, projectID, bidID int64) ([]Bid, error) {
	q := `SELECT id, project_id, entity_id, uscc, name, pseudonym, code, project_manager, registered_at FROM bideval_bids WHERE project_id = $1`
	args := []any{projectID}
	if bidID != 0 {
		q += " AND id = $2"
		args = append(args, bidID)
	}
	rows, err := s.DB.Q(ctx).Query(ctx, q+" ORDER BY registered_at, id", args...)
	if err != nil {
		return nil, err
	}
	var out []Bid
	for rows.Next() {
		var b Bid
		if err := rows.Scan(&b.ID, &b.ProjectID, &b.entityID, &b.USCC, &b.Name, &b.Pseudonym, &b.Code, &b.ProjectManager, &b.RegisteredAt); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, b)
	}
	rows.Close()
	for i := range out {
		b := &out[i]
		frows, err := s.DB.Q(ctx).Query(ctx, `SELECT id, bid_id, part, version, file_name, mime, size, sha256, price_fen, text_status, text_chars, uploaded_at
			FROM bideval_files WHERE bid_id = $1 ORDER BY uploaded_at DESC, id DESC`, b.ID)
		if err != nil {
			return nil, err
		}
		for frows.Next() {
			var f File
			if err := frows.Scan(&f.ID, &f.BidID, &f.Part, &f.Version, &f.FileName, &f.MIME, &f.Size, &f.SHA256, &f.priceFen, &f.TextStatus,
				&f.TextChars, &f.UploadedAt); err != nil {
				frows.Close()
				return nil, err
			}
			b.Files = append(b.Files, f)
		}
		frows.Close()
		for j := range b.Files {
			f := b.Files[j]
			if f.Part == PartTechnical && b.Technical == nil {
				b.Technical = &f
			}
			if f.Part == PartCommercial && b.Commercial == nil {
				b.Commercial = &f
			}
		}
		b.Complete = b.Technical != nil && b.Commercial != nil
		flags, err := s.DB.Q(ctx).Query(ctx, `SELECT g.id, g.file_id, f.version, g.kind, g.term, g.hits, g.disposition, g.note, g.reviewed_at
			FROM bideval_flags g JOIN bideval_files f ON f.id = g.file_id WHERE f.bid_id = $1 ORDER BY f.version DESC, g.id`, b.ID)
		if err != nil {
			return nil, err
		}
		for flags.Next() {
			var g Flag
			if err := flags.Scan(&g.ID, &g.FileID, &g.Version, &g.Kind, &g.Term, &g.Hits, &g.Disposition, &g.Note, &g.ReviewedAt); err != nil {
				flags.Close()
				return nil, err
			}
			b.Flags = append(b.Flags, g)
		}
		flags.Close()
	}
	return out, nil
}

// Bids lists a project's bids for the centre's staff and supervisors:
// bidders, files with hashes, leak flags. Prices stay sealed until the
// unmasking; codes are shown to supervisors always and to staff after it.
func (s *Service) Bids(ctx context.Context, projectID int64) ([]Bid, error) {
	st, err := s.settings(ctx, projectID)
	if err != nil {
		return nil, err
	}
	a := auth.From(ctx)
	if !isCentre(a, st) && !a.Has(auth.Supervisor) {
		return nil, yserr.New(yserr.Forbidden, "投标人名单在开标前只对交易中心和监督人员可见", "the list of bidders is visible only to the trading centre and supervisors")
	}
	bids, err := s.loadBids(ctx, projectID, 0)
	if err != nil {
		return nil, err
	}
	unmasked := revealed(st)
	for i := range bids {
		b := &bids[i]
		if !unmasked && !a.Has(auth.Supervisor) && !a.IsSystem() {
			b.Code = ""
		}
		if unmasked {
			for _, f := range []*File{b.Commercial} {
				if f != nil && f.priceFen != nil {
					f.PriceYuan = fmtYuan(*f.priceFen)
				}
			}
		}
	}
	return bids, nil
}

// DisposeInput records the staff's decision on a leak flag.
type DisposeInput struct {
	Disposition string `json:"disposition" enum:"false_positive,confirmed"`
	Note        string `json:"note" doc:"the reason for the decision (required)"`
}

// Dispose records the centre's disposition of a leak flag.
func (s *Service) Dispose(ctx context.Context, flagID int64, in DisposeInput) (*Flag, error) {
	in.Note = strings.TrimSpace(in.Note)
	var v yserr.Validation
	if in.Disposition != FlagFalsePositive && in.Disposition != FlagConfirmed {
		v.Add("disposition", "处理结果须为“误报”或“确认泄露”", "the disposition must be false_positive or confirmed")
	}
	if in.Note == "" {
		v.Add("note", "请写明处理理由", "give the reason for the decision")
	}
	if utf8.RuneCountInString(in.Note) > 500 {
		v.Add("note", "处理意见最多 500 字", "the note has at most 500 characters")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	var out Flag
	err := s.DB.WithTx(ctx, func(ctx context.Context) error {
		var projectID int64
		var before Flag
		err := s.DB.Q(ctx).QueryRow(ctx, `SELECT b.project_id, g.disposition, g.note FROM bideval_flags g JOIN bideval_files f ON f.id = g.file_id
			JOIN bideval_bids b ON b.id = f.bid_id WHERE g.id = $1`, flagID).Scan(&projectID, &before.Disposition, &before.Note)
		if db.IsNoRows(err) {
			return yserr.ErrNotFound("标记", "flag")
		}
		if err != nil {
			return err
		}
		st, err := s.settings(ctx, projectID)
		if err != nil {
			return err
		}
		if _, err := s.centre(ctx, st); err != nil {
			return err
		}
		if revealed(st) {
			return yserr.New(yserr.Conflict, "已揭示编码，不能再处理标记", "the codes are unmasked; flags can no longer be changed")
		}
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE bideval_flags SET disposition = $1, note = $2, reviewed_by = $3, reviewed_at = $4 WHERE id = $5",
			in.Disposition, in.Note, actorID(ctx), s.Clock.Now(), flagID); err != nil {
			return err
		}
		if err := s.Audit.Record(ctx, "bideval.flag", "bideval_flag", strconv.FormatInt(flagID, 10), before, in, st.ProjectCode); err != nil {
			return err
		}
		return s.DB.Q(ctx).QueryRow(ctx, `SELECT g.id, g.file_id, f.version, g.kind, g.term, g.hits, g.disposition, g.note, g.reviewed_at
			FROM bideval_flags g JOIN bideval_files f ON f.id = g.file_id WHERE g.id = $1`, flagID).Scan(&out.ID, &out.FileID, &out.Version,
			&out.Kind, &out.Term, &out.Hits, &out.Disposition, &out.Note, &out.ReviewedAt)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Conflict is a drawn expert whose employer is a registered bidder or who
// declared a relation to one (a bidder that registered after the draw).
type Conflict struct {
	AssignmentID int64  `json:"assignment_id"`
	Pseudonym    string `json:"pseudonym"`
	Name         string `json:"name"`
	Status       string `json:"status"`
	Bidder       string `json:"bidder"`
	Reason       string `json:"reason" enum:"employer_is_bidder,declared_relation"`
}

// Conflicts lists drawn experts (not declined) conflicting with a
// registered bidder, for the centre to replace.
func (s *Service) Conflicts(ctx context.Context, projectID int64) ([]Conflict, error) {
	if _, err := s.Bids(ctx, projectID); err != nil {
		return nil, err
	}
	seats, err := s.Draw.CommitteeSeats(ctx, projectID, "standby", "notified", "confirmed")
	if err != nil {
		return nil, err
	}
	type bidder struct{ uscc, name string }
	var bidders []bidder
	rows, err := s.DB.Q(ctx).Query(ctx, "SELECT uscc, name FROM bideval_bids WHERE project_id = $1 ORDER BY id", projectID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var b bidder
		if err := rows.Scan(&b.uscc, &b.name); err != nil {
			return nil, err
		}
		bidders = append(bidders, b)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	slices.SortFunc(seats, func(x, y draw.CommitteeSeat) int { return cmp.Compare(x.AssignmentID, y.AssignmentID) })
	var out []Conflict
	for _, seat := range seats {
		for _, b := range bidders {
			reason := ""
			switch {
			case seat.EmployerUSCC == b.uscc:
				reason = "employer_is_bidder"
			case slices.Contains(seat.Relations, b.uscc):
				reason = "declared_relation"
			default:
				continue
			}
			out = append(out, Conflict{AssignmentID: seat.AssignmentID, Pseudonym: seat.Pseudonym, Name: seat.Name, Status: seat.Status, Bidder: b.name, Reason: reason})
		}
	}
	return out, nil
}

package license

// Person holders without an account (个人持证人). A person who holds a
// licence (a food-stall owner, a driver, a practitioner) has no enterprise
// account: the ledger gives his or her resident ID number and mobile
// number. To see "my licences" and answer a reminder, the person proves
// both: the ID number finds the licences, and an SMS code sent to the
// mobile number on those licences proves the phone. The proof is a signed,
// short-lived holder token (no account, no password), kept by the web
// pages in a cookie.

import (
	"context"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// PurposeHolder keeps the holders' SMS codes apart from other flows'.
const PurposeHolder = "license_holder"

// HolderTTL is how long a holder token is valid after the SMS code.
const HolderTTL = 30 * time.Minute

// PhoneCodes sends and verifies SMS codes (account.PhoneCodes).
type PhoneCodes interface {
	Send(ctx context.Context, purpose, phone, lang string) (string, error)
	Verify(ctx context.Context, purpose, phone, code string) error
}

// Holder is a person holder signed in by ID number and SMS code.
type Holder struct {
	IDHash    string    `json:"h"`
	PhoneHash string    `json:"p"`
	Expires   time.Time `json:"e"`
	// Filled from the licences when loaded, never from the token.
	Name      string `json:"-"`
	IDMask    string `json:"-"`
	PhoneMask string `json:"-"`
}

// HolderInput is the sign-in form.
type HolderInput struct {
	IDNumber string `json:"id_number"`
	Phone    string `json:"phone"`
	Code     string `json:"code,omitempty"`
	Lang     string `json:"lang,omitempty"`
}

func (in *HolderInput) normalize(now time.Time) error {
	in.IDNumber = strings.ToUpper(strings.TrimSpace(in.IDNumber))
	in.Phone = ident.NormalizeMobile(in.Phone)
	var v yserr.Validation
	if err := ident.ValidateIDCardAt(in.IDNumber, now); err != nil {
		v.Add("id_number", "请输入正确的 18 位居民身份证号码", "enter a valid 18-character resident ID number")
	}
	if err := ident.ValidateMobile(in.Phone); err != nil {
		v.Add("phone", "请输入正确的 11 位手机号码", "enter a valid 11-digit mobile number")
	}
	return v.Err()
}

// errNoHolderLicences is the answer when the pair does not match: it does
// not say which of the two is wrong.
func errNoHolderLicences() error {
	return yserr.Field("phone", "未找到与该身份证号码和手机号码对应的证照；如手机号码已变更，请联系发证部门更新",
		"no licence matches this ID number and mobile number; if your number changed, ask the issuing department to update it")
}

// HolderSendCode checks that licences of a person holder carry this ID
// number and mobile number and sends an SMS code to the number. It returns
// the masked number.
func (s *Service) HolderSendCode(ctx context.Context, in HolderInput) (string, error) {
	if err := in.normalize(s.Clock.Now()); err != nil {
		return "", err
	}
	ls, err := s.holderLicences(ctx, s.Keys.Index(in.IDNumber), in.Phone)
	if err != nil {
		return "", err
	}
	if len(ls) == 0 {
		return "", errNoHolderLicences()
	}
	if s.Codes == nil {
		return "", yserr.New(yserr.Unavailable, "短信验证码服务未配置", "SMS codes are not configured")
	}
	return s.Codes.Send(ctx, PurposeHolder, in.Phone, in.Lang)
}

// HolderSignIn verifies the SMS code and returns a holder token.
func (s *Service) HolderSignIn(ctx context.Context, in HolderInput) (string, error) {
	if err := in.normalize(s.Clock.Now()); err != nil {
		return "", err
	}
	if s.Codes == nil {
		return "", yserr.New(yserr.Unavailable, "短信验证码服务未配置", "SMS codes are not configured")
	}
	if err := s.Codes.Verify(ctx, PurposeHolder, in.Phone, strings.TrimSpace(in.Code)); err != nil {
		return "", err
	}
	h := Holder{IDHash: s.Keys.Index(in.IDNumber), PhoneHash: s.Keys.Index(in.Phone), Expires: s.Clock.Now().Add(HolderTTL).UTC().Truncate(time.Second)}
	payload, err := json.Marshal(h)
	if err != nil {
		return "", err
	}
	p := base64.RawURLEncoding.EncodeToString(payload)
	sys := auth.WithActor(ctx, auth.System("license-holder"))
	if err := s.Audit.Record(sys, "license.holder_sign_in", "license_holder", h.IDHash[:16], nil, nil, "ID number and SMS code to "+ident.MaskMobile(in.Phone)); err != nil {
		return "", err
	}
	return p + "." + s.holderMAC(p), nil
}

func (s *Service) holderMAC(payload string) string {
	return s.Keys.Index("license-holder-token:" + payload)
}

// ParseHolder checks a holder token's signature and lifetime.
func (s *Service) ParseHolder(token string) (*Holder, error) {
	p, mac, ok := strings.Cut(token, ".")
	expired := yserr.New(yserr.Unauthorized, "查询已过期，请重新验证身份证号码和手机号码", "your session has expired: verify your ID number and mobile number again")
	if !ok || subtle.ConstantTimeCompare([]byte(mac), []byte(s.holderMAC(p))) != 1 {
		return nil, expired
	}
	raw, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return nil, expired
	}
	var h Holder
	if err := json.Unmarshal(raw, &h); err != nil || h.IDHash == "" || !s.Clock.Now().Before(h.Expires) {
		return nil, expired
	}
	return &h, nil
}

// HolderLicences returns the licences of the person holder of the token,
// soonest expiry first, and fills the holder's masked name and numbers.
func (s *Service) HolderLicences(ctx context.Context, token string) (*Holder, []*License, error) {
	h, err := s.ParseHolder(token)
	if err != nil {
		return nil, nil, err
	}
	ls, err := s.holderLicencesByHash(ctx, h.IDHash, h.PhoneHash)
	if err != nil {
		return nil, nil, err
	}
	if len(ls) > 0 {
		h.Name, h.IDMask, h.PhoneMask = ident.MaskName(ls[0].HolderName), ls[0].HolderID, ls[0].Phone
	}
	return h, ls, nil
}

// HolderAnswer records the person holder's answer to a reminder of one of
// his or her licences, as Answer does for enterprise users.
func (s *Service) HolderAnswer(ctx context.Context, token string, id int64, answer string) error {
	h, err := s.ParseHolder(token)
	if err != nil {
		return err
	}
	ls, err := s.holderLicencesByHash(ctx, h.IDHash, h.PhoneHash)
	if err != nil {
		return err
	}
	for _, l := range ls {
		if l.ID == id {
			actor := &auth.Actor{Username: "holder:" + h.IDHash[:16], Name: l.HolderName, Via: "holder"}
			return s.answer(auth.WithActor(ctx, actor), id, answer, func(*License) bool { return true })
		}
	}
	return yserr.ErrNotFound("证照", "licence")
}

// holderLicences finds the person licences with this ID hash whose
// phone is phone.
func (s *Service) holderLicences(ctx context.Context, idHash, phone string) ([]*License, error) {
	return s.holderLicencesByHash(ctx, idHash, s.Keys.Index(phone))
}

// holderLicencesByHash lists the licences of a person (by the blind index
// of the ID number) whose stored phone has the blind index phoneHash. The
// type list in the condition lets both engines use the (type_id,
// holder_id_hash) index.
func (s *Service) holderLicencesByHash(ctx context.Context, idHash, phoneHash string) ([]*License, error) {
	if idHash == "" || phoneHash == "" {
		return nil, nil
	}
	rows, err := s.DB.Q(ctx).Query(ctx, `SELECT l.id, l.phone_enc FROM licenses l
		WHERE l.type_id IN (SELECT id FROM license_types) AND l.holder_id_hash = $1 AND l.entity_id IS NULL`, idHash)
	if err != nil {
		return nil, err
	}
	var ids []int64
	for rows.Next() {
		var id int64
		var enc []byte
		if err := rows.Scan(&id, &enc); err != nil {
			rows.Close()
			return nil, err
		}
		if len(enc) == 0 {
			continue
		}
		phone, err := s.Keys.Decrypt(enc)
		if err != nil {
			rows.Close()
			return nil, err
		}
		if subtle.ConstantTimeCompare([]byte(s.Keys.Index(ident.NormalizeMobile(phone))), []byte(phoneHash)) == 1 {
			ids = append(ids, id)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(ids) == 0 {
		return []*License{}, nil
	}
	marks, args := make([]string, len(ids)), make([]any, len(ids))
	for i, id := range ids {
		marks[i], args[i] = "$"+strconv.Itoa(i+1), id
	}
	return s.queryLicenses(ctx, "SELECT "+licenseCols+licenseFrom+" WHERE l.id IN ("+strings.Join(marks, ",")+") ORDER BY l.expires_on, l.id", args...)
}

// HolderType returns a catalogue entry (the renewal guidance) for a signed
// in person holder.
func (s *Service) HolderType(ctx context.Context, token string, typeID int64) (*Type, error) {
	if _, err := s.ParseHolder(token); err != nil {
		return nil, err
	}
	return s.typeByID(ctx, typeID)
}

// holderLink is where a reminder's holder sees the licence and answers:
// "my licences" for an enterprise, the person holders' page otherwise.
func (s *Service) holderLink(l *License) string {
	return strings.TrimRight(s.BaseURL, "/") + holderPath(l)
}

// holderPath is where the holder of l acts on it: the enterprise's licence
// list when it is bound to an entity, else the holder page (sign-in by SMS
// code).
func holderPath(l *License) string {
	if l.EntityID != 0 {
		return "/my/licenses"
	}
	return "/licenses/holder"
}

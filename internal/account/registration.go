package account

// Enterprise self-registration (企业自助注册).
//
// A person who acts for a market entity registers with the entity's
// unified social credit code and a mobile number confirmed by an SMS code.
// The new account has the enterprise role and is bound to the entity at
// once when the mobile number is the entity's registered phone (method
// auto); otherwise a binding request waits for an admin of the department
// that manages the entity (method manual, see bindings.go).

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/notify"
	"yingshang/internal/yserr"
)

// SMS verification code limits.
const (
	PurposeRegister = "register"       // sms_codes.purpose of registration codes
	CodeTTL         = 10 * time.Minute // a code's lifetime
	CodeMaxAttempts = 5                // wrong entries before a code is void
	CodeInterval    = time.Minute      // at most one code per phone in this time
	CodesPerDay     = 10               // at most this many codes per phone in 24 hours
)

// Registrar runs enterprise self-registration and the review of binding
// requests. It needs the entity registry (to find the entity and its
// registered phone) and the outbox (codes and decisions are sent by SMS
// and in-app).
//
// Error contract: bad input gives yserr.Invalid naming the form field
// (uscc, name, phone, username, password, password_confirm, code, reason);
// too many codes gives yserr.TooMany on the phone (or code) field; a taken
// username or phone gives yserr.Conflict; acting on a binding request that
// was already decided gives yserr.Conflict; a request outside the caller's
// department scope is yserr.NotFound.
type Registrar struct {
	Accounts *Service
	Entities *entity.Service
	Notify   *notify.Service
}

// RegistrationInput is the registration form. Step 1 (SendCode) needs
// USCC, Name, Phone and Username; step 2 (Register) everything.
type RegistrationInput struct {
	USCC     string `json:"uscc"`
	Name     string `json:"name" doc:"the applicant's name"`
	Phone    string `json:"phone" doc:"the applicant's mobile number"`
	Username string `json:"username"`
	Password string `json:"password,omitempty"`
	Confirm  string `json:"password_confirm,omitempty"`
	Code     string `json:"code,omitempty" doc:"the 6-digit SMS code"`
	Lang     string `json:"lang,omitempty" enum:"zh-CN,en"`
}

// Registered is the outcome of a registration.
type Registered struct {
	UserID  int64
	Binding *Binding
}

var codeRe = regexp.MustCompile(`^[0-9]{6}$`)

// Validate normalises and checks the input; final adds the password and
// the code (step 2).
func (in *RegistrationInput) Validate(final bool) error {
	var v yserr.Validation
	in.USCC = ident.NormalizeUSCC(in.USCC)
	in.Name = strings.TrimSpace(in.Name)
	in.Phone = ident.NormalizeMobile(in.Phone)
	in.Username = strings.TrimSpace(in.Username)
	in.Code = strings.TrimSpace(in.Code)
	if err := ident.ValidateUSCC(in.USCC); err != nil {
		v.AddErr("uscc", err)
	}
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 50 {
		v.Add("name", "申请人姓名必填，最多 50 字", "your name is required, at most 50 characters")
	}
	if err := ident.ValidateMobile(in.Phone); err != nil {
		v.AddErr("phone", err)
	}
	if !usernameRe.MatchString(in.Username) {
		v.Add("username", "用户名须为 3-64 位字母、数字或 . _ @ -", "username must be 3-64 letters, digits or . _ @ -")
	}
	if final {
		if err := auth.ValidatePassword(in.Password); err != nil {
			v.AddErr("password", err)
		} else if in.Confirm != in.Password {
			v.Add("password_confirm", "两次输入的密码不一致", "the passwords do not match")
		}
		if !codeRe.MatchString(in.Code) {
			v.Add("code", "请输入 6 位短信验证码", "enter the 6-digit SMS code")
		}
	}
	if in.Lang != "en" {
		in.Lang = "zh-CN"
	}
	return v.Err()
}

// SendCode checks step 1 of the form and sends a registration code to the
// phone. It returns the masked phone. Codes are limited per phone: one per
// CodeInterval and CodesPerDay in 24 hours.
func (r *Registrar) SendCode(ctx context.Context, in RegistrationInput) (string, error) {
	if err := in.Validate(false); err != nil {
		return "", err
	}
	if _, err := r.entity(ctx, in.USCC); err != nil {
		return "", err
	}
	if err := r.checkFree(ctx, in); err != nil {
		return "", err
	}
	return sendCode(ctx, r.Accounts, r.Notify, PurposeRegister, in.Phone, in.Lang)
}

// entity finds the entity a registration names.
func (r *Registrar) entity(ctx context.Context, uscc string) (*entity.Entity, error) {
	e, err := r.Entities.GetByUSCC(auth.WithActor(ctx, auth.System("registration")), uscc)
	if yserr.Is(err, yserr.NotFound) {
		return nil, yserr.Field("uscc", "未在经营主体名录中找到该统一社会信用代码", "this unified social credit code is not in the market-entity register")
	}
	if err != nil {
		return nil, err
	}
	if e.Status == entity.StatusRevoked || e.Status == entity.StatusCancelled {
		return nil, yserr.Field("uscc", "该经营主体已"+e.Status.Label("zh")+"，不能注册", "this market entity is "+strings.ToLower(e.Status.Label("en"))+" and cannot register")
	}
	return e, nil
}

// checkFree refuses a taken username, or a phone that already has an
// enterprise account.
func (r *Registrar) checkFree(ctx context.Context, in RegistrationInput) error {
	q := r.Accounts.DB.Q(ctx)
	var n int
	if err := q.QueryRow(ctx, "SELECT COUNT(*) FROM users WHERE username = $1", in.Username).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return errUsernameTaken()
	}
	if err := q.QueryRow(ctx, `SELECT COUNT(*) FROM users u JOIN user_roles r ON r.user_id = u.id AND r.role = $2
		WHERE u.phone_hash = $1`, r.Accounts.Keys.Index(in.Phone), string(auth.Enterprise)).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		zh, en := "该手机号已注册企业账户，请直接登录", "this mobile number already has a business account: sign in instead"
		return fieldError(yserr.Conflict, "phone", zh, en)
	}
	return nil
}

// fieldError is a field error with another code than Invalid.
func fieldError(code yserr.Code, field, zh, en string) *yserr.Error {
	e := yserr.Field(field, zh, en)
	e.Code = code
	return e
}

func errUsernameTaken() *yserr.Error {
	return fieldError(yserr.Conflict, "username", "用户名已被使用", "username is taken")
}

// Register checks the code and creates the account with the enterprise
// role, not yet bound, and its binding request: approved and bound at once
// when the phone is the entity's registered phone, pending otherwise. The
// account, the binding, the code's use and the audit events commit
// together. The caller then starts a session (Service.StartSession).
func (r *Registrar) Register(ctx context.Context, in RegistrationInput) (*Registered, error) {
	if err := in.Validate(true); err != nil {
		return nil, err
	}
	e, err := r.entity(ctx, in.USCC)
	if err != nil {
		return nil, err
	}
	if err := r.checkFree(ctx, in); err != nil {
		return nil, err
	}
	codeID, err := checkCode(ctx, r.Accounts, PurposeRegister, in.Phone, in.Code)
	if err != nil {
		return nil, err
	}
	auto := e.Phone != "" && ident.NormalizeMobile(e.Phone) == in.Phone
	var out Registered
	err = r.Accounts.DB.WithTx(ctx, func(ctx context.Context) error {
		if err := useCode(ctx, r.Accounts, codeID); err != nil {
			return err
		}
		id, err := r.insertUser(ctx, in)
		if err != nil {
			return err
		}
		out.UserID = id
		ctx = auth.WithActor(ctx, &auth.Actor{UserID: id, Username: in.Username, Name: in.Name, Roles: []auth.Role{auth.Enterprise}, Via: "session"})
		bid, err := r.insertBinding(ctx, id, e.ID, auto)
		if err != nil {
			return err
		}
		if out.Binding, err = r.binding(ctx, bid); err != nil {
			return err
		}
		detail := "manual: waiting for the review of the entity's department"
		if auto {
			detail = "auto: the mobile number is the entity's registered phone"
		}
		return r.Accounts.Audit.Record(ctx, "binding.create", "enterprise_binding", strconv.FormatInt(bid, 10), nil, out.Binding, detail)
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// insertUser adds the enterprise account (the columns of CreateUser, with
// no entity yet) and records it in the audit trail as its own act.
func (r *Registrar) insertUser(ctx context.Context, in RegistrationInput) (int64, error) {
	s := r.Accounts
	now := s.now()
	var id int64
	err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO users (username, display_name, password_hash, department_id, entity_id,
		phone_enc, phone_mask, phone_hash, email, status, lang, created_at, updated_at)
		VALUES ($1,$2,$3,NULL,NULL,$4,$5,$6,'','active',$7,$8,$8) RETURNING id`,
		in.Username, in.Name, auth.HashPassword(in.Password),
		s.Keys.Encrypt(in.Phone), ident.MaskMobile(in.Phone), s.Keys.Index(in.Phone), in.Lang, now).Scan(&id)
	if db.IsUnique(err) {
		return 0, errUsernameTaken()
	}
	if err != nil {
		return 0, err
	}
	if err := s.setRoles(ctx, id, []auth.Role{auth.Enterprise}); err != nil {
		return 0, err
	}
	after := UserInput{Username: in.Username, DisplayName: in.Name, Phone: ident.MaskMobile(in.Phone), Roles: []auth.Role{auth.Enterprise}, Lang: in.Lang}
	actx := auth.WithActor(ctx, &auth.Actor{UserID: id, Username: in.Username})
	return id, s.Audit.Record(actx, "user.register", "user", strconv.FormatInt(id, 10), nil, after, "self-registration for "+in.USCC)
}

// insertBinding adds the binding request; an automatic one is approved
// and binds the account at once.
func (r *Registrar) insertBinding(ctx context.Context, userID, entityID int64, auto bool) (int64, error) {
	s := r.Accounts
	now := s.now()
	status, method := BindingPending, MethodManual
	var decided any
	if auto {
		status, method, decided = BindingApproved, MethodAuto, now
	}
	var id int64
	if err := s.DB.Q(ctx).QueryRow(ctx, `INSERT INTO enterprise_bindings (user_id, entity_id, status, method, reason, decided_at, created_at)
		VALUES ($1,$2,$3,$4,'',$5,$6) RETURNING id`, userID, entityID, status, method, decided, now).Scan(&id); err != nil {
		return 0, err
	}
	if auto {
		if _, err := s.DB.Q(ctx).Exec(ctx, "UPDATE users SET entity_id=$1, updated_at=$2 WHERE id=$3", entityID, now, userID); err != nil {
			return 0, err
		}
		if err := s.changed(ctx); err != nil {
			return 0, err
		}
		if err := s.Audit.Record(ctx, "user.bind", "user", strconv.FormatInt(userID, 10), nil, map[string]int64{"entity_id": entityID}, "bound automatically"); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// ManagedPhone returns the full phone number of an account the caller may
// manage (platform admins; department admins within their scope), for the
// edit form: UpdateUser stores the phone it is given, and the masked one
// in User would not do. It lives here rather than in users.go only because
// that file belongs to another change.
func (s *Service) ManagedPhone(ctx context.Context, id int64) (string, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin)
	if err != nil {
		return "", err
	}
	u, err := s.getUser(ctx, id)
	if err != nil {
		return "", err
	}
	if !mayManage(a, u.DepartmentID, u.Roles) {
		return "", yserr.ErrNotFound("用户", "user")
	}
	var enc []byte
	if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT phone_enc FROM users WHERE id = $1", id).Scan(&enc); err != nil {
		return "", err
	}
	return s.Keys.Decrypt(enc)
}

package account

import (
	"context"
	"strconv"

	"yingshang/internal/auth"
	"yingshang/internal/ident"
	"yingshang/internal/yserr"
)

// Reapply lets an enterprise user whose binding was rejected (or who has
// none) ask again, for the same or another entity, with the material the
// rejection asked for. It is refused while a request is pending or once
// the account is bound. Like registration, it is approved at once when the
// account's phone is the entity's registered phone.
func (r *Registrar) Reapply(ctx context.Context, uscc string) (*Binding, error) {
	a, err := auth.Require(ctx, auth.Enterprise)
	if err != nil {
		return nil, err
	}
	if a.EntityID != 0 {
		return nil, &yserr.Error{Code: yserr.Conflict, ZH: "账户已绑定企业", EN: "the account is already bound to a business"}
	}
	uscc = ident.NormalizeUSCC(uscc)
	if err := ident.ValidateUSCC(uscc); err != nil {
		v := yserr.Validation{}
		v.AddErr("uscc", err)
		return nil, v.Err()
	}
	e, err := r.entity(ctx, uscc)
	if err != nil {
		return nil, err
	}
	s := r.Accounts
	var out *Binding
	err = s.DB.WithTx(ctx, func(ctx context.Context) error {
		var pending int
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT COUNT(*) FROM enterprise_bindings WHERE user_id = $1 AND status = $2", a.UserID, BindingPending).Scan(&pending); err != nil {
			return err
		}
		if pending > 0 {
			return &yserr.Error{Code: yserr.Conflict, ZH: "已有待审核的绑定申请，请等待审核结果", EN: "a binding request is already waiting for review"}
		}
		var enc []byte
		if err := s.DB.Q(ctx).QueryRow(ctx, "SELECT phone_enc FROM users WHERE id = $1", a.UserID).Scan(&enc); err != nil {
			return err
		}
		phone, err := s.Keys.Decrypt(enc)
		if err != nil {
			return err
		}
		auto := phone != "" && e.Phone != "" && ident.NormalizeMobile(e.Phone) == phone
		id, err := r.insertBinding(ctx, a.UserID, e.ID, auto)
		if err != nil {
			return err
		}
		if out, err = r.binding(ctx, id); err != nil {
			return err
		}
		return s.Audit.Record(ctx, "binding.create", "enterprise_binding", strconv.FormatInt(id, 10), nil, out, "re-application")
	})
	return out, err
}

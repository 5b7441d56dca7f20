package policy

import (
	"bytes"
	"net/http"
	"strconv"

	"yingshang/internal/api"
	"yingshang/internal/appeal"
	"yingshang/internal/policy"
	"yingshang/internal/policy/rules"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// Statement PDF, public verification, .xlsx exports and payment batches.

const (
	viewVerify = "policy/verify"
	viewBatch  = "policy/batch"
	xlsxType   = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
)

func writePDF(w http.ResponseWriter, name string, b []byte) {
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b)
}

// writeXLSX renders an export into memory first, so that an error is
// still reported as an error page and not as half a file.
func writeXLSX(w http.ResponseWriter, name string, fill func(*bytes.Buffer) error) error {
	var buf bytes.Buffer
	if err := fill(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", xlsxType)
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err := w.Write(buf.Bytes())
	return err
}

func (h *handlers) year(r *http.Request) int {
	year, _ := strconv.Atoi(r.URL.Query().Get("year"))
	if year < 2000 || year > 2100 {
		year = h.s.App.Clock.Now().In(web.Shanghai).Year()
	}
	return year
}

func (h *handlers) statementPDF(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	c, pdf, err := h.svc.StatementPDF(r.Context(), v.Actor.EntityID, h.year(r))
	if err != nil {
		return err
	}
	writePDF(w, "statement-"+strconv.Itoa(c.Year)+"-"+c.Code+".pdf", pdf)
	return nil
}

func (h *handlers) statementXLSX(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	year := h.year(r)
	return writeXLSX(w, "statement-"+strconv.Itoa(year)+".xlsx", func(b *bytes.Buffer) error {
		return h.svc.ExportStatement(r.Context(), v.Actor.EntityID, year, b)
	})
}

func (h *handlers) verify(w http.ResponseWriter, r *http.Request) error {
	v := h.s.View(r, "")
	v.Title = v.T("红利账单核验", "Verify a benefit statement")
	code := r.URL.Query().Get("code")
	d := map[string]any{"Code": code}
	if code != "" {
		res, err := h.svc.VerifyStatement(r.Context(), code)
		if err != nil && !yserr.Is(err, yserr.NotFound) {
			return err
		}
		d["Result"], d["Checked"] = res, true
	}
	v.Data = d
	return h.s.Render(w, r, http.StatusOK, viewVerify, v)
}

func (h *handlers) eligibleXLSX(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return writeXLSX(w, "policy-"+strconv.FormatInt(id, 10)+"-eligible.xlsx", func(b *bytes.Buffer) error {
		return h.svc.ExportEligible(r.Context(), id, b)
	})
}

func (h *handlers) grantsXLSX(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	return writeXLSX(w, "policy-"+strconv.FormatInt(id, 10)+"-grants.xlsx", func(b *bytes.Buffer) error {
		return h.svc.ExportGrants(r.Context(), id, r.URL.Query().Get("period"), b)
	})
}

func (h *handlers) createBatch(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	b, err := h.svc.CreateBatch(r.Context(), id, r.PostForm.Get("period"))
	if err != nil {
		return err
	}
	return h.s.Redirect(w, r, "/policy-batches/"+strconv.FormatInt(b.ID, 10),
		"已生成代发批次："+strconv.Itoa(b.Grants)+" 笔 / Payment batch made: "+strconv.Itoa(b.Grants)+" grants")
}

func batchID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return 0, yserr.ErrNotFound("代发批次", "payment batch")
	}
	return id, nil
}

func (h *handlers) batchView(r *http.Request, id int64) (*web.View, error) {
	b, p, gs, err := h.svc.BatchOf(r.Context(), id)
	if err != nil {
		return nil, err
	}
	v := h.s.View(r, "")
	v.Title = v.T("代发批次", "Payment batch") + " " + strconv.FormatInt(b.ID, 10)
	v.Data = map[string]any{"B": b, "StatusLabel": policy.Label(b.Status, v.Lang), "Policy": p, "Grants": grantViews(v, gs),
		"Columns": policy.BankColumns}
	return v, nil
}

func (h *handlers) batch(w http.ResponseWriter, r *http.Request) error {
	id, err := batchID(r)
	if err != nil {
		return err
	}
	v, err := h.batchView(r, id)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewBatch, v)
}

func (h *handlers) bankFile(w http.ResponseWriter, r *http.Request) error {
	id, err := batchID(r)
	if err != nil {
		return err
	}
	return writeXLSX(w, "payment-batch-"+strconv.FormatInt(id, 10)+".xlsx", func(b *bytes.Buffer) error {
		return h.svc.BankFile(r.Context(), id, b)
	})
}

func (h *handlers) bankResult(w http.ResponseWriter, r *http.Request) error {
	id, err := batchID(r)
	if err != nil {
		return err
	}
	v, err := h.batchView(r, id)
	if err != nil {
		return err
	}
	f, _, err := h.upload(w, r)
	if err != nil {
		return h.s.FormError(w, r, viewBatch, v, err)
	}
	defer f.Close()
	defer r.MultipartForm.RemoveAll()
	rep, err := h.svc.ImportBankResult(r.Context(), id, f)
	if err != nil {
		return h.s.FormError(w, r, viewBatch, v, err)
	}
	if rep.Committed {
		return h.s.Redirect(w, r, "/policy-batches/"+strconv.FormatInt(id, 10),
			"回盘已导入：到账 "+strconv.Itoa(rep.Paid)+"，失败 "+strconv.Itoa(rep.Failed)+" / Bank result imported: "+strconv.Itoa(rep.Paid)+" paid, "+strconv.Itoa(rep.Failed)+" failed")
	}
	v.Data.(map[string]any)["Report"] = rep
	return h.s.Render(w, r, http.StatusUnprocessableEntity, viewBatch, v)
}

// BatchCreateInput makes a payment batch.
type BatchCreateInput struct {
	Period string `json:"period" doc:"the period; default the policy's fact year"`
}

// CodePath names a verification code.
type CodePath struct {
	Code string `path:"code" doc:"verification code, e.g. 7KQ2-M9XD-4TBR-P3WH"`
}

// YearQuery names a year.
type YearQuery struct {
	Year int `query:"year" doc:"default this year (Asia/Shanghai)"`
}

func (h *handlers) mountBatchAPI(tags []string, editors string) {
	reg, mux := h.s.API, h.s.Mux
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-statements/{id}/pdf", ID: "getPolicyStatementPDF", Tags: tags,
		Auth:    "platform_admin,dept_admin,dept_staff,supervisor,enterprise",
		Summary: "红利账单 PDF（含核验码和二维码） / Benefit statement PDF with a verification code and QR", Query: YearQuery{},
		RespContentType: "application/pdf"}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
		if err != nil {
			return yserr.ErrNotFound("经营主体", "market entity")
		}
		c, pdf, err := h.svc.StatementPDF(r.Context(), id, h.year(r))
		if err != nil {
			return err
		}
		writePDF(w, "statement-"+strconv.Itoa(c.Year)+"-"+c.Code+".pdf", pdf)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-statement-codes/{code}", ID: "verifyPolicyStatement", Tags: tags, Auth: "public",
		Summary: "核验红利账单 / Verify a benefit statement code", Query: CodePath{}, Resp: policy.StatementCheck{}}, func(w http.ResponseWriter, r *http.Request) error {
		c, err := h.svc.VerifyStatement(r.Context(), r.PathValue("code"))
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, c)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/batches", ID: "listPolicyBatches", Tags: tags, Auth: editors + ",supervisor",
		Summary: "代发批次 / Payment batches", Resp: []policy.Batch{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		bs, err := h.svc.Batches(r.Context(), id)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, bs)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/batches", ID: "createPolicyBatch", Tags: tags, Auth: editors,
		Summary:     "生成代发批次 / Make a payment batch",
		Description: "Gathers the approved grants of the period that are in no batch yet.",
		Body:        BatchCreateInput{}, Resp: policy.Batch{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in BatchCreateInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		b, err := h.svc.CreateBatch(r.Context(), id, in.Period)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, b)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policy-batches/{id}/bank-file", ID: "getPolicyBankFile", Tags: tags, Auth: editors,
		Summary: "导出银行代发文件（.xlsx） / Bank file of a payment batch (.xlsx)", RespContentType: xlsxType}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := batchID(r)
		if err != nil {
			return err
		}
		return writeXLSX(w, "payment-batch-"+strconv.FormatInt(id, 10)+".xlsx", func(b *bytes.Buffer) error {
			return h.svc.BankFile(r.Context(), id, b)
		})
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policy-batches/{id}/result", ID: "importPolicyBankResult", Tags: tags, Auth: editors,
		Summary:     "导入银行回盘文件 / Import the bank's result file",
		Description: "Multipart form: file (the bank file with 处理结果, 银行流水号, 失败原因 filled). Always 200 with the per-row report; committed tells whether anything was written (nothing is, with any row error).",
		Multipart:   true, Body: struct{}{}, Resp: policy.BankImport{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := batchID(r)
		if err != nil {
			return err
		}
		f, _, err := h.upload(w, r)
		if err != nil {
			return err
		}
		defer f.Close()
		defer r.MultipartForm.RemoveAll()
		rep, err := h.svc.ImportBankResult(r.Context(), id, f)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusOK, rep)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/policies/{id}/questions", ID: "askPolicyQuestion", Tags: tags, Auth: "enterprise",
		Summary:     "咨询政策（转为“政策兑现”诉求） / Ask about a policy (filed as an appeal on 政策兑现)",
		Description: "The appeal module's clocks apply: signed for within 1 working day, interim feedback within 3.",
		Body:        policy.Question{}, Resp: appeal.Appeal{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r)
		if err != nil {
			return err
		}
		var in policy.Question
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		ap, err := h.svc.Ask(r.Context(), id, in)
		if err != nil {
			return err
		}
		api.WriteJSON(w, http.StatusCreated, ap)
		return nil
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/eligible", ID: "exportPolicyEligible", Tags: tags, Auth: editors + ",supervisor",
		Summary: "导出符合条件名单（.xlsx） / Eligible list (.xlsx)", RespContentType: xlsxType}, h.eligibleXLSX)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/policies/{id}/grants-export", ID: "exportPolicyGrants", Tags: tags, Auth: editors + ",supervisor",
		Summary: "导出兑现记录（.xlsx） / Grants (.xlsx)", Query: PeriodQuery{}, RespContentType: xlsxType}, h.grantsXLSX)
}

// PeriodQuery names a period.
type PeriodQuery struct {
	Period string `query:"period" doc:"empty: every period"`
}

// ask files an enterprise's question about a policy as an appeal (topic
// 政策兑现) and opens it; a bad question keeps the text.
func (h *handlers) ask(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r)
	if err != nil {
		return err
	}
	if err := r.ParseForm(); err != nil {
		return yserr.New(yserr.Invalid, "表单无法读取", "the form could not be read")
	}
	ap, err := h.svc.Ask(r.Context(), id, policy.Question{Question: r.PostForm.Get("question")})
	if err != nil {
		p, gerr := h.svc.Get(r.Context(), id)
		if gerr != nil {
			return err
		}
		prog, cerr := rules.Compile(p.Condition, p.Amount)
		if cerr != nil {
			return err
		}
		v := h.s.View(r, p.Title)
		v.Data = map[string]any{"P": row(v, p), "Rule": steps(v, prog.Describe()), "Public": true, "CanAsk": true}
		return h.s.FormError(w, r, viewDetail, v, err)
	}
	return h.s.Redirect(w, r, "/appeals/"+strconv.FormatInt(ap.ID, 10),
		"问题已提交，诉求编号 "+ap.Number+" / Question filed as appeal "+ap.Number)
}

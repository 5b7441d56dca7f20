package inspect

import (
	"net/http"

	"yingshang/internal/api"
	"yingshang/internal/draw"
	"yingshang/internal/inspect"
	"yingshang/internal/server"
)

// IDPath names a plan or a task.
type IDPath struct {
	ID int64 `path:"id" doc:"编号 / id"`
}

// FilePath names a task's file.
type FilePath struct {
	ID     int64 `path:"id" doc:"任务编号 / task id"`
	FileID int64 `path:"file" doc:"文件编号 / file id"`
}

// TaskQuery filters the task list.
type TaskQuery struct {
	Plan   int64  `query:"plan" doc:"only this plan's tasks"`
	Mine   bool   `query:"mine" doc:"only the signed-in inspector's tasks"`
	Status string `query:"status" enum:",assigned,entered,closed"`
}

// PublicQuery filters public results.
type PublicQuery struct {
	Plan int64  `query:"plan" doc:"a plan's results"`
	USCC string `query:"uscc" doc:"an enterprise's results"`
}

// MonthQuery names a month.
type MonthQuery struct {
	Month string `query:"month" doc:"YYYY-MM"`
}

// YearQuery names a year.
type YearQuery struct {
	Year int `query:"year" doc:"default: this year"`
}

// ResultPath names a result of a task.
type ResultPath struct {
	ID     int64 `path:"id" doc:"任务编号 / task id"`
	Result int64 `path:"result" doc:"结果编号 / result id"`
}

// ExportQuery selects an export.
type ExportQuery struct {
	What  string `path:"what" enum:"plans,tasks,results,exceptions"`
	Plan  int64  `query:"plan" doc:"tasks or results of one plan"`
	Month string `query:"month" doc:"exceptions: YYYY-MM"`
	Lang  string `query:"lang" enum:",zh-CN,en" doc:"header language (default: the caller's)"`
}

// FileForm documents an upload's fields besides "file".
type FileForm struct {
	Kind     string `json:"kind" enum:"photo,document,proof"`
	ResultID int64  `json:"result_id,omitempty" doc:"proof: the result under rectification"`
}

// FilingInput files a plan.
type FilingInput struct {
	FilingNo string `json:"filing_no" doc:"备案号"`
}

const staffAuth = "platform_admin,dept_admin,dept_staff"

func (h *handlers) mountAPI(s *server.Server) {
	reg, mux := s.API, s.Mux
	tags := []string{"inspect"}
	reg.DescribeTag("inspect", "监管执法：双随机一公开、联合检查、企业宁静日、入企扫码 / Inspections: random inspections, joint checks, quiet days, scan before entry (docs/inspect.md)")
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/items", ID: "listInspectItems", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "检查事项清单 / Check items of every department", Resp: []inspect.Item{}}, func(w http.ResponseWriter, r *http.Request) error {
		return write(w, http.StatusOK)(h.svc.Items(r.Context()))
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/items", ID: "createInspectItem", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary: "新增检查事项 / Add a check item to the caller's department list", Body: inspect.Item{}, Resp: inspect.Item{}, Status: http.StatusCreated},
		func(w http.ResponseWriter, r *http.Request) error {
			var in inspect.Item
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return write(w, http.StatusCreated)(h.svc.SaveItem(r.Context(), in))
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/inspectors", ID: "listInspectors", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "执法检查人员名录 / The inspector directory of the caller's departments", Resp: []inspect.Inspector{}}, func(w http.ResponseWriter, r *http.Request) error {
		return write(w, http.StatusOK)(h.svc.Inspectors(r.Context()))
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/inspectors", ID: "saveInspector", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary: "登记或更新执法人员 / Add or update (by certificate number) an inspector", Body: inspect.Inspector{}, Resp: inspect.Inspector{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var in inspect.Inspector
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.SaveInspector(r.Context(), in))
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/inspectors/import", ID: "importInspectors", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary: "导入执法人员名录 / Import the inspector directory (.xlsx)", Description: "multipart/form-data with file: columns 姓名, 执法证号, 状态, 专长, 区划代码, 回避企业, 账号. One transaction: a bad row refuses the file, naming the row and column.",
		Multipart: true, Resp: inspect.ImportReport{}}, h.apiImport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/plans", ID: "listInspectPlans", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "抽查计划 / Plans the caller may see (own departments' and joint plans they take part in)", Resp: []inspect.Plan{}}, func(w http.ResponseWriter, r *http.Request) error {
		return write(w, http.StatusOK)(h.svc.Plans(r.Context()))
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/plans", ID: "createInspectPlan", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "制定抽查计划 / Draft a plan (joint when other departments take part)",
		Description: "A routine plan cannot start on a quiet day; a non-routine plan needs exception_kind and exception_reason (audited).",
		Body:        inspect.PlanInput{}, Resp: inspect.Plan{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		var in inspect.PlanInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		return write(w, http.StatusCreated)(h.svc.CreatePlan(r.Context(), in))
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/plans/{id}", ID: "getInspectPlan", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "计划详情 / A plan", Query: IDPath{}, Resp: inspect.Plan{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		return write(w, http.StatusOK)(h.svc.Plan(r.Context(), id))
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/plans/{id}/submit", ID: "submitInspectPlan", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary: "报送备案 / Submit the plan for filing", Query: IDPath{}, Resp: inspect.Plan{}}, h.planStep(h.svc.SubmitPlan))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/plans/{id}/file", ID: "fileInspectPlan", Tags: tags, Auth: "platform_admin",
		Summary: "备案 / File the plan (the business-environment office)", Query: IDPath{}, Body: FilingInput{}, Resp: inspect.Plan{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := api.PathInt64(r, "id")
			if err != nil {
				return err
			}
			var in FilingInput
			if err := api.Decode(r, &in); err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.FilePlan(r.Context(), id, in.FilingNo))
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/plans/{id}/frame", ID: "previewInspectSampling", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "抽取预演 / The plan's strata and checks without committing (dry run)", Query: IDPath{}, Resp: inspect.Frame{}},
		func(w http.ResponseWriter, r *http.Request) error {
			id, err := api.PathInt64(r, "id")
			if err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.DryRun(r.Context(), id))
		})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/plans/{id}/commit", ID: "commitInspectPlan", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "冻结名录并承诺抽取 / Freeze the target directory and inspectors, commit the sampling draw",
		Description: "Refused with 409 naming every stratum's numbers, or every target short of eligible inspectors, before anything is committed.",
		Query:       IDPath{}, Resp: inspect.Plan{}}, h.planStep(h.svc.CommitPlan))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/plans/{id}/sample", ID: "sampleInspectPlan", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "见证抽取 / Run the committed draw with the witness's value; the picks become tasks",
		Description: "The record verifies with yingshang draw verify and at /public/draws/{draw id}/verify (docs/draw-protocol.md §6a-6b).",
		Query:       IDPath{}, Body: inspect.SampleInput{}, Resp: draw.Record{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		var in inspect.SampleInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		return write(w, http.StatusOK)(h.svc.Sample(r.Context(), id, in))
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/tasks", ID: "listInspectTasks", Tags: tags, Auth: api.AuthUser,
		Summary: "检查任务 / Tasks: an inspector's own (mine=true), a department's plans', an enterprise's visits", Query: TaskQuery{}, Resp: []inspect.Task{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var q TaskQuery
			if err := api.DecodeQuery(r, &q); err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.Tasks(r.Context(), inspect.TaskFilter{PlanID: q.Plan, Mine: q.Mine, Status: q.Status}))
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/tasks/{id}", ID: "getInspectTask", Tags: tags, Auth: api.AuthUser,
		Summary: "任务详情 / A task with items, results, scans and files", Query: IDPath{}, Resp: inspect.Task{}}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		return write(w, http.StatusOK)(h.svc.Task(r.Context(), id))
	})
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/scan", ID: "scanInspectEntry", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "入企扫码 / Scan the enterprise's code before entry (an inspector of the task)",
		Description: "Records time, inspector, task and the location if given. Another enterprise's code is refused (409) and audited; routine tasks are refused on quiet days.",
		Query:       IDPath{}, Body: inspect.ScanInput{}, Resp: inspect.Task{}}, h.taskStep(func(r *http.Request, id int64) (any, error) {
		var in inspect.ScanInput
		if err := api.Decode(r, &in); err != nil {
			return nil, err
		}
		return h.svc.ScanEntry(r.Context(), id, in)
	}))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/results", ID: "recordInspectResult", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary:     "记录事项检查结果 / Record an item's result",
		Description: "Flagged when no scan preceded it. A first minor violation on the 首违不罚 list becomes a rectification with no penalty; a case with a penalty becomes a credit record.",
		Query:       IDPath{}, Body: inspect.ResultInput{}, Resp: inspect.Task{}}, h.taskStep(func(r *http.Request, id int64) (any, error) {
		var in inspect.ResultInput
		if err := api.Decode(r, &in); err != nil {
			return nil, err
		}
		return h.svc.RecordResult(r.Context(), id, in)
	}))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/close", ID: "closeInspectTask", Tags: tags, Auth: "dept_admin,dept_staff",
		Summary: "办结任务 / Close the task (every item needs a result)", Query: IDPath{}, Resp: inspect.Task{}},
		h.taskStep(func(r *http.Request, id int64) (any, error) { return h.svc.CloseTask(r.Context(), id) }))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/confirm", ID: "confirmInspectTask", Tags: tags, Auth: "dept_admin,dept_staff,enterprise",
		Summary: "企业确认与评价 / The enterprise's confirmation (online, or signed on the inspector's phone) and rating", Query: IDPath{}, Body: inspect.ConfirmInput{}, Resp: inspect.Task{}},
		h.taskStep(func(r *http.Request, id int64) (any, error) {
			var in inspect.ConfirmInput
			if err := api.Decode(r, &in); err != nil {
				return nil, err
			}
			return h.svc.Confirm(r.Context(), id, in)
		}))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/publish", ID: "publishInspectTask", Tags: tags, Auth: staffAuth,
		Summary: "公示结果 / Publish a closed task's result", Query: IDPath{}, Resp: inspect.Task{}},
		h.taskStep(func(r *http.Request, id int64) (any, error) { return h.svc.PublishTask(r.Context(), id) }))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/files", ID: "uploadInspectFile", Tags: tags, Auth: "dept_admin,dept_staff,enterprise",
		Summary:     "上传照片、文书或整改证明 / Upload a photo or document (inspectors) or a rectification proof (the enterprise)",
		Description: "multipart/form-data with file (JPEG, PNG, WebP or PDF, at most 10 MiB), kind and, for a proof, result_id. Stored encrypted in the file store.",
		Query:       IDPath{}, Multipart: true, Body: FileForm{}, Resp: inspect.TaskFile{}, Status: http.StatusCreated, Errors: []int{413}}, h.apiUpload)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/tasks/{id}/files/{file}", ID: "downloadInspectFile", Tags: tags, Auth: api.AuthUser,
		Summary: "下载任务文件 / Download a task's file", Query: FilePath{}, RespContentType: "application/octet-stream"}, h.apiDownload)
	reg.Handle(mux, api.Op{Method: "PUT", Path: "/api/v1/inspect/tasks/{id}/rating", ID: "rateInspectTask", Tags: tags, Auth: "enterprise",
		Summary:     "企业评价检查 / The inspected enterprise rates the visit (1-5, with a comment)",
		Description: "One rating per task and entity (a second call replaces it); seen by the participating departments and supervisors. Only users of the inspected entity (others 404).",
		Query:       IDPath{}, Body: inspect.RatingInput{}, Resp: inspect.Rating{}}, h.taskStep(func(r *http.Request, id int64) (any, error) {
		var in inspect.RatingInput
		if err := api.Decode(r, &in); err != nil {
			return nil, err
		}
		return h.svc.Rate(r.Context(), id, in)
	}))
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/tasks/{id}/rating", ID: "getInspectTaskRating", Tags: tags, Auth: api.AuthUser,
		Summary: "检查评价 / The enterprise's rating of a visit (null when none)", Query: IDPath{}, Resp: inspect.Rating{}},
		h.taskStep(func(r *http.Request, id int64) (any, error) { return h.svc.RatingOf(r.Context(), id) }))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/complaints", ID: "complainInspectTask", Tags: tags, Auth: "enterprise",
		Summary:     "投诉检查 / The inspected enterprise complains about a visit: an appeal of topic 执法检查",
		Description: "Created through the appeal module (its clocks and routing apply); the appeal's description names the task, plan, departments and date. 409 when the appeal module is off.",
		Query:       IDPath{}, Body: inspect.ComplaintInput{}, Resp: inspect.Complaint{}, Status: http.StatusCreated}, func(w http.ResponseWriter, r *http.Request) error {
		id, err := api.PathInt64(r, "id")
		if err != nil {
			return err
		}
		var in inspect.ComplaintInput
		if err := api.Decode(r, &in); err != nil {
			return err
		}
		return write(w, http.StatusCreated)(h.svc.Complain(r.Context(), id, in))
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/tasks/{id}/complaints", ID: "listInspectTaskComplaints", Tags: tags, Auth: api.AuthUser,
		Summary: "检查投诉 / The complaints (appeals) filed about a visit", Query: IDPath{}, Resp: []inspect.Complaint{}},
		h.taskStep(func(r *http.Request, id int64) (any, error) { return h.svc.Complaints(r.Context(), id) }))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/results/{result}/review", ID: "reviewInspectProof", Tags: tags, Auth: staffAuth,
		Summary:     "审核整改材料 / Accept or return the enterprise's rectification proof (the item's department)",
		Description: "The enterprise is told; returned proof needs a note.",
		Query:       ResultPath{}, Body: inspect.ProofReview{}, Resp: inspect.Task{}}, h.resultStep(func(r *http.Request, id, result int64) (any, error) {
		var in inspect.ProofReview
		if err := api.Decode(r, &in); err != nil {
			return nil, err
		}
		return h.svc.ReviewProof(r.Context(), id, result, in)
	}))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/tasks/{id}/results/{result}/penalty", ID: "penalizeOverdueInspect", Tags: tags, Auth: staffAuth,
		Summary:     "逾期未整改转处罚 / Record the penalty on a 首违不罚 finding overdue without rectification",
		Description: "Only for a result the daily job marked overdue; the penalty becomes a credit record of the item's department (credit module).",
		Query:       ResultPath{}, Body: inspect.PenaltyInput{}, Resp: inspect.Task{}}, h.resultStep(func(r *http.Request, id, result int64) (any, error) {
		var in inspect.PenaltyInput
		if err := api.Decode(r, &in); err != nil {
			return nil, err
		}
		return h.svc.PenaltyForOverdue(r.Context(), id, result, in)
	}))
	reg.Handle(mux, api.Op{Method: "POST", Path: "/api/v1/inspect/items/import", ID: "importInspectItems", Tags: tags, Auth: "platform_admin,dept_admin",
		Summary:     "导入检查事项 / Import check items (.xlsx) into the caller's department list",
		Description: "multipart/form-data with file: columns 事项编码, 检查事项, 检查依据, 检查方式, 适用主体类型, 适用行业代码, 风险等级, 首违不罚. One transaction: a bad row refuses the file, naming the row and column.",
		Multipart:   true, Resp: inspect.ImportReport{}}, h.apiImportItems)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/exceptions", ID: "listInspectQuietExceptions", Tags: tags, Auth: "platform_admin,supervisor",
		Summary: "宁静日例外月报 / The month's quiet-day exceptions (plan, department, reason, kind, who approved)", Query: MonthQuery{}, Resp: []inspect.Exception{}},
		func(w http.ResponseWriter, r *http.Request) error {
			return write(w, http.StatusOK)(h.svc.Exceptions(r.Context(), r.URL.Query().Get("month")))
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/export/{what}", ID: "exportInspect", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary:     "导出 Excel / Export plans, tasks, results or a month's quiet-day exceptions as .xlsx",
		Description: "what: plans, tasks, results (optionally ?plan=ID) or exceptions (?month=YYYY-MM; office and supervisors). Headers in the caller's language (?lang=en for English).",
		Query:       ExportQuery{}, RespContentType: xlsxType}, h.apiExport)
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/unscanned", ID: "listUnscannedChecks", Tags: tags, Auth: "platform_admin,supervisor",
		Summary: "未扫码检查月报 / The month's checks recorded without a scan", Query: MonthQuery{}, Resp: []inspect.Task{}}, func(w http.ResponseWriter, r *http.Request) error {
		return write(w, http.StatusOK)(h.svc.Unscanned(r.Context(), r.URL.Query().Get("month")))
	})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/inspect/stats", ID: "getInspectStats", Tags: tags, Auth: "platform_admin,dept_admin,dept_staff,supervisor",
		Summary: "监管执法看板 / Problem-finding rate by class, checks per enterprise against last year, scan compliance", Query: YearQuery{}, Resp: inspect.Stats{}},
		func(w http.ResponseWriter, r *http.Request) error {
			year, err := api.QueryInt(r, "year", h.thisYear())
			if err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.Stats(r.Context(), year))
		})
	reg.Handle(mux, api.Op{Method: "GET", Path: "/api/v1/public/inspect/results", ID: "listPublicInspectResults", Tags: tags, Auth: api.AuthPublic,
		Summary: "抽查结果公示 / Published results, per plan or per enterprise, with the sampling draw", Query: PublicQuery{}, Resp: []inspect.PublicResult{}},
		func(w http.ResponseWriter, r *http.Request) error {
			var q PublicQuery
			if err := api.DecodeQuery(r, &q); err != nil {
				return err
			}
			return write(w, http.StatusOK)(h.svc.PublicResults(r.Context(), q.Plan, q.USCC))
		})
}

// write returns a function that writes a service call's result as JSON.
func write(w http.ResponseWriter, status int) func(any, error) error {
	return func(v any, err error) error {
		if err != nil {
			return err
		}
		api.WriteJSON(w, status, v)
		return nil
	}
}

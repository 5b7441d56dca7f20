package procure

// OCDS 1.1 open data (docs/procure.md "Open data"): a release per stage of
// a project (planning, tender, award, contract, implementation) and a
// compiled record per project, read from procure's own tables in pages of
// projects by id. Everything here is what the public pages already show:
// projects, results after the award, published contracts and their
// acceptance and payments.

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"yingshang/internal/calendar"
	"yingshang/internal/db"
)

// ValidOCIDPrefix reports whether v is an ocid prefix: "ocds-" and six
// lower-case letters or digits.
func ValidOCIDPrefix(v string) bool {
	rest, ok := strings.CutPrefix(v, "ocds-")
	if !ok || len(rest) != 6 {
		return false
	}
	for _, c := range rest {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			return false
		}
	}
	return true
}

// OCDSVersion is the OCDS version the packages declare.
const OCDSVersion = "1.1"

// OCDSExtensionURL is the local-rules extension's extension.json
// (docs/ocds-extension/extension.json, served at this path).
const OCDSExtensionURL = "/open-data/ocds/extension.json"

// Value is an OCDS amount: yuan and the currency.
type Value struct {
	Amount   float64 `json:"amount"`
	Currency string  `json:"currency"`
}

func cny(fen int64) *Value { return &Value{Amount: float64(fen) / 100, Currency: "CNY"} }

// OrgRef is an OCDS OrganizationReference.
type OrgRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Identifier is an organization's identifier (the unified social credit code).
type Identifier struct {
	Scheme    string `json:"scheme"`
	ID        string `json:"id"`
	LegalName string `json:"legalName,omitempty"`
}

// Party is an OCDS Organization in parties.
type Party struct {
	ID         string      `json:"id"`
	Name       string      `json:"name"`
	Identifier *Identifier `json:"identifier,omitempty"`
	Roles      []string    `json:"roles"`
}

// Budget is the planning budget.
type Budget struct {
	ID          string `json:"id,omitempty"`
	Description string `json:"description,omitempty"`
	Amount      *Value `json:"amount"`
}

// Planning is the planning section.
type Planning struct {
	Rationale string  `json:"rationale,omitempty"`
	Budget    *Budget `json:"budget,omitempty"`
}

// Item is what is bought: the catalogue category (政府采购品目分类目录).
type Item struct {
	ID             string          `json:"id"`
	Description    string          `json:"description"`
	Classification *Classification `json:"classification,omitempty"`
	Quantity       float64         `json:"quantity,omitempty"`
	// RelatedLot is the lot the item belongs to (the lots extension's shape).
	RelatedLot string `json:"relatedLot,omitempty"`
}

// Classification names a category in a scheme.
type Classification struct {
	Scheme string `json:"scheme"`
	ID     string `json:"id"`
}

// Lot is a lot of the tender (the lots extension's shape, with value).
type OCDSLot struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Value       *Value `json:"value"`
	// LocalRules are the lot's own set-aside decision and price
	// deductions (local-rules extension).
	LocalRules *LotRules `json:"localRules,omitempty"`
}

// LocalRules is the local-rules extension (docs/procure.md "OCDS
// extension"): the SME set-aside, the price deductions, pooling and the
// credit check.
type LocalRules struct {
	SetAside       SetAsideRules  `json:"smeSetAside"`
	PriceDeduction PriceDeduction `json:"priceDeduction"`
	Pooling        *Pooling       `json:"pooling,omitempty"`
	CreditCheck    CreditGate     `json:"creditCheck"`
	Evaluation     Evaluation     `json:"evaluation"`
}

// SetAsideRules is the set-aside decision (财库〔2020〕46号).
type SetAsideRules struct {
	Decision               string `json:"decision"`
	DecisionDetails        string `json:"decisionDetails"`
	SharePercent           int    `json:"sharePercent,omitempty"`
	SmallMicroSharePercent int    `json:"smallMicroSharePercent,omitempty"`
	Exception              string `json:"exception,omitempty"`
	ExceptionDetails       string `json:"exceptionDetails,omitempty"`
}

// PriceDeduction is the small/micro price deduction (财库〔2022〕19号).
type PriceDeduction struct {
	SmallMicroPercent int `json:"smallMicroPercent"`
	ConsortiumPercent int `json:"consortiumPercent"`
}

// Pooling names the pooled purchase (拼单采购): the lead unit and the units.
type Pooling struct {
	GroupID      string   `json:"groupID"`
	LeadUnit     *OrgRef  `json:"leadUnit,omitempty"`
	Coordination string   `json:"coordinationGroup,omitempty"`
	Units        []OrgRef `json:"units"`
}

// CreditGate is the credit check of the suppliers (scene procurement).
type CreditGate struct {
	Scene             string `json:"scene"`
	CommitmentAllowed bool   `json:"commitmentAllowed"`
}

// Evaluation is the evaluation method and the price weight.
type Evaluation struct {
	Method        string `json:"method"`
	MethodDetails string `json:"methodDetails"`
	PriceWeight   int    `json:"priceWeight,omitempty"`
	CommitteeSize int    `json:"committeeSize"`
}

// Tender is the tender section.
type Tender struct {
	ID                       string      `json:"id"`
	Title                    string      `json:"title,omitempty"`
	Status                   string      `json:"status,omitempty"`
	ProcuringEntity          *OrgRef     `json:"procuringEntity,omitempty"`
	Items                    []Item      `json:"items,omitempty"`
	Value                    *Value      `json:"value,omitempty"`
	ProcurementMethod        string      `json:"procurementMethod,omitempty"`
	ProcurementMethodDetails string      `json:"procurementMethodDetails,omitempty"`
	MainProcurementCategory  string      `json:"mainProcurementCategory,omitempty"`
	AwardCriteria            string      `json:"awardCriteria,omitempty"`
	AwardCriteriaDetails     string      `json:"awardCriteriaDetails,omitempty"`
	NumberOfTenderers        *int        `json:"numberOfTenderers,omitempty"`
	Tenderers                []OrgRef    `json:"tenderers,omitempty"`
	Lots                     []OCDSLot   `json:"lots,omitempty"`
	LocalRules               *LocalRules `json:"localRules,omitempty"`
	// Challenges are the published challenges (质疑) with their answers and
	// complaint decisions (the local-rules extension).
	Challenges []OCDSChallenge `json:"challenges,omitempty"`
}

// OCDSChallenge is a published challenge (质疑) of the tender, its answer
// and, when the supplier complained (投诉), the finance bureau's decision
// (local-rules extension, docs/procure.md). Only what the public page
// shows: challenges are published once answered.
type OCDSChallenge struct {
	ID            string         `json:"id"`
	Status        string         `json:"status"`
	StatusDetails string         `json:"statusDetails"`
	Challenger    *OrgRef        `json:"challenger"`
	Description   string         `json:"description"`
	DateFiled     string         `json:"dateFiled"`
	AnswerDueDate string         `json:"answerDueDate,omitempty"`
	DateAnswered  string         `json:"dateAnswered,omitempty"`
	Answer        string         `json:"answer,omitempty"`
	Complaint     *OCDSComplaint `json:"complaint,omitempty"`
}

// OCDSComplaint is the complaint to the finance bureau and its decision.
type OCDSComplaint struct {
	DateFiled       string `json:"dateFiled"`
	DecisionDueDate string `json:"decisionDueDate,omitempty"`
	DateDecided     string `json:"dateDecided,omitempty"`
	Decision        string `json:"decision,omitempty"`
}

// Award is an award.
type Award struct {
	ID        string   `json:"id"`
	Title     string   `json:"title,omitempty"`
	Status    string   `json:"status"`
	Date      string   `json:"date,omitempty"`
	Value     *Value   `json:"value,omitempty"`
	Suppliers []OrgRef `json:"suppliers"`
	// RelatedLots are the lots awarded (the lots extension).
	RelatedLots []string `json:"relatedLots,omitempty"`
}

// Transaction is a payment.
type Transaction struct {
	ID    string  `json:"id"`
	Date  string  `json:"date,omitempty"`
	Value *Value  `json:"value"`
	Payer *OrgRef `json:"payer,omitempty"`
	Payee *OrgRef `json:"payee,omitempty"`
}

// Milestone is the acceptance (履约验收) of a contract.
type Milestone struct {
	ID      string `json:"id"`
	Title   string `json:"title"`
	Type    string `json:"type"`
	Status  string `json:"status"`
	DueDate string `json:"dueDate,omitempty"`
	DateMet string `json:"dateMet,omitempty"`
}

// Implementation is a contract's acceptance and payments.
type Implementation struct {
	Transactions []Transaction `json:"transactions,omitempty"`
	Milestones   []Milestone   `json:"milestones,omitempty"`
}

// OCDSContract is a published contract (one per unit of a pooled project).
type OCDSContract struct {
	ID             string          `json:"id"`
	AwardID        string          `json:"awardID"`
	Title          string          `json:"title"`
	Status         string          `json:"status"`
	Value          *Value          `json:"value"`
	DateSigned     string          `json:"dateSigned,omitempty"`
	Buyer          *OrgRef         `json:"buyer,omitempty"`
	RelatedLots    []string        `json:"relatedLots,omitempty"`
	Items          []Item          `json:"items,omitempty"`
	Implementation *Implementation `json:"implementation,omitempty"`
}

// Release is an OCDS release.
type Release struct {
	OCID           string         `json:"ocid"`
	ID             string         `json:"id"`
	Date           string         `json:"date"`
	Tag            []string       `json:"tag"`
	InitiationType string         `json:"initiationType"`
	Language       string         `json:"language"`
	Parties        []Party        `json:"parties,omitempty"`
	Buyer          *OrgRef        `json:"buyer,omitempty"`
	Planning       *Planning      `json:"planning,omitempty"`
	Tender         *Tender        `json:"tender,omitempty"`
	Bids           *Bids          `json:"bids,omitempty"`
	Awards         []Award        `json:"awards,omitempty"`
	Contracts      []OCDSContract `json:"contracts,omitempty"`
}

// Publisher names the publisher of a package.
type Publisher struct {
	Name string `json:"name"`
}

// Links holds the next page of a package.
type Links struct {
	Next string `json:"next,omitempty"`
}

// ReleasePackage is an OCDS release package.
type ReleasePackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	Extensions    []string  `json:"extensions"`
	PublishedDate string    `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Releases      []Release `json:"releases"`
	Links         *Links    `json:"links,omitempty"`
}

// LinkedRelease is a record's reference to a release.
type LinkedRelease struct {
	URL  string   `json:"url"`
	Date string   `json:"date"`
	Tag  []string `json:"tag"`
}

// Record is a project's record: its releases and the compiled release.
type Record struct {
	OCID            string          `json:"ocid"`
	Releases        []LinkedRelease `json:"releases"`
	CompiledRelease Release         `json:"compiledRelease"`
}

// RecordPackage is an OCDS record package.
type RecordPackage struct {
	URI           string    `json:"uri"`
	Version       string    `json:"version"`
	Extensions    []string  `json:"extensions"`
	PublishedDate string    `json:"publishedDate"`
	Publisher     Publisher `json:"publisher"`
	Packages      []string  `json:"packages"`
	Records       []Record  `json:"records"`
	Links         *Links    `json:"links,omitempty"`
}

// OCDSPage asks for one page: projects with ids after After, at most Limit
// (1..100, default 50), or the one project OCID names. Base is the
// absolute URL of the site ("https://ys.example.gov.cn"), for the links.
type OCDSPage struct {
	After int64
	Limit int
	OCID  string
	Base  string
	// maxLimit raises the cap of Limit (the bulk job reads larger pages:
	// fewer queries for the same rows).
	maxLimit int
}

// OCID is the open contracting id of a project: the prefix and the project code.
func (s *Service) OCID(p *Project) string { return s.ocidPrefix() + "-" + p.Code }

func (s *Service) ocidPrefix() string {
	if s.OCIDPrefix == "" {
		return DefaultOCIDPrefix
	}
	return s.OCIDPrefix
}

// DefaultOCIDPrefix is the default of the setting procure-ocid-prefix; a
// publisher registers its own with the OCDS helpdesk.
const DefaultOCIDPrefix = "ocds-ysxc01"

// ocdsMethods maps the methods to the closed method codelist; the Chinese
// name goes to procurementMethodDetails.
var ocdsMethods = map[string]string{
	"open_tender": "open", "invited_tender": "selective", "competitive_negotiation": "limited", "competitive_consultation": "limited",
	"inquiry": "limited", "single_source": "direct", "framework": "open",
}

// OCDSMethod maps a procurement method to the OCDS method codelist.
func OCDSMethod(m string) string {
	if v, ok := ocdsMethods[m]; ok {
		return v
	}
	return "limited"
}

// OCDSTenderStatus maps a project status to the closed tenderStatus codelist.
func OCDSTenderStatus(st string) string {
	if st == ProjectAwarded {
		return "complete"
	}
	return "active"
}

// ocdsDate is a calendar date as the start of the day in Asia/Shanghai.
// The export writes the same few hundred dates tens of thousands of times:
// they are kept once converted (at most ocdsDateCacheMax of them).
func ocdsDate(d string) string {
	if v, ok := ocdsDates.Load(d); ok {
		return v.(string)
	}
	var out string
	if t, err := time.ParseInLocation("2006-01-02", d, calendar.Shanghai); err == nil {
		out = t.Format(time.RFC3339)
	}
	if ocdsDatesN.Load() < ocdsDateCacheMax {
		if _, loaded := ocdsDates.LoadOrStore(d, out); !loaded {
			ocdsDatesN.Add(1)
		}
	}
	return out
}

const ocdsDateCacheMax = 20000

var (
	ocdsDates  sync.Map // date → RFC 3339 start of the day in Shanghai
	ocdsDatesN atomic.Int64
)

// unitID is a unit's party id.
func unitID(dept int64) string { return "unit-" + strconv.FormatInt(dept, 10) }

// Shared read-only slices of the releases (tags and roles), so that a
// release does not allocate its own copies.
var (
	tagOf = map[string][]string{"planning": {"planning"}, "tender": {"tender"}, "award": {"award"}, "contract": {"contract"},
		"implementation": {"implementation"}, "compiled": {"compiled"}, "tenderUpdate": {"tenderUpdate"}}
	rolesBuyerEntity = []string{"buyer", "procuringEntity"}
	rolesBuyer       = []string{"buyer"}
	rolesTenderer    = []string{"tenderer"}
	rolesSupplier    = []string{"tenderer", "supplier"}
	rolesChallenger  = []string{"challenger"}
)

// ocdsProject is one project with what its releases need.
type ocdsProject struct {
	p         *Project
	created   time.Time
	bids      []Bid
	contracts []Contract
	units     []int64 // confirmed units of a pooled project
	chals     []Challenge
	uscc      map[int64]string // challengers' credit codes
	lead      int64
	coord     string
	lotBids   []ocdsLotBid // a project with lots: its bids per lot (after the award)
}

// extraRow scans extra trailing columns after the ones of a scan function.
type extraRow struct {
	r     db.Row
	extra []any
}

func (e extraRow) Scan(dest ...any) error { return e.r.Scan(append(dest, e.extra...)...) }

// loadOCDS reads one page of projects with their published data: bids
// (after the award), published contracts, pooled units. Four queries.
func (s *Service) loadOCDS(ctx context.Context, pg OCDSPage) ([]*ocdsProject, map[int64]string, bool, error) {
	limit := pg.Limit
	if limit <= 0 {
		limit = 50
	}
	limit = min(limit, max(100, pg.maxLimit))
	q := s.DB.Q(ctx)
	cond, args := "id > $1", []any{pg.After}
	if pg.OCID != "" {
		code, ok := strings.CutPrefix(pg.OCID, s.ocidPrefix()+"-")
		if !ok {
			return nil, nil, false, nil
		}
		cond, args = "code = $1", []any{code}
	}
	rows, err := q.Query(ctx, fmt.Sprintf("SELECT %s, created_at FROM procure_projects WHERE %s ORDER BY id LIMIT %d", projectCols, cond, limit+1), args...)
	if err != nil {
		return nil, nil, false, err
	}
	var out []*ocdsProject
	for rows.Next() {
		x := &ocdsProject{}
		if x.p, err = scanProject(extraRow{rows, []any{&x.created}}); err != nil {
			rows.Close()
			return nil, nil, false, err
		}
		out = append(out, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	if len(out) == 0 {
		return out, nil, false, nil
	}
	byID := make(map[int64]*ocdsProject, len(out))
	depts := make([]int64, 0, len(out))
	for _, x := range out {
		byID[x.p.ID] = x
		depts = append(depts, x.p.DepartmentID)
	}
	lo, hi := out[0].p.ID, out[len(out)-1].p.ID
	// Bids are published after the award only (the range has no LIMIT, so
	// the status is checked on the page's projects).
	// Bids and contracts are read unnamed and named together below: one
	// entity look-up and one department look-up per page.
	// The feed reads only the columns it publishes (a page's bids and
	// contracts are most of its rows), and skips the reads a page cannot
	// need (no awarded project: no bids; no pooled project: no pools).
	awarded, pooled := false, false
	for _, x := range out {
		awarded, pooled = awarded || x.p.Status == ProjectAwarded, pooled || x.p.PoolID != 0
	}
	var ents []int64
	if awarded {
		if ents, err = s.ocdsBids(ctx, byID, lo, hi); err != nil {
			return nil, nil, false, err
		}
	}
	cdepts, cents, err := s.ocdsContracts(ctx, byID, lo, hi)
	if err != nil {
		return nil, nil, false, err
	}
	depts, ents = append(depts, cdepts...), append(ents, cents...)
	// Challenges are public once answered (as on the public page).
	chals, err := s.challenges(ctx, "status <> 'filed' AND project_id >= $1 AND project_id <= $2", lo, hi)
	if err != nil {
		return nil, nil, false, err
	}
	for i := len(chals) - 1; i >= 0; i-- { // newest first
		if x := byID[chals[i].ProjectID]; x != nil {
			x.chals = append(x.chals, chals[i])
			ents = append(ents, chals[i].EntityID)
		}
	}
	lents, err := s.loadLotBids(ctx, byID, lo, hi)
	if err != nil {
		return nil, nil, false, err
	}
	ents = append(ents, lents...)
	if !pooled {
		return s.nameOCDS(ctx, out, depts, ents, more)
	}
	prow, err := q.Query(ctx, `SELECT pr.id, po.lead_department_id, po.coordination, m.department_id FROM procure_projects pr
		JOIN procure_pools po ON po.id = pr.pool_id JOIN procure_pool_members m ON m.pool_id = po.id
		WHERE pr.id >= $1 AND pr.id <= $2 AND m.status = 'confirmed' ORDER BY pr.id, m.department_id`, lo, hi)
	if err != nil {
		return nil, nil, false, err
	}
	for prow.Next() {
		var id, dept int64
		var lead *int64
		var coord string
		if err := prow.Scan(&id, &lead, &coord, &dept); err != nil {
			prow.Close()
			return nil, nil, false, err
		}
		if x := byID[id]; x != nil {
			if lead != nil {
				x.lead = *lead
			}
			x.coord = coord
			x.units = append(x.units, dept)
			depts = append(depts, dept)
		}
	}
	prow.Close()
	if err := prow.Err(); err != nil {
		return nil, nil, false, err
	}
	return s.nameOCDS(ctx, out, depts, ents, more)
}

// nameOCDS names a page's units and entities: one department and one
// entity look-up.
func (s *Service) nameOCDS(ctx context.Context, out []*ocdsProject, depts, ents []int64, more bool) ([]*ocdsProject, map[int64]string, bool, error) {
	// A page names about 400 bidders and suppliers, mostly the same few:
	// ask for each once (the look-up's IN list was most of its cost).
	slices.Sort(ents)
	ents = slices.Compact(ents)
	names := s.deptNames(ctx, depts)
	refs, err := s.Entities.Refs(ctx, ents)
	if err != nil {
		return nil, nil, false, err
	}
	for _, x := range out {
		x.p.Department = names[x.p.DepartmentID]
		for i := range x.bids {
			b := &x.bids[i]
			b.Entity, b.USCC = refs[b.EntityID].Name, refs[b.EntityID].USCC
		}
		for i := range x.contracts {
			c := &x.contracts[i]
			c.Department, c.Entity = names[c.DepartmentID], refs[c.EntityID].Name
		}
		for i := range x.lotBids {
			b := &x.lotBids[i]
			b.entity, b.uscc = refs[b.entityID].Name, refs[b.entityID].USCC
		}
		for _, c := range x.chals {
			if x.uscc == nil {
				x.uscc = map[int64]string{}
			}
			x.uscc[c.EntityID] = refs[c.EntityID].USCC
		}
	}
	return out, names, more, nil
}

// releases builds a project's releases, oldest first, and its compiled
// release (the latest state of every section).
func (s *Service) releases(x *ocdsProject, names map[int64]string) ([]Release, Release) {
	return s.appendReleases(make([]Release, 0, 6), x, names)
}

// appendReleases appends a project's releases to out (a page's package
// builds them in place) and returns its compiled release.
func (s *Service) appendReleases(out []Release, x *ocdsProject, names map[int64]string) ([]Release, Release) {
	p := x.p
	ocid := s.OCID(p)
	buyer := &OrgRef{ID: unitID(p.DepartmentID), Name: names[p.DepartmentID]}
	parties := make([]Party, 1, 1+len(x.units)+len(x.bids))
	parties[0] = Party{ID: buyer.ID, Name: buyer.Name, Roles: rolesBuyerEntity}
	var units []OrgRef
	for _, u := range x.units {
		ref := OrgRef{ID: unitID(u), Name: names[u]}
		units = append(units, ref)
		if u != p.DepartmentID {
			parties = append(parties, Party{ID: ref.ID, Name: ref.Name, Roles: rolesBuyer})
		}
	}
	var tenderers []OrgRef
	if len(x.bids) > 0 {
		tenderers = make([]OrgRef, 0, len(x.bids))
	}
	var winner *OrgRef
	var lotWinners map[int64]bool
	for _, lb := range x.lotBids {
		if lotWinners == nil {
			lotWinners = map[int64]bool{}
		}
		lotWinners[lb.bidID] = lotWinners[lb.bidID] || lb.awarded
	}
	idents := make([]Identifier, len(x.bids))
	for i, b := range x.bids {
		ref := OrgRef{ID: "CN-USCC-" + b.USCC, Name: b.Entity}
		tenderers = append(tenderers, ref)
		roles := rolesTenderer
		if b.ID == p.WinnerBidID {
			winner = &tenderers[len(tenderers)-1]
		}
		if b.ID == p.WinnerBidID || lotWinners[b.ID] {
			roles = rolesSupplier
		}
		idents[i] = Identifier{Scheme: "CN-USCC", ID: b.USCC, LegalName: b.Entity}
		parties = append(parties, Party{ID: ref.ID, Name: b.Entity, Identifier: &idents[i], Roles: roles})
	}
	item := Item{ID: "1", Description: KindLabel(p.Kind, "zh") + " " + p.CategoryCode, Classification: &Classification{Scheme: "CN-ZFCGPMML", ID: p.CategoryCode}}
	createdAt := x.created.In(calendar.Shanghai).Format(time.RFC3339)
	planning := &Planning{Rationale: p.Title, Budget: &Budget{ID: p.Code, Description: "财政预算 / budget", Amount: cny(p.BudgetFen)}}
	lr := &LocalRules{
		SetAside: SetAsideRules{Decision: p.SetAside, DecisionDetails: SetAsideLabel(p.SetAside, "zh"), SharePercent: p.SetAsideShare, SmallMicroSharePercent: p.SmallMicroShare,
			Exception: p.SetAsideReason},
		PriceDeduction: PriceDeduction{SmallMicroPercent: p.DeductionPct, ConsortiumPercent: p.ConsortiumPct},
		CreditCheck:    CreditGate{Scene: "procurement", CommitmentAllowed: p.CommitmentAllowed},
		Evaluation:     Evaluation{Method: p.EvalMethod, MethodDetails: EvalLabel(p.EvalMethod, "zh"), PriceWeight: p.PriceWeight, CommitteeSize: p.CommitteeSize},
	}
	if p.SetAsideReason != "" {
		lr.SetAside.ExceptionDetails = ExceptionLabel(p.SetAsideReason, "zh")
	}
	if p.PoolID != 0 {
		lr.Pooling = &Pooling{GroupID: "pool-" + strconv.FormatInt(p.PoolID, 10), Coordination: x.coord, Units: units}
		if x.lead != 0 {
			lr.Pooling.LeadUnit = &OrgRef{ID: unitID(x.lead), Name: names[x.lead]}
		}
	}
	criteria := "priceOnly"
	if p.EvalMethod == EvalComprehensive {
		criteria = "ratedCriteria"
	}
	tender := &Tender{ID: p.Code, Title: p.Title, Status: OCDSTenderStatus(p.Status), ProcuringEntity: buyer, Items: []Item{item}, Value: cny(p.BudgetFen),
		ProcurementMethod: OCDSMethod(p.Method), ProcurementMethodDetails: MethodLabel(p.Method, "zh"), MainProcurementCategory: p.Kind,
		AwardCriteria: criteria, AwardCriteriaDetails: EvalLabel(p.EvalMethod, "zh"), LocalRules: lr}
	if len(p.Lots) > 0 {
		tender.Lots, tender.Items = ocdsLots(p, item)
	}
	if p.Status == ProjectAwarded {
		n := len(x.bids)
		tender.NumberOfTenderers, tender.Tenderers = &n, tenderers
	}
	base := func(stage, date string) Release {
		return Release{OCID: ocid, ID: ocid + "-" + stage, Date: date, Tag: tagOf[stage], InitiationType: "tender", Language: "zh", Buyer: buyer}
	}
	r := base("planning", createdAt)
	r.Parties, r.Planning = parties[:1], planning
	out = append(out, r)
	r = base("tender", createdAt)
	r.Parties, r.Tender = parties[:1+max(len(x.units)-1, 0)], tender
	out = append(out, r)
	compiled := Release{OCID: ocid, ID: ocid + "-compiled", Date: createdAt, Tag: tagOf["compiled"], InitiationType: "tender", Language: "zh", Buyer: buyer,
		Parties: parties, Planning: planning, Tender: tender}
	if p.Status == ProjectAwarded && winner != nil {
		aw := Award{ID: p.Code + "-award", Title: p.Title, Status: "active", Date: ocdsDate(p.AwardOn), Value: cny(p.AwardFen), Suppliers: []OrgRef{*winner}}
		awards, byLot := []Award{aw}, map[int]Award(nil)
		var bids *Bids
		if len(p.Lots) > 0 {
			// One award per lot, with its winner and amount; the bids per lot.
			awards, byLot, bids = ocdsLotAwards(p, x.lotBids)
		}
		// Releases after the tender carry what changed (OCDS releases are
		// incremental; the record's compiled release has everything).
		r = base("award", ocdsDate(p.AwardOn))
		r.Parties, r.Awards, r.Bids = parties, awards, bids
		r.Tender = &Tender{ID: tender.ID, Status: tender.Status, NumberOfTenderers: tender.NumberOfTenderers, Tenderers: tender.Tenderers}
		out = append(out, r)
		compiled.Awards, compiled.Bids, compiled.Date = r.Awards, bids, r.Date
		cs := make([]OCDSContract, 0, len(x.contracts))
		signed, impl := "", ""
		for _, c := range x.contracts {
			unit := &OrgRef{ID: unitID(c.DepartmentID), Name: names[c.DepartmentID]}
			oc := OCDSContract{ID: p.Code + "-contract-" + strconv.FormatInt(c.ID, 10), AwardID: aw.ID, Title: p.Title + " · " + names[c.DepartmentID], Status: "active",
				Value: cny(c.AmountFen), DateSigned: ocdsDate(c.SignedOn), Buyer: unit}
			payee := &aw.Suppliers[0]
			if c.Quantity > 0 {
				it := item
				it.ID, it.Quantity = "1", float64(c.Quantity)
				oc.Items = []Item{it}
			}
			if la, ok := byLot[c.LotNo]; ok && c.LotNo > 0 {
				// A lot's contract: its award, its lot and its items.
				oc.AwardID, oc.RelatedLots, payee = la.ID, la.RelatedLots, &la.Suppliers[0]
				oc.Title = la.Title
				for _, it := range tender.Items {
					if it.RelatedLot == la.RelatedLots[0] {
						oc.Items = append(oc.Items, it)
					}
				}
			}
			signed = max(signed, c.SignedOn)
			if c.AcceptedOn != "" || c.PaidOn != "" {
				im := &Implementation{}
				m := Milestone{ID: oc.ID + "-acceptance", Title: "履约验收 / acceptance", Type: "delivery", Status: "scheduled"}
				if c.AcceptedOn != "" {
					m.Status, m.DateMet = "met", ocdsDate(c.AcceptedOn)
					impl = max(impl, c.AcceptedOn)
				}
				im.Milestones = []Milestone{m}
				if c.PaidOn != "" {
					im.Transactions = []Transaction{{ID: oc.ID + "-payment", Date: ocdsDate(c.PaidOn), Value: cny(c.PaidFen), Payer: unit, Payee: payee}}
					impl = max(impl, c.PaidOn)
				}
				oc.Implementation = im
			}
			cs = append(cs, oc)
		}
		if len(cs) > 0 {
			plain := make([]OCDSContract, len(cs))
			for i, c := range cs {
				c.Implementation = nil
				c.Status = "active"
				plain[i] = c
			}
			r = base("contract", ocdsDate(signed))
			r.Contracts = plain
			out = append(out, r)
			compiled.Contracts, compiled.Date = plain, r.Date
			if impl != "" {
				r = base("implementation", ocdsDate(impl))
				r.Contracts = cs
				out = append(out, r)
				compiled.Contracts, compiled.Date = cs, r.Date
			}
		}
	}
	if len(x.chals) > 0 {
		r, ct := s.challengeRelease(x, ocid, buyer, tender)
		out = append(out, r)
		compiled.Tender = ct
		for _, pt := range r.Parties {
			if !slices.ContainsFunc(compiled.Parties, func(q Party) bool { return q.ID == pt.ID }) {
				compiled.Parties = append(compiled.Parties, pt)
			}
		}
		if r.Date > compiled.Date {
			compiled.Date = r.Date
		}
	}
	return out, compiled
}

// challengeRelease is a tenderUpdate release with the project's published
// challenges (its date the latest answer, complaint or decision), and the
// compiled tender with them.
func (s *Service) challengeRelease(x *ocdsProject, ocid string, buyer *OrgRef, tender *Tender) (Release, *Tender) {
	var list []OCDSChallenge
	var parties []Party
	seen := map[int64]bool{}
	latest := ""
	for _, c := range x.chals {
		code := x.uscc[c.EntityID]
		who := &OrgRef{ID: "CN-USCC-" + code, Name: c.Entity}
		oc := OCDSChallenge{ID: fmt.Sprintf("challenge-%d", c.ID), Status: c.Status, StatusDetails: ChallengeStatusLabel(c.Status, "zh"), Challenger: who,
			Description: c.Text, DateFiled: ocdsDate(c.FiledOn), AnswerDueDate: ocdsDate(c.AnswerDueOn), DateAnswered: ocdsDate(c.AnsweredOn), Answer: c.Answer}
		latest = max(latest, c.AnsweredOn)
		if c.ComplaintOn != "" {
			oc.Complaint = &OCDSComplaint{DateFiled: ocdsDate(c.ComplaintOn), DecisionDueDate: ocdsDate(c.DecisionDueOn), DateDecided: ocdsDate(c.DecidedOn), Decision: c.Decision}
			latest = max(latest, c.ComplaintOn, c.DecidedOn)
		}
		list = append(list, oc)
		if !seen[c.EntityID] {
			parties = append(parties, Party{ID: who.ID, Name: who.Name, Identifier: &Identifier{Scheme: "CN-USCC", ID: code, LegalName: c.Entity}, Roles: rolesChallenger})
		}
		seen[c.EntityID] = true
	}
	r := Release{OCID: ocid, ID: ocid + "-challenges", Date: ocdsDate(latest), Tag: tagOf["tenderUpdate"], InitiationType: "tender", Language: "zh", Buyer: buyer,
		Parties: parties, Tender: &Tender{ID: tender.ID, Challenges: list}}
	ct := *tender
	ct.Challenges = list
	return r, &ct
}

// OCDSReleases is one page of the release package (public).
func (s *Service) OCDSReleases(ctx context.Context, pg OCDSPage) (*ReleasePackage, error) {
	list, names, more, err := s.loadOCDS(ctx, pg)
	if err != nil {
		return nil, err
	}
	pkg := &ReleasePackage{URI: pg.Base + "/open-data/ocds/releases.json" + pageQuery(pg), Version: OCDSVersion, Extensions: []string{pg.Base + OCDSExtensionURL},
		PublishedDate: s.now().Format(time.RFC3339), Publisher: Publisher{Name: s.publisher()}, Releases: make([]Release, 0, 5*len(list))}
	for _, x := range list {
		pkg.Releases, _ = s.appendReleases(pkg.Releases, x, names)
	}
	if more {
		pkg.Links = &Links{Next: pg.Base + "/open-data/ocds/releases.json" + pageQuery(OCDSPage{After: list[len(list)-1].p.ID, Limit: pg.Limit})}
	}
	return pkg, nil
}

// OCDSRecords is one page of the record package (public): a record per
// project with links to its releases and the compiled release.
func (s *Service) OCDSRecords(ctx context.Context, pg OCDSPage) (*RecordPackage, error) {
	list, names, more, err := s.loadOCDS(ctx, pg)
	if err != nil {
		return nil, err
	}
	pkg := &RecordPackage{URI: pg.Base + "/open-data/ocds/records.json" + pageQuery(pg), Version: OCDSVersion, Extensions: []string{pg.Base + OCDSExtensionURL},
		PublishedDate: s.now().Format(time.RFC3339), Publisher: Publisher{Name: s.publisher()}, Packages: []string{}, Records: []Record{}}
	for _, x := range list {
		rs, compiled := s.releases(x, names)
		pkgURL := pg.Base + "/open-data/ocds/releases.json?ocid=" + s.OCID(x.p)
		pkg.Packages = append(pkg.Packages, pkgURL)
		rec := Record{OCID: s.OCID(x.p), CompiledRelease: compiled}
		for _, r := range rs {
			rec.Releases = append(rec.Releases, LinkedRelease{URL: pkgURL + "#" + r.ID, Date: r.Date, Tag: r.Tag})
		}
		pkg.Records = append(pkg.Records, rec)
	}
	if more {
		pkg.Links = &Links{Next: pg.Base + "/open-data/ocds/records.json" + pageQuery(OCDSPage{After: list[len(list)-1].p.ID, Limit: pg.Limit})}
	}
	return pkg, nil
}

func (s *Service) publisher() string {
	if s.Publisher != "" {
		return s.Publisher
	}
	return "许昌市财政局 / Xuchang Finance Bureau"
}

func pageQuery(pg OCDSPage) string {
	var parts []string
	if pg.OCID != "" {
		parts = append(parts, "ocid="+pg.OCID)
	}
	if pg.After > 0 {
		parts = append(parts, fmt.Sprintf("after=%d", pg.After))
	}
	if pg.Limit > 0 {
		parts = append(parts, fmt.Sprintf("limit=%d", pg.Limit))
	}
	if len(parts) == 0 {
		return ""
	}
	return "?" + strings.Join(parts, "&")
}

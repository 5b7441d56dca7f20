// Package entity is the market-entity registry (经营主体库): every company,
// individual business (个体工商户) and co-operative the platform knows,
// keyed by its unified social credit code (统一社会信用代码).
//
// The registry is read by every module (appeals, credit, inspections,
// policies ...) and maintained by departments through forms and through
// spreadsheets (.xlsx or .csv) in the column layout of Template.
//
// Entities are never deleted: a market entity leaves the register by its
// status (吊销 revoked, 注销 cancelled), and the records that other modules
// keep about it must stay readable. Service therefore offers no Delete.
//
// Personal data (the legal representative's identity card number and the
// contact phone) is encrypted at rest with the secret.Keyring and returned
// in plain text only to callers allowed to see it; see Service.
package entity

import (
	"strings"
	"sync"
	"time"

	"yingshang/internal/audit"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/importkit"
	"yingshang/internal/refdata"
	"yingshang/internal/secret"
)

// Status is the registration status (登记状态) of an entity.
type Status string

// Registration statuses.
const (
	StatusActive    Status = "active"    // 存续
	StatusOperating Status = "operating" // 在业
	StatusRevoked   Status = "revoked"   // 吊销
	StatusCancelled Status = "cancelled" // 注销
)

// Statuses lists the statuses in display order.
var Statuses = []Status{StatusActive, StatusOperating, StatusRevoked, StatusCancelled}

var statusLabels = map[Status][2]string{
	StatusActive:    {"存续", "Active"},
	StatusOperating: {"在业", "Operating"},
	StatusRevoked:   {"吊销", "Revoked"},
	StatusCancelled: {"注销", "Cancelled"},
}

// Label returns the status name: Chinese for lang "zh"/"zh-..." or "",
// English for "en".
func (s Status) Label(lang string) string {
	l, ok := statusLabels[s]
	if !ok {
		return string(s)
	}
	if strings.HasPrefix(lang, "en") {
		return l[1]
	}
	return l[0]
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool { _, ok := statusLabels[s]; return ok }

// Size sources.
const (
	SizeComputed = "computed" // classified from employees/revenue/assets by refdata.ClassifySize
	SizeSet      = "set"      // given explicitly and different from the computed class
)

// Entity is a market entity as returned to a caller. LegalRepID and Phone
// are in plain text only when the caller may see personal data (Masked is
// false); otherwise they hold the masked forms (110105********002X,
// 138****5678). RegionName and IndustryName are filled on read from the
// reference tables.
type Entity struct {
	ID           int64        `json:"id"`
	USCC         string       `json:"uscc"`
	Name         string       `json:"name"`
	Type         string       `json:"type"`
	LegalRepName string       `json:"legal_rep_name"`
	LegalRepID   string       `json:"legal_rep_id"`
	Address      string       `json:"address"`
	RegionCode   string       `json:"region_code"`
	RegionName   string       `json:"region_name"` // full name, e.g. 河南省许昌市魏都区
	IndustryCode string       `json:"industry_code"`
	IndustryName string       `json:"industry_name"`
	SizeClass    refdata.Size `json:"size_class"`  // "" when unknown
	SizeSource   string       `json:"size_source"` // SizeComputed, SizeSet or ""
	Employees    *int         `json:"employees"`
	RevenueWan   *float64     `json:"revenue_wan"`
	AssetsWan    *float64     `json:"assets_wan"`
	FoundedOn    string       `json:"founded_on"` // YYYY-MM-DD or ""
	Status       Status       `json:"status"`
	Phone        string       `json:"phone"`
	Tags         []string     `json:"tags"`
	DepartmentID int64        `json:"department_id,omitempty"` // managing department, 0 when none
	Masked       bool         `json:"masked"`                  // LegalRepID and Phone are masked
	CreatedAt    time.Time    `json:"created_at"`
	UpdatedAt    time.Time    `json:"updated_at"`
}

// Input is the payload of Create and Update and one row of an import. See
// ValidateAt for the rules. In Update (and when an import row updates an
// existing entity) a LegalRepID or Phone equal to the masked form the caller
// was shown keeps the stored value.
type Input struct {
	USCC         string   `json:"uscc"`
	Name         string   `json:"name"`
	Type         string   `json:"type"`
	LegalRepName string   `json:"legal_rep_name"`
	LegalRepID   string   `json:"legal_rep_id"`
	Address      string   `json:"address"`
	RegionCode   string   `json:"region_code"`   // "" defaults to the region in the USCC when that is known
	IndustryCode string   `json:"industry_code"` // any level; "C3741" is stored as "3741"
	Employees    *int     `json:"employees"`
	RevenueWan   *float64 `json:"revenue_wan"`
	AssetsWan    *float64 `json:"assets_wan"`
	// SizeClass "" means: compute it from the industry and the indicators.
	SizeClass    refdata.Size `json:"size_class"`
	FoundedOn    string       `json:"founded_on"` // YYYY-MM-DD
	Status       Status       `json:"status"`     // "" means active
	Phone        string       `json:"phone"`
	Tags         []string     `json:"tags"`
	DepartmentID int64        `json:"department_id"` // 0: the caller's department (create) or unchanged (update)

	// sizeSource is set by ValidateAt.
	sizeSource string
}

// SizeSource returns SizeComputed, SizeSet or "" after ValidateAt.
func (in *Input) SizeSource() string { return in.sizeSource }

// Filter selects entities for Search and Export.
type Filter struct {
	// Q matches a prefix of the USCC (when it is made of code characters)
	// or a substring of the name.
	Q string `json:"q"`
	// Region is a GB/T 2260 code; a province or city code matches every
	// division below it (411000 matches 4110xx).
	Region string `json:"region"`
	// Industry is a GB/T 4754 code at any level: a section letter, or 2, 3
	// or 4 digits; it matches the codes below it.
	Industry string       `json:"industry"`
	Size     refdata.Size `json:"size"`
	Status   Status       `json:"status"`
	Tag      string       `json:"tag"`
	// DepartmentID, when not 0, keeps the entities managed by that department.
	DepartmentID int64 `json:"department_id"`
	Page         int   `json:"page"`     // 1-based; 0 means 1
	PerPage      int   `json:"per_page"` // 0 means 20; at most 200
	// Sort is one of SortKeys, with a leading "-" for descending order;
	// "" means "-id" (newest first).
	Sort string `json:"sort"`
}

// SortKeys are the accepted Filter.Sort keys.
var SortKeys = []string{"id", "name", "uscc", "founded_on", "updated_at", "region_code", "industry_code"}

// Import modes.
const (
	ModeAllOrNothing = importkit.ModeAllOrNothing // any bad row: nothing is written
	ModeValidOnly    = importkit.ModeValidOnly    // the valid rows are written, the bad ones reported
)

// ImportOptions controls Import.
type ImportOptions struct {
	Mode   string `json:"mode"`    // ModeAllOrNothing ("" too) or ModeValidOnly
	DryRun bool   `json:"dry_run"` // validate and count only, write nothing
	// Size is the file's size when known, for Progress's estimate.
	Size int64 `json:"-"`
	// Progress, when set, is called as rows are read (every 1000 rows),
	// from another goroutine than the caller's.
	Progress func(importkit.Progress) `json:"-"`
}

// RowError is one problem found in an imported file. Row is the row number
// the user sees in the spreadsheet (the header is row 1); Column is the
// header text as written in the file ("" for a problem with the whole row);
// Field is the Input JSON field name.
type RowError = importkit.RowError

// MaxRowErrors is how many row errors an ImportReport lists.
const MaxRowErrors = importkit.MaxRowErrors

// ImportReport is the outcome of Import: the import kit's report (Total,
// Bad, Errors, Rows, Committed, ImportID) and the registry's counts.
// Created, Updated and Unchanged count the valid rows (in a dry run or a
// refused all_or_nothing import: what would have happened).
type ImportReport struct {
	importkit.Report
	Created   int `json:"created"`
	Updated   int `json:"updated"`
	Unchanged int `json:"unchanged"` // identical to the stored entity
}

// Service maintains the registry. A Service must not be copied after first
// use.
//
// Who may do what (decided here, from auth.From(ctx)):
//   - Read (Get, GetByUSCC, Search, Export): platform_admin, dept_admin,
//     dept_staff, supervisor and the system actor see every entity; an
//     enterprise user sees only the entity it is bound to (any other is
//     "not found", never "forbidden", so ids cannot be probed).
//   - Personal data in plain text: the platform admin and the system
//     actor; dept_admin/dept_staff whose department scope contains the
//     entity's DepartmentID; the enterprise user bound to the entity.
//     Everybody else gets masked values.
//   - Create, Update, Import, Template: platform_admin, dept_admin,
//     dept_staff. A department user's new entities belong to the user's
//     department unless another department within the user's scope is
//     given; a department user may change only entities managed by a
//     department in scope or by none.
type Service struct {
	DB    *db.DB
	Audit *audit.Log
	Keys  *secret.Keyring
	Clock clock.Clock
	// CountBound is how many matches Search counts exactly before it
	// estimates (0: DefaultCountBound).
	CountBound int
	// AnalyzeAfter is how many rows an import must create or update for
	// the tables to be vacuumed and analysed at its end on PostgreSQL (0:
	// DefaultAnalyzeAfter).
	AnalyzeAfter int

	searchMu  sync.Mutex
	nameIndex nameIndex // how names are searched; see search.go

	byID db.Lazy[*db.Cache[int64, *stored]] // Get's rows by id
}

// topicEntities is the change topic of the stored entities (db.Changes):
// an update or an import batch changes them; Get caches them by id.
const topicEntities = "entity.rows"

// Validate checks in (normalising it in place) as of the service clock.
func (s *Service) Validate(in *Input) error { return in.ValidateAt(s.Clock.Now()) }

// now returns the service time truncated to microseconds, the precision
// both engines store.
func (s *Service) now() time.Time { return s.Clock.Now().UTC().Truncate(time.Microsecond) }

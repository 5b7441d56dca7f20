// Package draw is the verifiable random selection engine (随机抽取) and the
// trading centre's "six randoms" workflow (六随机): intake staff, main and
// secondary venues, experts, witnesses and seats are all picked by draws
// whose records anyone can re-check (docs/draw-protocol.md).
//
// This file holds the service, its types and its error contract; the
// protocol itself (commitment, seed, selection, verification) is pure code
// in protocol.go, verify.go, eligibility.go, seat.go and beacon.go.
//
// Module roles. Experts, witnesses and intake staff are pool records
// (draw_experts, draw_people) optionally linked to a user account; the
// tenderer of a project is the enterprise user whose entity's credit code
// is the project's tenderer code. Trading-centre work is done by dept_admin
// or dept_staff of the project's department (the centre, XC-JYZX in the
// demo) or a platform admin; supervisors read everything including names.
package draw

import (
	"context"
	"crypto/rand"
	"io"
	"time"

	"yingshang/internal/account"
	"yingshang/internal/audit"
	"yingshang/internal/auth"
	"yingshang/internal/clock"
	"yingshang/internal/db"
	"yingshang/internal/entity"
	"yingshang/internal/notify"
	"yingshang/internal/secret"
	"yingshang/internal/yserr"
)

// Service runs pools, projects and draws.
type Service struct {
	DB     *db.DB
	Audit  *audit.Log
	Clock  clock.Clock
	Keys   *secret.Keyring
	Notify *notify.Service
	// Accounts looks up the user accounts linked to experts.
	Accounts *account.Service
	// Entities is the market-entity registry (tenderers and bidders).
	Entities *entity.Service
	// Rand is the source of server secrets and tokens (crypto/rand if nil).
	Rand io.Reader
	// CentreDept is the code of the trading centre's department, which
	// owns the projects registered by tenderers.
	CentreDept string
	// ResponseWindow is how long a drawn expert has to confirm (default 2h).
	ResponseWindow time.Duration
	// RecentWindowDays excludes experts drawn for the same tenderer within
	// this many days (default 90; 0 keeps the default, negative disables).
	RecentWindowDays int
	// BaseURL prefixes links in notifications (e.g. https://ys.example.gov.cn).
	BaseURL string
	// Appliers carry out the result of draws of other modules' purposes
	// (e.g. "codes" for bideval) inside the transaction of Execute.
	Appliers map[string]func(ctx context.Context, d *Draw, rec *Record) error
	// Runners decide who may run a draw of another module's purpose that
	// belongs to no project (inspect's sampling draws): nil lets the caller
	// run it, an error refuses.
	Runners map[string]func(ctx context.Context, d *Draw) error
}

// Expert statuses.
const (
	ExpertActive    = "active"
	ExpertSuspended = "suspended"
	ExpertRemoved   = "removed"
)

// Expert is a pool member (评标专家).
type Expert struct {
	ID             int64    `json:"id"`
	Pseudonym      string   `json:"pseudonym"`
	Name           string   `json:"name"`
	UserID         int64    `json:"user_id,omitempty"`
	PhoneMask      string   `json:"phone_mask,omitempty"`
	Specialties    []string `json:"specialties"`
	EmployerUSCC   string   `json:"employer_uscc"`
	EmployerName   string   `json:"employer_name"`
	Region         string   `json:"region_code"`
	Title          string   `json:"title"`
	Status         string   `json:"status" enum:"active,suspended,removed"`
	Relations      []string `json:"relations" doc:"credit codes of enterprises the expert declared a relation to"`
	UnavailableTo  string   `json:"unavailable_until,omitempty"`
	PenalisedUntil string   `json:"penalised_until,omitempty"`
}

// ExpertInput creates or updates an expert.
type ExpertInput struct {
	Name           string   `json:"name"`
	Username       string   `json:"username,omitempty" doc:"link to this user account (for confirming draws)"`
	Phone          string   `json:"phone,omitempty"`
	Specialties    []string `json:"specialties"`
	EmployerUSCC   string   `json:"employer_uscc"`
	EmployerName   string   `json:"employer_name"`
	Region         string   `json:"region_code"`
	Title          string   `json:"title"`
	Status         string   `json:"status,omitempty" enum:"active,suspended,removed"`
	Relations      []string `json:"relations,omitempty"`
	UnavailableTo  string   `json:"unavailable_until,omitempty"`
	PenalisedUntil string   `json:"penalised_until,omitempty"`
}

// Person is an intake staff member or a witness.
type Person struct {
	ID        int64  `json:"id"`
	Kind      string `json:"kind" enum:"staff,witness"`
	Pseudonym string `json:"pseudonym"`
	Name      string `json:"name"`
	UserID    int64  `json:"user_id,omitempty"`
	Status    string `json:"status"`
}

// RoomInfo is an evaluation room.
type RoomInfo struct {
	ID       int64  `json:"id"`
	Code     string `json:"code"`
	Venue    string `json:"venue"`
	Name     string `json:"name"`
	Capacity int    `json:"capacity"`
	Status   string `json:"status"`
}

// ProjectInput registers a project.
type ProjectInput struct {
	Name            string   `json:"name"`
	Kind            string   `json:"kind" enum:"works,goods,services"`
	BudgetYuan      int64    `json:"budget_yuan"`
	Specialties     []string `json:"specialties" doc:"technical specialty codes needed"`
	EconSpecialties []string `json:"econ_specialties,omitempty" doc:"economic specialty codes (default: the pool's economic codes)"`
	TendererUSCC    string   `json:"tenderer_uscc"`
	BidderUSCCs     []string `json:"bidder_usccs,omitempty"`
	Region          string   `json:"region_code"`
	CrossRegion     bool     `json:"cross_region"`
	OpeningAt       string   `json:"opening_at" doc:"RFC 3339 or YYYY-MM-DDTHH:MM (local time)"`
	Committee       int      `json:"committee,omitempty" doc:"experts on the committee (odd, >= 5; default 5, 7 when the budget is >= 10 million yuan)"`
}

// Project is a registered project.
type Project struct {
	ID              int64     `json:"id"`
	Code            string    `json:"code"`
	Name            string    `json:"name"`
	Kind            string    `json:"kind"`
	BudgetYuan      int64     `json:"budget_yuan"`
	Specialties     []string  `json:"specialties"`
	EconSpecialties []string  `json:"econ_specialties"`
	TendererUSCC    string    `json:"tenderer_uscc"`
	BidderUSCCs     []string  `json:"bidder_usccs" doc:"registered bidders: empty for all but the trading centre and supervisors until the bid opening (招标投标法 Art.22)"`
	Region          string    `json:"region_code"`
	CrossRegion     bool      `json:"cross_region"`
	OpeningAt       time.Time `json:"opening_at"`
	Committee       int       `json:"committee"`
	DepartmentID    int64     `json:"department_id"`
	Status          string    `json:"status"`
	CreatedAt       time.Time `json:"created_at"`
	// aliasSalt keys the project's expert pseudonyms (Alias); secret.
	aliasSalt string
}

// Draw is a draw as listed.
type Draw struct {
	ID          int64      `json:"id"`
	Purpose     string     `json:"purpose"`
	ProjectID   int64      `json:"project_id,omitempty"`
	ProjectCode string     `json:"project_code,omitempty"`
	ParentID    int64      `json:"parent_id,omitempty"`
	Status      string     `json:"status" enum:"committed,drawn"`
	CommittedAt time.Time  `json:"committed_at"`
	DrawnAt     *time.Time `json:"drawn_at,omitempty"`
	Commitment  Commitment `json:"commitment"`
	// Sealed draws (the virtual codes of module bideval) publish only their
	// commitment until Unseal; supervisors see the record meanwhile.
	Sealed bool `json:"sealed"`
}

// Assignment is a drawn expert and the state of the answer.
type Assignment struct {
	ID          int64      `json:"id"`
	DrawID      int64      `json:"draw_id"`
	ProjectID   int64      `json:"project_id"`
	ExpertID    int64      `json:"expert_id"`
	Pseudonym   string     `json:"pseudonym"`
	Name        string     `json:"name,omitempty" doc:"empty while sealed for the caller"`
	Group       string     `json:"group"`
	Order       int        `json:"order"`
	Reserve     bool       `json:"reserve"`
	Status      string     `json:"status" enum:"standby,notified,confirmed,declined,expired,unused"`
	DeadlineAt  *time.Time `json:"deadline_at,omitempty"`
	RespondedAt *time.Time `json:"responded_at,omitempty"`
	ReplacesID  int64      `json:"replaces_id,omitempty"`
	Room        string     `json:"room,omitempty"`
}

// DrawInput starts a draw at the table: the witness's name and value, and
// optionally a drand round to wait for.
type DrawInput struct {
	WitnessName  string  `json:"witness_name"`
	WitnessValue string  `json:"witness_value" doc:"any text the witness types at the draw (e.g. six digits)"`
	Beacon       *Beacon `json:"beacon,omitempty" doc:"the committed drand round's signature, when the draw named one"`
}

func (s *Service) rand() io.Reader {
	if s.Rand != nil {
		return s.Rand
	}
	return rand.Reader
}

func (s *Service) responseWindow() time.Duration {
	if s.ResponseWindow > 0 {
		return s.ResponseWindow
	}
	return 2 * time.Hour
}

func (s *Service) recentDays() int {
	if s.RecentWindowDays == 0 {
		return 90
	}
	return s.RecentWindowDays
}

// Errors (all *yserr.Error):
//   - Invalid with field errors for bad input (ProjectInput, ExpertInput,
//     DrawInput, a malformed import row);
//   - Forbidden when the actor's role may not act, NotFound when the
//     project is outside the actor's department (see staff()), so that
//     ids cannot be probed;
//   - NotFound for unknown ids or tokens;
//   - Conflict for a draw in the wrong state, a room already booked, a
//     reply after the deadline, or a draw that cannot be filled: the
//     message then names every group short and how many members each rule
//     excluded (the draw is never relaxed).

// staff returns the actor if it may run draws for a department.
func staff(ctx context.Context, deptID int64) (*auth.Actor, error) {
	a, err := auth.Require(ctx, auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff)
	if err != nil {
		return nil, err
	}
	if a.Has(auth.PlatformAdmin) || a.IsSystem() || a.InScope(deptID) {
		return a, nil
	}
	// Staff of another department do not see the project at all: not
	// found, as for an id that does not exist.
	return nil, yserr.ErrNotFound("项目", "project")
}

// seesNames reports whether the actor may see drawn experts' names: the
// committee stays secret to everyone but the trading centre and supervisors
// until the result is published (招标投标法 Art.37; the project is then
// "awarded").
func seesNames(ctx context.Context, p *Project) bool {
	return isCentreFor(ctx, p) || p.Status == "awarded"
}

// Package entities serves the market-entity registry (经营主体库) on the
// web and in the JSON API: search, detail with change history, forms,
// spreadsheet import and export, and one-enterprise-one-code (一企一码):
// the public service page of every entity, its QR code and a printable
// sheet. Every decision about who may see or change what is made by the
// entity service; this package only translates requests and renders.
package entities

import (
	"net/http"

	"yingshang/internal/account"
	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/refdata"
	"yingshang/internal/server"
)

// Roles that may browse the registry and that may change it.
var (
	readRoles  = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff, auth.Supervisor}
	writeRoles = []auth.Role{auth.PlatformAdmin, auth.DeptAdmin, auth.DeptStaff}
)

// Views rendered by this package.
const (
	viewList         = "entities/list"
	viewDetail       = "entities/detail"
	viewForm         = "entities/form"
	viewImport       = "entities/import"
	viewImportResult = "entities/import_result"
	viewPublic       = "entities/public"
	viewPrint        = "entities/print"
	viewMine         = "entities/mine"
)

type handlers struct {
	s       *server.Server
	uploads *uploadStore
}

// Mount registers the pages and API operations of the area.
func Mount(s *server.Server) {
	h := &handlers{s: s, uploads: newUploadStore(s.App.Cfg.DataDir, s.App.Clock)}
	s.UsesViews(viewList, viewDetail, viewForm, viewImport, viewImportResult, viewPublic, viewPrint, viewMine)

	s.Page("GET /entities", h.list, readRoles...)
	s.Page("GET /entities/export", h.export, readRoles...)
	s.Page("GET /entities/new", h.newForm, writeRoles...)
	s.Page("POST /entities/new", h.create, writeRoles...)
	// Enterprise users reach /entities/{id} too, so that another entity's
	// id is "not found" for them exactly as in the API.
	s.Page("GET /entities/{id}", h.detail, append(readRoles, auth.Enterprise)...)
	s.Page("GET /entities/{id}/edit", h.editForm, writeRoles...)
	s.Page("POST /entities/{id}/edit", h.update, writeRoles...)
	s.Page("GET /entities/import", h.importForm, writeRoles...)
	s.Page("POST /entities/import", h.importFile, writeRoles...)
	s.Page("GET /entities/import/template.xlsx", h.template, writeRoles...)
	s.Page("GET /my/entity", h.mine, auth.Enterprise)

	// One enterprise, one code: public, rate limited, no sign-in.
	s.Page("GET /e/{uscc}", h.publicPage)
	s.Page("GET /e/{uscc}/qr.png", h.publicQR)
	s.Page("GET /e/{uscc}/print", h.printPage)

	h.mountAPI()
}

// homeCity is the prefecture city the platform serves: the region of the
// first root department at city level (许昌市 411000 in the demo); false
// when no root department names a city.
func homeCity(depts []account.Department) (refdata.RegionInfo, bool) {
	for _, d := range depts {
		if d.Depth != 0 || d.RegionCode == "" {
			continue
		}
		if r, ok := refdata.Region(d.RegionCode); ok && r.Level == refdata.LevelCity {
			return r, true
		}
	}
	return refdata.RegionInfo{}, false
}

// option is one entry of a <select>.
type option struct {
	Value, Label string
	Indent       bool
}

// sizeOptions lists the size classes in the language.
func sizeOptions(lang string) []option {
	out := []option{}
	for _, z := range []refdata.Size{refdata.SizeLarge, refdata.SizeMedium, refdata.SizeSmall, refdata.SizeMicro} {
		out = append(out, option{Value: string(z), Label: z.Label(lang)})
	}
	return out
}

// statusOptions lists the registration statuses in the language.
func statusOptions(lang string) []option {
	out := []option{}
	for _, st := range entity.Statuses {
		out = append(out, option{Value: string(st), Label: st.Label(lang)})
	}
	return out
}

// sectionOptions lists the 20 industry sections (门类).
func sectionOptions() []option {
	out := []option{}
	for _, s := range refdata.Sections() {
		out = append(out, option{Value: s.Code, Label: s.Code + " " + s.Name})
	}
	return out
}

// regionOptions lists the home city and its counties.
func regionOptions(depts []account.Department) []option {
	city, ok := homeCity(depts)
	if !ok {
		return nil
	}
	out := []option{{Value: city.Code, Label: city.Name}}
	for _, c := range refdata.RegionChildren(city.Code) {
		out = append(out, option{Value: c.Code, Label: c.Name, Indent: true})
	}
	return out
}

// mayEdit reports whether the edit button is worth showing. It mirrors
// the service's rule for display only; the service decides on submit.
func mayEdit(a *auth.Actor, e *entity.Entity) bool {
	switch {
	case a == nil || !a.Has(writeRoles...):
		return false
	case a.Has(auth.PlatformAdmin):
		return true
	}
	return e.DepartmentID == 0 || a.InScope(e.DepartmentID)
}

func sizeLabel(e *entity.Entity, lang string) string {
	if e.SizeClass == "" {
		return ""
	}
	return e.SizeClass.Label(lang)
}

// writeNoStore marks a response with personal data as not cacheable.
func writeNoStore(w http.ResponseWriter) { w.Header().Set("Cache-Control", "no-store") }

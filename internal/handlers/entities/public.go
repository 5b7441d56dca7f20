package entities

import (
	"context"
	"net/http"

	"yingshang/internal/auth"
	"yingshang/internal/entity"
	"yingshang/internal/ident"
	"yingshang/internal/refdata"
	"yingshang/internal/web"
	"yingshang/internal/yserr"
)

// publicEntity holds the facts of an entity that anybody may read: what
// the national enterprise credit publicity system shows too. It has no
// field for personal data, so a template cannot print any by mistake.
type publicEntity struct {
	USCC, Name, Type string
	StatusLabel      string
	RegionName       string
	IndustryName     string
	IndustryCode     string
	FoundedOn        string
}

// publicData is what entities/public and entities/print render.
type publicData struct {
	E  publicEntity
	QR qrLinks
}

// lookupPublic finds the entity behind a public code. Unknown codes,
// malformed codes and cancelled (注销) entities are not found. The lookup
// acts as the platform itself because the visitor is anonymous; only the
// public facts leave this function.
func (h *handlers) lookupPublic(ctx context.Context, code string) (*entity.Entity, error) {
	code = ident.NormalizeUSCC(code)
	if ident.ValidateUSCC(code) != nil {
		return nil, errNoEntity()
	}
	sys := auth.WithActor(ctx, auth.System("public-qr"))
	e, err := h.s.App.Entities.GetByUSCC(sys, code)
	if err != nil {
		return nil, err
	}
	if e.Status == entity.StatusCancelled {
		return nil, errNoEntity()
	}
	return e, nil
}

func errNoEntity() *yserr.Error { return yserr.ErrNotFound("经营主体", "market entity") }

func (h *handlers) publicView(r *http.Request) (*web.View, *publicData, error) {
	e, err := h.lookupPublic(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return nil, nil, err
	}
	v := h.s.View(r, e.Name)
	p := publicEntity{USCC: e.USCC, Name: e.Name, Type: e.Type, StatusLabel: e.Status.Label(v.Lang),
		RegionName: refdata.FullName(e.RegionCode), IndustryName: e.IndustryName, IndustryCode: e.IndustryCode, FoundedOn: e.FoundedOn}
	d := &publicData{E: p, QR: h.qrLinks(e.USCC)}
	v.Data = d
	return v, d, nil
}

func (h *handlers) publicPage(w http.ResponseWriter, r *http.Request) error {
	v, _, err := h.publicView(r)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewPublic, v)
}

func (h *handlers) printPage(w http.ResponseWriter, r *http.Request) error {
	v, _, err := h.publicView(r)
	if err != nil {
		return err
	}
	return h.s.Render(w, r, http.StatusOK, viewPrint, v)
}

// publicQR serves the code as a PNG; ?download=1 makes it a download.
func (h *handlers) publicQR(w http.ResponseWriter, r *http.Request) error {
	e, err := h.lookupPublic(r.Context(), r.PathValue("uscc"))
	if err != nil {
		return err
	}
	return h.writeQR(w, r, e.USCC)
}

// writeQR writes the QR image of an entity's public page.
func (h *handlers) writeQR(w http.ResponseWriter, r *http.Request, uscc string) error {
	png, err := qrPNG(h.publicURL(uscc))
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "public, max-age=300")
	if r.URL.Query().Get("download") == "1" {
		w.Header().Set("Content-Disposition", attachment("一企一码-"+uscc+".png", "qr-"+uscc+".png"))
	}
	_, err = w.Write(png)
	return err
}

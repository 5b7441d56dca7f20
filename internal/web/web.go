// Package web renders the server-side HTML pages.
//
// Templates live in templates/: layout/base.html is the page frame,
// partials/*.html are shared pieces, and every other file is one page,
// named by its path without ".html" ("core/home"). A page defines the
// blocks "title" and "content" (and optionally "head" and "scripts").
// All templates are parsed once at start-up; rendering a page that does not
// exist is an error, and Check fails start-up if a handler's view is missing.
//
// Text is bilingual in the template itself: {{t "经营主体" "Market entities"}}
// prints the Chinese or the English text by the request's language. Chinese
// is the default; this keeps each page readable in one file and every
// string next to its translation.
//
// Static assets are served under /static/<hash>/<path> with a year-long
// cache; {{asset "app.css"}} gives the current URL.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"

	"yingshang/internal/auth"
	"yingshang/internal/yserr"
)

//go:embed templates static
var files embed.FS

// Shanghai is the display time zone.
var Shanghai = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

// View is what every page template receives as ".".
type View struct {
	Title   string
	Lang    string // "zh-CN" or "en"
	Actor   *auth.Actor
	CSRF    string
	Path    string
	Query   url.Values
	Flash   string
	Error   *yserr.Error      // a form-level error
	Errors  map[string]string // field -> message in Lang
	Form    url.Values        // submitted values, to refill a form
	Data    any               // page-specific
	Version string
	Now     time.Time
	Unread  int64
	// Nav is the modules' side-menu groups this actor may see; Public the
	// modules' links on the landing page.
	Nav    []NavGroup
	Public []Link
}

// Text returns t in the view's language.
func (v *View) Text(t Text) string { return t.In(v.Lang) }

// T picks the text for the view's language.
func (v *View) T(zh, en string) string {
	if v.Lang == "en" {
		return en
	}
	return zh
}

// Renderer holds the parsed templates.
type Renderer struct {
	pages   map[string]*template.Template
	assets  map[string]string // path -> hash
	static  fs.FS
	Version string
}

// New parses every template: the core's (templates/ in this package) and
// each module's. A module's fs.FS holds its pages as <dir>/<page>.html
// (rendered as "<dir>/<page>") and its shared pieces as partials/*.html,
// which every page can use.
func New(version string, modules ...fs.FS) (*Renderer, error) {
	r := &Renderer{pages: map[string]*template.Template{}, assets: map[string]string{}, Version: version}
	static, err := fs.Sub(files, "static")
	if err != nil {
		return nil, err
	}
	r.static = static
	if err := fs.WalkDir(static, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(static, p)
		if err != nil {
			return err
		}
		h := sha256.Sum256(b)
		r.assets[p] = hex.EncodeToString(h[:])[:10]
		return nil
	}); err != nil {
		return nil, err
	}
	core, err := fs.Sub(files, "templates")
	if err != nil {
		return nil, err
	}
	trees := append([]fs.FS{core}, modules...)
	base := template.New("base").Funcs(r.funcs())
	if _, err := base.ParseFS(core, "layout/*.html"); err != nil {
		return nil, fmt.Errorf("parse layout: %w", err)
	}
	for _, t := range trees {
		if ms, _ := fs.Glob(t, "partials/*.html"); len(ms) > 0 {
			if _, err := base.ParseFS(t, "partials/*.html"); err != nil {
				return nil, fmt.Errorf("parse partials: %w", err)
			}
		}
	}
	for _, tree := range trees {
		err = fs.WalkDir(tree, ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
				return err
			}
			if strings.HasPrefix(p, "layout/") || strings.HasPrefix(p, "partials/") {
				return nil
			}
			name := strings.TrimSuffix(p, ".html")
			if _, dup := r.pages[name]; dup {
				return fmt.Errorf("two templates for the page %s", name)
			}
			t, err := template.Must(base.Clone()).ParseFS(tree, p)
			if err != nil {
				return fmt.Errorf("parse %s: %w", p, err)
			}
			r.pages[name] = t
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Check returns an error naming every view that does not exist.
func (r *Renderer) Check(names ...string) error {
	var missing []string
	for _, n := range names {
		if _, ok := r.pages[n]; !ok {
			missing = append(missing, n)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("missing views: %s", strings.Join(missing, ", "))
	}
	return nil
}

// Has reports whether a view exists.
func (r *Renderer) Has(name string) bool { _, ok := r.pages[name]; return ok }

// Render writes page name with v. It renders into a buffer first, so a
// template error never produces half a page.
func (r *Renderer) Render(w http.ResponseWriter, status int, name string, v *View) error {
	t, ok := r.pages[name]
	if !ok {
		return fmt.Errorf("view %q does not exist", name)
	}
	var buf bytes.Buffer
	tmpl := "base"
	if v.Query != nil && v.Query.Get("partial") == "1" {
		// htmx fragment requests get only the content block.
		tmpl = "content"
	}
	if err := t.ExecuteTemplate(&buf, tmpl, v); err != nil {
		return fmt.Errorf("render %s: %w", name, err)
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := buf.WriteTo(w)
	return err
}

// Asset returns the cache-busting URL of a static file.
func (r *Renderer) Asset(p string) string {
	if h, ok := r.assets[p]; ok {
		return "/static/" + h + "/" + p
	}
	return "/static/0/" + p
}

// StaticHandler serves /static/{hash}/{path...}.
func (r *Renderer) StaticHandler() http.Handler {
	fsrv := http.FileServerFS(r.static)
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		p := req.PathValue("path")
		if _, ok := r.assets[p]; !ok {
			http.NotFound(w, req)
			return
		}
		if req.PathValue("hash") == r.assets[p] {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "no-cache")
		}
		req2 := req.Clone(req.Context())
		req2.URL.Path = "/" + p
		fsrv.ServeHTTP(w, req2)
	})
}

// StaticFile returns the content of an embedded static file (tests, exports).
func StaticFile(p string) ([]byte, error) { return files.ReadFile(path.Join("static", p)) }

func (r *Renderer) funcs() template.FuncMap {
	return template.FuncMap{
		"asset": r.Asset,
		"t":     func(v *View, zh, en string) string { return v.T(zh, en) },
		"time": func(v *View, t any) string {
			switch x := t.(type) {
			case time.Time:
				if x.IsZero() {
					return ""
				}
				return x.In(Shanghai).Format("2006-01-02 15:04")
			case *time.Time:
				if x == nil || x.IsZero() {
					return ""
				}
				return x.In(Shanghai).Format("2006-01-02 15:04")
			case string:
				// A time kept as text in a record (RFC 3339, often UTC):
				// shown in Beijing time like every other time.
				if p, err := time.Parse(time.RFC3339Nano, x); err == nil {
					return p.In(Shanghai).Format("2006-01-02 15:04:05")
				}
				return x
			}
			return fmt.Sprint(t)
		},
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(Shanghai).Format("2006-01-02")
		},
		"has": func(v *View, roles ...string) bool {
			for _, r := range roles {
				if v.Actor.Has(auth.Role(r)) {
					return true
				}
			}
			return false
		},
		"roleLabel": func(v *View, r auth.Role) string { return r.Label(v.Lang) },
		"label":     labelFunc,
		"actionLabel": func(v *View, action string) (string, error) {
			return lookup(v, "audit.action", action, AuditActionLabel)
		},
		"objectLabel": func(v *View, kind string) (string, error) {
			return lookup(v, "audit.object", kind, func(k, lang string) (string, bool) {
				t, ok := LabelText("audit.object", k)
				return t.In(lang), ok
			})
		},
		// free prints text a person wrote (a reason, a note): never a
		// code, so the raw-code check of the templates lets it pass.
		"free":    func(s string) string { return s },
		"yuan":    Yuan,
		"wanYuan": WanYuan,
		"fieldErr": func(v *View, field string) string {
			if v.Errors == nil {
				return ""
			}
			return v.Errors[field]
		},
		"formVal": func(v *View, field string) string {
			if v.Form == nil {
				return ""
			}
			return v.Form.Get(field)
		},
		// formHas reports whether the submitted form had value among field's
		// values: a refilled form keeps its ticked boxes and chosen options.
		"formHas": func(v *View, field string, value any) bool {
			if v.Form == nil {
				return false
			}
			return slices.Contains(v.Form[field], fmt.Sprint(value))
		},
		"errMsg": func(v *View, e *yserr.Error) string { return e.Message(v.Lang) },
		"json": func(x any) (template.JS, error) {
			b, err := json.Marshal(x)
			return template.JS(b), err
		},
		"add":   func(a, b int) int { return a + b },
		"sub":   func(a, b int) int { return a - b },
		"add64": func(a, b int64) int64 { return a + b },
		"seq": func(n int) []int {
			s := make([]int, n)
			for i := range s {
				s[i] = i + 1
			}
			return s
		},
		"query": func(v *View, kv ...string) string {
			q := url.Values{}
			for k, vals := range v.Query {
				q[k] = append([]string(nil), vals...)
			}
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i+1] == "" {
					q.Del(kv[i])
				} else {
					q.Set(kv[i], kv[i+1])
				}
			}
			q.Del("partial")
			return v.Path + "?" + q.Encode()
		},
		"pages": func(total int64, per int) int {
			if per <= 0 {
				return 1
			}
			n := int((total + int64(per) - 1) / int64(per))
			return max(n, 1)
		},
		"otherLang": func(v *View) string {
			if v.Lang == "en" {
				return "zh-CN"
			}
			return "en"
		},
		"short": func(s string, n int) string {
			r := []rune(s)
			if len(r) <= n {
				return s
			}
			return string(r[:n]) + "…"
		},
	}
}

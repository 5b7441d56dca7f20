package procure

// OCDS bulk download (docs/procure.md "Open data"): the complete release
// package and record package of every project, gzip'd JSON in the shared
// file store (never an instance's disk), rebuilt by a job after the
// published data changed (an award, a contract, a challenge answered: the
// job looks every OCDSBulkInterval) and at least once a day, and served
// without login.

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"time"

	"github.com/riverqueue/river"

	"yingshang/internal/auth"
	"yingshang/internal/db"
	"yingshang/internal/filestore"
	"yingshang/internal/jobs"
	"yingshang/internal/yserr"
)

// The bulk files' names (under /open-data/ocds/bulk/).
const (
	BulkReleases = "releases.json.gz"
	BulkRecords  = "records.json.gz"
)

// BulkNames lists the bulk files.
var BulkNames = []string{BulkReleases, BulkRecords}

// BulkPath is where a bulk file is served.
func BulkPath(name string) string { return "/open-data/ocds/bulk/" + name }

// OCDSBulkInterval is how often the job looks for changes; OCDSBulkMaxAge
// is the age after which the files are rebuilt even without one (the
// nightly build: names of units and suppliers may have changed).
const (
	OCDSBulkInterval = 10 * time.Minute
	OCDSBulkMaxAge   = 24 * time.Hour
)

// BulkFile is a built bulk file.
type BulkFile struct {
	Name     string    `json:"name"`
	URL      string    `json:"url"`
	Size     int64     `json:"size"`
	SHA256   string    `json:"sha256"`
	Projects int       `json:"projects"`
	Releases int       `json:"releases"`
	BuiltAt  time.Time `json:"built_at"`
	fileID   int64
	print    string
}

// OCDSBulk builds and reads the bulk files: the service, the file store
// and the site's base URL (for the packages' URLs).
type OCDSBulk struct {
	Svc   *Service
	Files *filestore.Store
	Base  string
}

// fingerprint summarises what the bulk files are built from: the rows of
// the projects, contracts, challenges and pools (counts and versions, so
// any write changes it) and the settings that appear in the files.
func (b *OCDSBulk) fingerprint(ctx context.Context) (string, error) {
	var n [8]int64
	err := b.Svc.DB.Q(ctx).QueryRow(ctx, `SELECT
		(SELECT COUNT(*) FROM procure_projects), (SELECT COALESCE(SUM(version), 0) FROM procure_projects),
		(SELECT COUNT(*) FROM procure_contracts), (SELECT COALESCE(SUM(version), 0) FROM procure_contracts),
		(SELECT COUNT(*) FROM procure_challenges), (SELECT COALESCE(SUM(version), 0) FROM procure_challenges),
		(SELECT COUNT(*) FROM procure_pool_members), (SELECT COALESCE(SUM(version), 0) FROM procure_pools)`).
		Scan(&n[0], &n[1], &n[2], &n[3], &n[4], &n[5], &n[6], &n[7])
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%v|%s|%s|%s", n, b.Base, b.Svc.ocidPrefix(), b.Svc.publisher()), nil
}

// List lists the built bulk files (none before the first build).
func (b *OCDSBulk) List(ctx context.Context) ([]BulkFile, error) { return b.list(ctx) }

func (b *OCDSBulk) list(ctx context.Context) ([]BulkFile, error) {
	rows, err := b.Svc.DB.Q(ctx).Query(ctx, "SELECT name, file_id, size, sha256, projects, releases, fingerprint, built_at FROM procure_ocds_bulk ORDER BY name DESC")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []BulkFile
	for rows.Next() {
		var f BulkFile
		if err := rows.Scan(&f.Name, &f.fileID, &f.Size, &f.SHA256, &f.Projects, &f.Releases, &f.print, &f.BuiltAt); err != nil {
			return nil, err
		}
		f.URL = b.Base + BulkPath(f.Name)
		out = append(out, f)
	}
	return out, rows.Err()
}

// Open returns a bulk file and its content (NotFound before the first build).
func (b *OCDSBulk) Open(ctx context.Context, name string) (*BulkFile, []byte, error) {
	list, err := b.list(ctx)
	if err != nil {
		return nil, nil, err
	}
	for _, f := range list {
		if f.Name == name {
			_, data, err := b.Files.Get(ctx, "procure", f.fileID)
			if err != nil {
				return nil, nil, err
			}
			return &f, data, nil
		}
	}
	return nil, nil, yserr.ErrNotFound("批量下载文件（尚未生成）", "bulk file (not built yet)")
}

// Build writes both bulk files when the published data changed since the
// last build, when it is older than OCDSBulkMaxAge, or when force is set;
// it reports whether it built them.
func (b *OCDSBulk) Build(ctx context.Context, force bool) (bool, error) {
	fp, err := b.fingerprint(ctx)
	if err != nil {
		return false, err
	}
	old, err := b.list(ctx)
	if err != nil {
		return false, err
	}
	if !force && len(old) == len(BulkNames) {
		fresh := true
		for _, f := range old {
			fresh = fresh && f.print == fp && b.Svc.now().Sub(f.BuiltAt) < OCDSBulkMaxAge
		}
		if fresh {
			return false, nil
		}
	}
	rel, rec, projects, releases, err := b.write(ctx)
	if err != nil {
		return false, err
	}
	now := b.Svc.now()
	err = b.Svc.DB.WithTx(ctx, func(ctx context.Context) error {
		for name, data := range map[string][]byte{BulkReleases: rel, BulkRecords: rec} {
			f, err := b.Files.Save(ctx, "procure", filestore.Trusted(name, "application/gzip", data, false))
			if err != nil {
				return err
			}
			q := b.Svc.DB.W(ctx)
			var oldID int64
			err = q.QueryRow(ctx, "DELETE FROM procure_ocds_bulk WHERE name = $1 RETURNING file_id", name).Scan(&oldID)
			if err != nil && !db.IsNoRows(err) {
				return err
			}
			row := BulkFile{Name: name, Size: f.Size, SHA256: f.SHA256, Projects: projects, Releases: releases, BuiltAt: now}
			if _, err := q.Exec(ctx, `INSERT INTO procure_ocds_bulk (name, file_id, size, sha256, projects, releases, fingerprint, built_at)
				VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, name, f.ID, f.Size, f.SHA256, projects, releases, fp, now); err != nil {
				return err
			}
			if oldID != 0 {
				if err := b.Files.Delete(ctx, "procure", oldID); err != nil {
					return err
				}
			}
			if err := b.Svc.Audit.Record(ctx, "procure.ocds_bulk.build", "procure_ocds_bulk", name, nil, row, ""); err != nil {
				return err
			}
		}
		return nil
	})
	return err == nil, err
}

// bulkPage is the projects the bulk job reads at a time.
const bulkPage = 1000

// write builds the two gzip'd packages (stream into gzip writers).
func (b *OCDSBulk) write(ctx context.Context) (rel, rec []byte, projects, releases int, err error) {
	var relBuf, recBuf bytes.Buffer
	relZ, recZ := gzip.NewWriter(&relBuf), gzip.NewWriter(&recBuf)
	if projects, releases, err = b.stream(ctx, relZ, recZ); err != nil {
		return nil, nil, 0, 0, err
	}
	if err := relZ.Close(); err != nil {
		return nil, nil, 0, 0, err
	}
	if err := recZ.Close(); err != nil {
		return nil, nil, 0, 0, err
	}
	return relBuf.Bytes(), recBuf.Bytes(), projects, releases, nil
}

// stream writes every project's releases to relW and records to recW (nil:
// no record package), page by page: the package's fields, then its array
// one element at a time (never the whole package in memory as structs).
func (b *OCDSBulk) stream(ctx context.Context, relW, recW io.Writer) (projects, releases int, err error) {
	s := b.Svc
	if recW == nil {
		recW = io.Discard
	}
	// Each release and record as json.Encoder.Encode writes it (the JSON
	// and a newline), with the feed's own encoder and one reused buffer.
	var buf []byte
	encode := func(w io.Writer, appendJSON func([]byte) ([]byte, error)) error {
		var err error
		if buf, err = appendJSON(buf[:0]); err != nil {
			return err
		}
		buf = append(buf, '\n')
		_, err = w.Write(buf)
		return err
	}
	published := s.now().Format(time.RFC3339)
	head := func(w io.Writer, name, array string) error {
		_, err := fmt.Fprintf(w, `{"uri":%s,"version":%s,"extensions":%s,"publishedDate":%s,"publisher":%s,%q:[`,
			jsonText(b.Base+BulkPath(name)), jsonText(OCDSVersion), jsonText([]string{b.Base + OCDSExtensionURL}), jsonText(published),
			jsonText(Publisher{Name: s.publisher()}), array)
		return err
	}
	if err := head(relW, BulkReleases, "releases"); err != nil {
		return 0, 0, err
	}
	if err := head(recW, BulkRecords, "records"); err != nil {
		return 0, 0, err
	}
	var pkgURLs []string
	for after := int64(0); ; {
		list, names, more, err := s.loadOCDS(ctx, OCDSPage{After: after, Limit: bulkPage, maxLimit: bulkPage})
		if err != nil {
			return 0, 0, err
		}
		for _, x := range list {
			rs, compiled := s.releases(x, names)
			pkgURL := b.Base + "/open-data/ocds/releases.json?ocid=" + s.OCID(x.p)
			r := Record{OCID: s.OCID(x.p), CompiledRelease: compiled}
			for i := range rs {
				if releases > 0 {
					if _, err := io.WriteString(relW, ","); err != nil {
						return 0, 0, err
					}
				}
				if err := encode(relW, rs[i].AppendJSON); err != nil {
					return 0, 0, err
				}
				releases++
				r.Releases = append(r.Releases, LinkedRelease{URL: pkgURL + "#" + rs[i].ID, Date: rs[i].Date, Tag: rs[i].Tag})
			}
			if recW != io.Discard {
				if projects > 0 {
					if _, err := io.WriteString(recW, ","); err != nil {
						return 0, 0, err
					}
				}
				if err := encode(recW, r.AppendJSON); err != nil {
					return 0, 0, err
				}
				pkgURLs = append(pkgURLs, pkgURL)
			}
			projects++
		}
		if !more || len(list) == 0 {
			break
		}
		after = list[len(list)-1].p.ID
	}
	if pkgURLs == nil {
		pkgURLs = []string{}
	}
	if _, err := io.WriteString(relW, "]}\n"); err != nil {
		return 0, 0, err
	}
	if _, err := fmt.Fprintf(recW, `],"packages":%s}`+"\n", jsonText(pkgURLs)); err != nil {
		return 0, 0, err
	}
	return projects, releases, nil
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // strings and plain structs always marshal
	}
	return string(b)
}

// OCDSBulkArgs is the bulk download job: Force rebuilds even without a change.
type OCDSBulkArgs struct {
	Force bool `json:"force"`
}

// Kind names the job.
func (OCDSBulkArgs) Kind() string { return "procure.ocds_bulk" }

// RegisterJobs adds the bulk worker and schedules it every
// OCDSBulkInterval (and once at start). Call before q.Start.
func (b *OCDSBulk) RegisterJobs(q *jobs.Queue) {
	jobs.Register[OCDSBulkArgs](q, &bulkWorker{b: b})
	q.Every(OCDSBulkInterval, func() river.JobArgs { return OCDSBulkArgs{} }, true)
}

type bulkWorker struct {
	river.WorkerDefaults[OCDSBulkArgs]
	b *OCDSBulk
}

func (w *bulkWorker) Work(ctx context.Context, j *river.Job[OCDSBulkArgs]) error {
	_, err := w.b.Build(auth.WithActor(ctx, auth.System("procure.ocds_bulk")), j.Args.Force)
	return err
}

// SizeText is the file's size for people ("1.2 MB").
func (f BulkFile) SizeText() string {
	switch {
	case f.Size >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(f.Size)/(1<<20))
	case f.Size >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(f.Size)/(1<<10))
	}
	return fmt.Sprintf("%d B", f.Size)
}

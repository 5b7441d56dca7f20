package calendarh

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"

	"yingshang/internal/calendar"
	"yingshang/internal/yserr"
)

// maxSchedule is the largest schedule accepted (a year is about 2 KB).
const maxSchedule = 1 << 20

// ImportResult tells what an import stored.
type ImportResult struct {
	Imported int           `json:"imported" doc:"导入的日期数 / Number of days stored"`
	First    calendar.Date `json:"first"`
	Last     calendar.Date `json:"last"`
}

// importSchedule parses and stores a schedule; the service refuses callers
// other than platform admins.
func (h *handlers) importSchedule(ctx context.Context, data []byte) (ImportResult, error) {
	list, err := parseSchedule(data)
	if err != nil {
		return ImportResult{}, err
	}
	if err := h.s.App.Calendar.Import(ctx, list); err != nil {
		return ImportResult{}, err
	}
	return ImportResult{Imported: len(list), First: list[0].Date, Last: list[len(list)-1].Date}, nil
}

// readSchedule reads the schedule of a request: the "file" part or the
// "text" field of a multipart or URL-encoded form, or the body itself
// when it is JSON or CSV.
func readSchedule(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSchedule+64<<10)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/json", "text/csv", "text/plain":
		return readLimited(r.Body)
	case "multipart/form-data", "application/x-www-form-urlencoded":
	default:
		return nil, yserr.Field("Content-Type", "请上传文件，或以 application/json、text/csv 发送", "upload a file, or send application/json or text/csv")
	}
	if err := r.ParseMultipartForm(maxSchedule); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return nil, uploadError(err)
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	f, _, err := r.FormFile("file")
	if err == nil {
		defer f.Close()
		return readLimited(f)
	}
	if text := r.FormValue("text"); strings.TrimSpace(text) != "" {
		return []byte(text), nil
	}
	return nil, yserr.Field("file", "请选择 JSON 或 CSV 文件，或粘贴其内容", "choose a JSON or CSV file, or paste its content")
}

func readLimited(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxSchedule+1))
	if err != nil {
		return nil, uploadError(err)
	}
	if len(b) > maxSchedule {
		return nil, tooLarge()
	}
	return b, nil
}

func uploadError(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge()
	}
	return yserr.Field("file", "上传内容无法读取，请重新选择文件", "the upload cannot be read; choose the file again").Wrap(err)
}

func tooLarge() error {
	e := yserr.New(yserr.TooLarge, "文件超过 1 MB，节假日安排通常只有几 KB", "the file exceeds 1 MB; a holiday schedule is a few KB")
	e.Field = "file"
	return e
}

func (h *handlers) importFile(w http.ResponseWriter, r *http.Request) error {
	data, err := readSchedule(w, r)
	if err != nil {
		return h.formFail(w, r, err)
	}
	res, err := h.importSchedule(r.Context(), data)
	if err != nil {
		return h.formFail(w, r, err)
	}
	v := h.s.View(r, "")
	msg := v.T(fmt.Sprintf("已导入 %d 天（%s 至 %s）", res.Imported, res.First, res.Last),
		fmt.Sprintf("%d days imported (%s to %s)", res.Imported, res.First, res.Last))
	return h.s.Redirect(w, r, yearURL(res.First.Year(), "#days"), msg)
}

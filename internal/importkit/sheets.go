package importkit

import (
	"archive/zip"
	"encoding/xml"
	"io"
	"path"
	"strings"
)

// sheetPath finds the zip path of the named worksheet through
// xl/workbook.xml and its relationships, or "".
func sheetPath(zr *zip.Reader, sheet string) string {
	var wb struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			RID  string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	var rels struct {
		Rels []struct {
			ID     string `xml:"Id,attr"`
			Target string `xml:"Target,attr"`
		} `xml:"Relationship"`
	}
	if !readXML(zr, "xl/workbook.xml", &wb) || !readXML(zr, "xl/_rels/workbook.xml.rels", &rels) {
		return ""
	}
	for _, s := range wb.Sheets {
		if s.Name != sheet {
			continue
		}
		for _, r := range rels.Rels {
			if r.ID == s.RID {
				if strings.HasPrefix(r.Target, "/") {
					return strings.TrimPrefix(r.Target, "/")
				}
				return path.Join("xl", r.Target)
			}
		}
	}
	return ""
}

// readXML decodes a small part of the workbook (at most 1 MiB of it).
func readXML(zr *zip.Reader, name string, v any) bool {
	for _, f := range zr.File {
		if f.Name != name {
			continue
		}
		rc, err := f.Open()
		if err != nil {
			return false
		}
		defer rc.Close()
		return xml.NewDecoder(io.LimitReader(rc, 1<<20)).Decode(v) == nil
	}
	return false
}

package importkit

import (
	"archive/zip"
	"bytes"
)

// checkZip reads the central directory of an .xlsx (and nothing else:
// no entry is inflated) and refuses a workbook whose entries are too
// many, would inflate to more than the limit in total, or compress
// suspiciously well. archive/zip refuses later reads of an entry that
// inflates to more than it declares here, so the declared sizes bound
// the real ones.
func checkZip(b []byte, l Limits) (*zip.Reader, error) {
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, errNotSpreadsheet().Wrap(err)
	}
	if l.Entries > 0 && len(zr.File) > l.Entries {
		return nil, errLimit("工作簿包含 %d 个部件，超过 %d 个的上限，未导入任何数据", "the workbook has %d parts, more than the limit of %d; nothing was imported",
			len(zr.File), l.Entries)
	}
	var total uint64
	for _, f := range zr.File {
		total += f.UncompressedSize64
		if total < f.UncompressedSize64 || (l.Uncompressed > 0 && total > uint64(l.Uncompressed)) {
			return nil, errLimit("工作簿解压后超过 %s 的上限（可能是“压缩炸弹”），未导入任何数据；请拆分文件或另存为 .csv",
				"the workbook inflates to more than the limit of %s (it may be a zip bomb); nothing was imported. Split the file or save it as .csv",
				HumanBytes(l.Uncompressed))
		}
		if l.Ratio > 0 && f.UncompressedSize64 > 1<<20 && f.UncompressedSize64/max(f.CompressedSize64, 1) > uint64(l.Ratio) {
			return nil, errLimit("工作簿的部件“%s”压缩比超过 %d 倍（可能是“压缩炸弹”），未导入任何数据",
				"the workbook part %q is compressed more than %d times (it may be a zip bomb); nothing was imported", f.Name, l.Ratio)
		}
	}
	return zr, nil
}

package web

// The OCDS bulk download's audit action (procure.ocds_bulk.build: the
// bulk files rebuilt by the job, docs/procure.md "Open data").
func init() {
	t := func(zh, en string) Text { return Text{ZH: zh, EN: en} }
	RegisterLabels(Labels{
		"audit.object": {"procure.ocds_bulk": t("开放数据批量文件", "Open-data bulk files"), "procure_ocds_bulk": t("开放数据批量文件", "Open-data bulk file")},
		"audit.verb":   {"build": t("生成", "built")},
	})
}

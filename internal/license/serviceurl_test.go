package license_test

import (
	"testing"

	"yingshang/internal/license"
	"yingshang/internal/yserr"
)

// A licence type's service URL is shown to holders as a link: only
// absolute http(s) URLs are accepted.
func TestServiceURLSchemes(t *testing.T) {
	for u, ok := range map[string]bool{
		"https://www.hnzwfw.gov.cn/":   true,
		" http://zwfw.xuchang.gov.cn ": true,
		"HTTPS://EXAMPLE.GOV.CN/a?b=c": true,
		"":                             true,
		"javascript:alert(1)":          false,
		"JavaScript:alert(document.cookie)//https://x": false,
		"data:text/html,<script>alert(1)</script>":     false,
		"//evil.example/":      false,
		"www.hnzwfw.gov.cn":    false,
		"ftp://files.example/": false,
	} {
		in := license.TypeInput{Code: "SP-JY", Name: "食品经营许可证", ValidityMonths: 60, ServiceURL: u}
		in.Defaults()
		err := in.Validate()
		if ok && err != nil {
			t.Errorf("%q refused: %v", u, err)
		}
		if !ok && (!yserr.Is(err, yserr.Invalid) || !hasField(err, "service_url")) {
			t.Errorf("%q accepted (%v)", u, err)
		}
	}
}

package entities

import (
	"strings"

	goqr "github.com/piglig/go-qr"
)

// QR code geometry: 8 pixels per module, and the 4-module quiet zone the
// standard requires.
const (
	qrModulePx    = 8
	qrQuietModule = 4
)

// publicURL is the address an entity's code encodes.
func (h *handlers) publicURL(uscc string) string {
	return strings.TrimRight(h.s.App.Cfg.BaseURL, "/") + "/e/" + uscc
}

// qrPNG renders text as a QR code at error correction level M (15% of the
// symbol may be damaged; the encoder raises the level when the data still
// fits the same version), the usual level for printed codes: black on white.
func qrPNG(text string) ([]byte, error) {
	q, err := goqr.EncodeText(text, goqr.Medium)
	if err != nil {
		return nil, err
	}
	return q.ToPNGBytes(goqr.NewQrCodeImgConfig(qrModulePx, qrQuietModule))
}

package entities

import (
	"strings"

	qrcode "github.com/skip2/go-qrcode"
)

// QR code geometry: 8 pixels per module, and the 4-module quiet zone the
// standard requires (drawn by the library).
const (
	qrModulePx    = 8
	qrQuietModule = 4
)

// publicURL is the address an entity's code encodes.
func (h *handlers) publicURL(uscc string) string {
	return strings.TrimRight(h.s.App.Cfg.BaseURL, "/") + "/e/" + uscc
}

// qrPNG renders text as a QR code at error correction level M (15% of the
// symbol may be damaged), the usual level for printed codes.
func qrPNG(text string) ([]byte, error) {
	q, err := qrcode.New(text, qrcode.Medium)
	if err != nil {
		return nil, err
	}
	return q.PNG(-qrModulePx)
}

package notify

import (
	"context"
	"strconv"
	"strings"

	"yingshang/internal/db"
	"yingshang/internal/yserr"
)

// ValidLink reports whether link is a path on this platform: it starts
// with one "/" (not "//", which a browser reads as another host), has no
// back-slash, scheme or white space.
func ValidLink(link string) bool {
	if !strings.HasPrefix(link, "/") || strings.HasPrefix(link, "//") || len(link) > 500 {
		return false
	}
	return !strings.ContainsAny(link, "\\ \t\r\n") && !strings.Contains(link, "://")
}

// shortMAC is how many hex characters of the keyed hash a short code
// carries: enough that codes cannot be guessed from ids (a link may hold a
// token, e.g. an expert's answer page).
const shortMAC = 8

// ShortCode returns the short code of notification id for SMS links
// (/n/<code>): the id in base 36 and a keyed check.
func (s *Service) ShortCode(id int64) string {
	b := strconv.FormatInt(id, 36)
	return b + s.Keys.Index("notify-link:" + b)[:shortMAC]
}

// ShortURL is the public short URL of notification id.
func (s *Service) ShortURL(id int64) string { return s.BaseURL + "/n/" + s.ShortCode(id) }

// withURL is the text a delivery sends: the body and, when the message has
// a link, the public URL (short for SMS, where every character counts).
func (s *Service) withURL(d *delivery) string {
	if d.link == "" {
		return d.body
	}
	switch d.channel {
	case ChannelSMS:
		return d.body + " " + s.ShortURL(d.id)
	case ChannelEmail:
		return d.body + "\n\n" + s.BaseURL + d.link
	}
	return d.body
}

// ResolveShort returns the link of the notification a short code names
// and the user it was sent to. It needs no actor: the code is the
// capability (the page it leads to still checks who may see it). A
// malformed or forged code, or a message without a link, is not found.
func (s *Service) ResolveShort(ctx context.Context, code string) (link string, userID int64, err error) {
	notFound := yserr.New(yserr.NotFound, "链接无效或已失效", "the link is not valid")
	if len(code) <= shortMAC || len(code) > 13+shortMAC {
		return "", 0, notFound
	}
	b := code[:len(code)-shortMAC]
	id, perr := strconv.ParseInt(b, 36, 64)
	if perr != nil || id <= 0 || s.ShortCode(id) != code {
		return "", 0, notFound
	}
	err = s.DB.Q(ctx).QueryRow(ctx, "SELECT link, COALESCE(user_id, 0) FROM notifications WHERE id = $1", id).Scan(&link, &userID)
	if db.IsNoRows(err) || (err == nil && link == "") {
		return "", 0, notFound
	}
	return link, userID, err
}

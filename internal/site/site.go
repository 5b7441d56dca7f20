// Package site assembles the complete HTTP server: the core server plus
// every area's handlers. The binary and the tests both build it here.
package site

import (
	"yingshang/internal/app"
	"yingshang/internal/handlers/accounts"
	"yingshang/internal/handlers/appeals"
	bidevalh "yingshang/internal/handlers/bideval"
	calendarh "yingshang/internal/handlers/calendar"
	"yingshang/internal/handlers/core"
	"yingshang/internal/handlers/credits"
	"yingshang/internal/handlers/draws"
	"yingshang/internal/handlers/entities"
	"yingshang/internal/handlers/licenses"
	"yingshang/internal/handlers/notifications"
	"yingshang/internal/modules"
	"yingshang/internal/server"
)

// New returns the server with every area mounted, after checking that
// every view a handler uses exists. m holds the business modules
// (modules.Build).
func New(a *app.App, m *modules.Set) (*server.Server, error) {
	s, err := server.New(a)
	if err != nil {
		return nil, err
	}
	core.Mount(s)
	accounts.Mount(s)
	entities.Mount(s)
	notifications.Mount(s)
	calendarh.Mount(s)
	draws.Mount(s, m.Draw)
	bidevalh.Mount(s, m.Bideval)
	licenses.Mount(s, m.License)
	credits.Mount(s, m.Credit)
	appeals.Mount(s, m.Appeal)
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

// Package site assembles the complete HTTP server: the core server plus
// every area's handlers. The binary and the tests both build it here.
package site

import (
	"yingshang/internal/app"
	"yingshang/internal/handlers/accounts"
	calendarh "yingshang/internal/handlers/calendar"
	"yingshang/internal/handlers/core"
	"yingshang/internal/handlers/entities"
	"yingshang/internal/handlers/notifications"
	"yingshang/internal/module"
	"yingshang/internal/modules"
	"yingshang/internal/server"
)

// New returns the server with the core areas and every switched-on module
// mounted, after checking that every view a handler uses exists. m holds
// the built modules (modules.Build).
func New(a *app.App, m *modules.Set) (*server.Server, error) {
	s, err := server.New(a, m.Templates()...)
	if err != nil {
		return nil, err
	}
	s.Nav, s.Public = m.Nav(), m.PublicLinks()
	core.Mount(s)
	accounts.Mount(s)
	entities.Mount(s)
	notifications.Mount(s)
	calendarh.Mount(s)
	for _, mod := range m.List {
		if c, ok := mod.(module.Carder); ok {
			s.Cards = append(s.Cards, c.Cards)
		}
		if f, ok := mod.(module.Searcher); ok {
			s.Searchers = append(s.Searchers, f.Search)
		}
		if r, ok := mod.(module.Router); ok {
			r.Mount(s)
		}
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

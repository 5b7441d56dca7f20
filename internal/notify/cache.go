package notify

import "yingshang/internal/db"

// Change topics of the notify module's cached reads (db.Changes): the
// stored template overrides of each message type and the active webhooks,
// read by every message sent. Saving or resetting a template and creating,
// pausing or deleting a webhook call Changed in their transaction.
const (
	topicTemplates = "notify.templates"
	topicWebhooks  = "notify.webhooks"
)

type caches struct {
	overrides *db.Cache[string, map[tplKey]Template]
	webhooks  *db.Cache[struct{}, []*Webhook]
}

func (s *Service) cache() *caches {
	return s.caches.Get(func() *caches {
		return &caches{
			overrides: db.NewCache[string, map[tplKey]Template](s.DB, 1000, topicTemplates),
			webhooks:  db.NewCache[struct{}, []*Webhook](s.DB, 1, topicWebhooks),
		}
	})
}

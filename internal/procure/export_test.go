package procure

import "context"

// BidOfCodeForTest returns the bid that carries a blind code: tests need it
// to hand-compute the scores of sheets given by code (nobody can read it
// through the service before the award).
func BidOfCodeForTest(s *Service, ctx context.Context, projectID int64, code string) (int64, error) {
	codes, err := s.bidCodes(ctx, projectID)
	for id, c := range codes {
		if c == code {
			return id, err
		}
	}
	return 0, err
}

// NotifyScoringOpenForTest tells a project's committee again that the
// scoring is open (as a later draw would): nobody may get a second message.
func NotifyScoringOpenForTest(s *Service, ctx context.Context, projectID int64) error {
	p, err := s.Project(ctx, projectID)
	if err != nil {
		return err
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error { return s.notifyScoringOpen(ctx, p) })
}

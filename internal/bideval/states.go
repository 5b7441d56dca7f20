package bideval

import "yingshang/internal/audit"

const (
	// The award and unmasking of a draw project (part "bideval" of the
	// draw_project kind; the draw module owns the rest).
	awardState = `SELECT project_id, CAST(award_bid_id AS TEXT), award_note, CAST(awarded_by AS TEXT), CAST(unmasked_by AS TEXT)
	FROM bideval_projects`
	// An expert's score sheet: its status and every score on it.
	sheetState = `SELECT id, status FROM bideval_sheets`
	scoreState = `SELECT sheet_id, CAST(bid_id AS TEXT), criterion, CAST(points AS TEXT), comment FROM bideval_scores`
)

// RegisterStates adds awards and score sheets to the audit deep check:
// scores raised or the award switched outside the application show.
func (s *Service) RegisterStates(st *audit.States) {
	st.Add("bideval", &audit.SQLSource{DB: s.DB, KindName: "draw_project", Cols: 4,
		All: awardState + " ORDER BY project_id", One: awardState + " WHERE project_id = $1"})
	st.Add("sheet", &audit.SQLSource{DB: s.DB, KindName: "bideval_sheet", Cols: 1,
		All: sheetState + " ORDER BY id", One: sheetState + " WHERE id = $1"})
	st.Add("scores", &audit.SQLSource{DB: s.DB, KindName: "bideval_sheet", Cols: 4,
		All: scoreState + " ORDER BY sheet_id, bid_id, criterion", One: scoreState + " WHERE sheet_id = $1 ORDER BY bid_id, criterion"})
}

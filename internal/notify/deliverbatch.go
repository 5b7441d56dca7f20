package notify

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"time"

	"yingshang/internal/db"
)

// Deliveries are recorded in batches (issue 17): each delivery job sends
// its message and then hands the row's outcome to doneBatch, which writes
// the outcomes of every job that finished meanwhile with one UPDATE per
// status and waits for it before the job returns. While one batch is
// being written the next ones gather, so with W workers a batch holds up
// to W rows and the rows delivered per second are no longer capped by the
// UPDATEs per second the database commits (on SQLite the one writer
// connection; on PostgreSQL one commit each).
//
// Exactly once is unchanged: a row is only updated from "queued"
// (WHERE status = 'queued'), and a job returns only after its row's
// UPDATE committed, so River completes the job only when the outcome is
// stored; if the batch's UPDATE fails, every job of the batch gets the
// error and River retries it like a failed single UPDATE.

// MaxDoneBatch bounds the rows of one batched UPDATE (its parameters).
const MaxDoneBatch = 500

type doneReq struct {
	d          *delivery
	providerID string
	errc       chan error
}

// doneBatch is the group commit of delivery outcomes.
type doneBatch struct {
	mu      sync.Mutex
	pending []doneReq
	writing bool
}

// markDone records success: SMS and e-mail are "sent" (accepted by the
// gateway), a webhook that answered 2xx is "delivered". Inside a
// caller's transaction it writes the row at once; otherwise it joins the
// next batch and returns when that batch is written.
func (s *Service) markDone(ctx context.Context, d *delivery, providerID string) error {
	if _, inTx := db.TxFrom(ctx); inTx {
		return s.writeDone(ctx, []doneReq{{d: d, providerID: providerID}})
	}
	b := &s.done
	req := doneReq{d: d, providerID: providerID, errc: make(chan error, 1)}
	b.mu.Lock()
	b.pending = append(b.pending, req)
	if b.writing {
		// The writer in charge takes this row with a next batch, or hands
		// the writing over to this job.
		b.mu.Unlock()
		if err := <-req.errc; err != errTakeOver {
			return err
		}
		b.mu.Lock()
	}
	b.writing = true
	for {
		batch := b.pending[:min(len(b.pending), MaxDoneBatch)]
		b.pending = b.pending[len(batch):]
		b.mu.Unlock()
		err := s.writeDone(ctx, batch)
		for _, r := range batch {
			r.errc <- err
		}
		b.mu.Lock()
		if len(b.pending) == 0 {
			b.pending, b.writing = nil, false
			break
		}
		if len(req.errc) > 0 {
			// This job's row is written: the next waiting job writes the
			// next batch, so that no job stays busy writing others' rows.
			b.pending[0].errc <- errTakeOver
			break
		}
	}
	b.mu.Unlock()
	return <-req.errc
}

// errTakeOver tells a waiting job to write the next batch.
var errTakeOver = errors.New("notify: write the next batch")

// DeliveryBatches counts the batched UPDATEs written (for the tests).
func (s *Service) DeliveryBatches() (batches, rows int64) {
	s.doneStats.Lock()
	defer s.doneStats.Unlock()
	return s.doneStats.batches, s.doneStats.rows
}

type doneCounters struct {
	sync.Mutex
	batches, rows int64
}

// writeDone writes the outcomes of reqs: one UPDATE for the rows that
// become "sent" and one for those that become "delivered".
func (s *Service) writeDone(ctx context.Context, reqs []doneReq) error {
	now := s.now()
	var sent, delivered []doneReq
	for _, r := range reqs {
		if r.d.channel == ChannelWebhook {
			delivered = append(delivered, r)
		} else {
			sent = append(sent, r)
		}
	}
	return s.DB.WithTx(ctx, func(ctx context.Context) error {
		for _, part := range []struct {
			reqs      []doneReq
			status    string
			delivered *time.Time
		}{{sent, StatusSent, nil}, {delivered, StatusDelivered, &now}} {
			if len(part.reqs) == 0 {
				continue
			}
			args := []any{part.status, now, part.delivered}
			ids := make([]string, len(part.reqs))
			var pid strings.Builder
			withPID := false
			for i, r := range part.reqs {
				args = append(args, r.d.id)
				ids[i] = "$" + strconv.Itoa(len(args))
				if r.providerID != "" {
					withPID = true
				}
			}
			provider := "''"
			if withPID {
				pid.WriteString("CASE id")
				for i, r := range part.reqs {
					args = append(args, r.providerID)
					pid.WriteString(" WHEN " + ids[i] + " THEN $" + strconv.Itoa(len(args)))
				}
				pid.WriteString(" END")
				provider = pid.String()
			}
			if _, err := s.DB.W(ctx).Exec(ctx, `UPDATE notifications SET status = $1, attempts = attempts + 1, last_error = '',
				provider_id = `+provider+`, sent_at = $2, delivered_at = $3 WHERE id IN (`+strings.Join(ids, ", ")+`) AND status = 'queued'`,
				args...); err != nil {
				return err
			}
		}
		s.doneStats.Lock()
		s.doneStats.batches++
		s.doneStats.rows += int64(len(reqs))
		s.doneStats.Unlock()
		return nil
	})
}

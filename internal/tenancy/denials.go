package tenancy

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// DenialWindow is how long repeated refusals of the same kind (one principal,
// operation, target tenant and reason) count into one audit record: the first
// is recorded at once, the rest are counted, and the count is recorded with
// the first refusal of the next window or, if none comes, when the sweep
// closes the window. A principal retrying cannot fill a customer's audit log,
// and no refusal goes uncounted.
const DenialWindow = 15 * time.Minute

// Denials is one window of refusals of one kind.
type Denials struct {
	Tenant    string // the target tenant
	Home      string
	User      string
	Operation string
	Reason    string
	Start     time.Time
	Count     int
}

// denialStore keeps denial windows.
type denialStore interface {
	// CountDenial adds one to the open window of d's kind that started after
	// since; false when there is none.
	CountDenial(ctx context.Context, d Denials, since time.Time) (bool, error)
	// GetDenials answers the window of d's kind (found false when none).
	GetDenials(ctx context.Context, d Denials) (Denials, bool, error)
	// OpenDenials replaces prev (nil: none) with next, a new window of the
	// same kind, and records msgs — all or nothing, ErrConflict when prev
	// is no longer what is stored.
	OpenDenials(ctx context.Context, prev *Denials, next Denials, due time.Time, msgs []events.Message) error
	// DueDenials answers windows that ended at or before now.
	DueDenials(ctx context.Context, now time.Time, limit int) ([]Denials, error)
	// CloseDenials removes w, as read, and records msgs.
	CloseDenials(ctx context.Context, w Denials, msgs []events.Message) error
}

// recordDenial keeps a refused attempt as an AccessDenied event, visible in
// both tenants' audit logs (a stranger's attempt only in its own: it is not
// the customer's business), one record per DenialWindow and kind. It is
// best effort: the refusal stands either way.
func (s *Service) recordDenial(ctx context.Context, c Caller, operation, tenant string, reason access.Reason) {
	now := s.now()
	d := Denials{Tenant: tenant, Home: c.Tenant, User: c.User, Operation: operation, Reason: string(reason), Start: now, Count: 1}
	for try := 0; try < 3; try++ {
		counted, err := s.store.CountDenial(ctx, d, now.Add(-DenialWindow))
		if err != nil || counted {
			return
		}
		prev, found, err := s.store.GetDenials(ctx, d)
		if err != nil {
			return
		}
		ev := s.denialEvent(actorOf(c), c.RequestID, d)
		var before *Denials
		if found {
			before = &prev
			ev.Repeats, ev.WindowStart = prev.Count-1, prev.Start
		}
		msgs, err := encode(ev)
		if err != nil {
			return
		}
		err = s.store.OpenDenials(ctx, before, d, now.Add(DenialWindow), msgs)
		if err == nil {
			s.publish(ctx, msgs)
			return
		}
		if !errors.Is(err, ErrConflict) {
			return
		}
		// Another refusal of the same kind opened the window meanwhile:
		// count into it.
	}
}

func (s *Service) denialEvent(actor events.Actor, requestID string, d Denials) events.AccessDenied {
	// A refusal with no relationship, or one decided at home alone (no
	// tenants.switch: the target was never looked at), is the caller's
	// tenant's business only: naming the target would let anyone write into
	// any tenant's audit log.
	tenants := []string{d.Home}
	if d.Reason != string(access.ReasonNoRelationship) && d.Reason != string(access.ReasonSwitchNotPermitted) {
		tenants = append(tenants, d.Tenant)
	}
	return events.AccessDenied{Meta: s.meta(actor, requestID, "", tenants...), Operation: d.Operation, TargetTenant: d.Tenant, Reason: d.Reason}
}

// closeDenials records the count of windows that ended with refusals not
// yet recorded, and drops the windows.
func (s *Service) closeDenials(ctx context.Context, now time.Time, limit int) (int, error) {
	due, err := s.store.DueDenials(ctx, now, limit)
	if err != nil {
		return 0, err
	}
	closed := 0
	for _, w := range due {
		var msgs []events.Message
		if w.Count > 1 {
			ev := s.denialEvent(events.Actor{User: w.User, Tenant: w.Home}, "", w)
			ev.Repeats, ev.WindowStart, ev.Summary = w.Count-1, w.Start, true
			if msgs, err = encode(ev); err != nil {
				return closed, err
			}
		}
		switch err := s.store.CloseDenials(ctx, w, msgs); {
		case errors.Is(err, ErrConflict): // counted into meanwhile: the next sweep
		case err != nil:
			return closed, err
		default:
			closed++
			s.publish(ctx, msgs)
		}
	}
	return closed, nil
}

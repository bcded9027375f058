package tenancy

import (
	"context"
	"errors"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/switchboard/switchboard/events"
)

// SweepReport says what one cleanup sweep changed.
type SweepReport struct {
	InvitationsExpired    int
	RelationshipsExpired  int
	RelationshipsExtended int
	NoticesSent           int
	RelationshipsCleared  int
	DenialWindowsClosed   int
	// RelationshipsPruned counts narrowed relationships whose assignments
	// were brought inside the new ceiling and scope.
	RelationshipsPruned   int
	ChangeRequestsExpired int
	More                  bool
}

// Sweep does the scheduled work that is due: pending invitations and change
// requests past their expiry expire; active relationships past endsAt are extended when they
// auto-extend and expire otherwise (their assignments removed); notices go out
// 30, 7 and 1 days before an end; ended relationships whose assignments were
// not all removed are finished, and so are narrowed ones whose assignments
// were not all pruned. It handles at most limit items of each kind
// (More says there is more), and every step is a versioned write, so a sweep
// cut short resumes where it was and two sweeps never act twice.
func (s *Service) Sweep(ctx context.Context, limit int) (SweepReport, error) {
	var r SweepReport
	now := s.now()
	invs, err := s.store.DueInvitations(ctx, now, limit)
	if err != nil {
		return r, err
	}
	// Items are independent (each step is its own versioned write), so a
	// few are worked on at once.
	var mu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(sweepWorkers)
	for _, inv := range invs {
		if inv.Status != InvitationPending || now.Before(inv.ExpiresAt) {
			continue
		}
		g.Go(func() error {
			_, err := s.moveInvitation(gctx, s.sweeper(), "", inv, InvitationExpired)
			switch {
			case errors.Is(err, ErrConflict):
			case err != nil:
				return err
			default:
				mu.Lock()
				r.InvitationsExpired++
				mu.Unlock()
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	if r.ChangeRequestsExpired, err = s.expireChangeRequests(ctx, now, limit); err != nil {
		return r, err
	}
	rels, err := s.store.DueRelationships(ctx, now, limit)
	if err != nil {
		return r, err
	}
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(sweepWorkers)
	for _, rel := range rels {
		g.Go(func() error {
			var one SweepReport
			if err := s.review(gctx, rel, now, &one); err != nil && !errors.Is(err, ErrConflict) {
				return err
			}
			mu.Lock()
			r.RelationshipsExpired += one.RelationshipsExpired
			r.RelationshipsExtended += one.RelationshipsExtended
			r.NoticesSent += one.NoticesSent
			r.RelationshipsCleared += one.RelationshipsCleared
			r.RelationshipsPruned += one.RelationshipsPruned
			mu.Unlock()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return r, err
	}
	if r.DenialWindowsClosed, err = s.closeDenials(ctx, now, limit); err != nil {
		return r, err
	}
	r.More = len(invs) == limit || len(rels) == limit || r.DenialWindowsClosed == limit || r.ChangeRequestsExpired == limit
	return r, nil
}

// sweepWorkers is how many due items one sweep works on at once.
const sweepWorkers = 8

func (s *Service) review(ctx context.Context, rel Relationship, now time.Time, r *SweepReport) error {
	next := rel
	next.UpdatedAt = now
	meta := s.meta(s.sweeper(), "", rel.ID, rel.PartnerTenant, rel.CustomerTenant)
	var payload events.Payload
	switch {
	case rel.Status != RelationshipActive:
		if err := s.clearAssignments(ctx, s.sweeper(), "", rel); err != nil {
			return err
		}
		r.RelationshipsCleared++
		return nil
	case !now.Before(rel.EndsAt) && rel.AutoExtend != nil:
		for !now.Before(next.EndsAt) {
			next.EndsAt = next.EndsAt.Add(time.Duration(*rel.AutoExtend))
		}
		next.NoticesSent = nil
		payload = events.RelationshipExtended{Meta: meta, Relationship: relationshipView(next), PreviousEnd: rel.EndsAt}
		r.RelationshipsExtended++
	case !now.Before(rel.EndsAt):
		ended := rel.EndsAt
		next.Status, next.EndedAt = RelationshipExpired, &ended
		payload = events.RelationshipExpired{Meta: meta, Relationship: relationshipView(next)}
		r.RelationshipsExpired++
	case rel.PruneAssignments:
		// A narrowing left assignments to bring inside (its request ran
		// out of budget and the sync consumer has not finished either).
		if _, err := s.pruneAssignments(ctx, rel); err != nil {
			return err
		}
		r.RelationshipsPruned++
		return nil
	default:
		for _, d := range NoticeDays {
			if !now.Before(rel.EndsAt.Add(-time.Duration(d)*day)) && !containsInt(next.NoticesSent, d) {
				next.NoticesSent = append(append([]int{}, next.NoticesSent...), d)
			}
		}
		daysLeft := int((rel.EndsAt.Sub(now) + day - 1) / day)
		payload = events.RelationshipExpiring{Meta: meta, Relationship: relationshipView(next), DaysLeft: daysLeft}
		r.NoticesSent++
	}
	msgs, err := encode(payload)
	if err != nil {
		return err
	}
	stored, err := s.store.UpdateRelationship(ctx, next, msgs)
	if err != nil {
		return err
	}
	s.publish(ctx, msgs)
	if stored.Status != RelationshipActive {
		return s.clearAssignments(ctx, s.sweeper(), "", stored)
	}
	return nil
}

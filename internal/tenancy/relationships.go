package tenancy

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// ListRelationships is the aggregated view: every customer (side=partner) or
// every partner (side=customer) of the caller's tenant.
func (s *Service) ListRelationships(ctx context.Context, c Caller, side string, page Page) (List[Relationship], error) {
	return s.FindRelationships(ctx, c, side, RelationshipFilter{}, page)
}

// RelationshipFilter narrows the aggregated view; zero fields keep all.
type RelationshipFilter struct {
	Status string
	// Role keeps the relationships whose ceiling holds it.
	Role string
	// EndsWithin keeps the active relationships that end within it from
	// now (what expires next).
	EndsWithin *time.Duration
}

// FindRelationships is the aggregated view, filtered. A page holds up to
// its limit of matching relationships or ends the list, however sparse the
// filter.
func (s *Service) FindRelationships(ctx context.Context, c Caller, side string, f RelationshipFilter, page Page) (List[Relationship], error) {
	switch f.Status {
	case "", RelationshipActive, RelationshipTerminated, RelationshipExpired:
	default:
		return List[Relationship]{}, invalid("status", "%q is not active, terminated or expired", f.Status)
	}
	if f.EndsWithin != nil && *f.EndsWithin <= 0 {
		return List[Relationship]{}, invalid("endsWithin", "must be a positive duration such as P30D")
	}
	if f == (RelationshipFilter{}) {
		return s.listRelationships(ctx, c, side, page)
	}
	now := s.now()
	keep := func(r Relationship) bool {
		if f.Status != "" && r.Status != f.Status || f.Role != "" && !contains(r.CeilingRoleIDs(), f.Role) {
			return false
		}
		return f.EndsWithin == nil || r.Status == RelationshipActive && r.EndsAt.Before(now.Add(*f.EndsWithin))
	}
	side, err := s.relationshipSide(ctx, c, side)
	if err != nil {
		return List[Relationship]{}, err
	}
	return s.store.ListRelationshipsWhere(ctx, c.Tenant, side, keep, page)
}

// relationshipSide checks the side asked for (by default the caller's
// tenant's own: partner for an MSP) and the caller's relationships.view.
func (s *Service) relationshipSide(ctx context.Context, c Caller, side string) (string, error) {
	if side == "" {
		side = SidePartner
		if t, err := s.store.GetTenant(ctx, c.Tenant); err == nil && !t.MSP {
			side = SideCustomer
		}
	}
	if side != SidePartner && side != SideCustomer {
		return "", invalid("side", "%q is not partner or customer", side)
	}
	return side, s.authorizeHome(ctx, c, "relationships.view")
}

func (s *Service) listRelationships(ctx context.Context, c Caller, side string, page Page) (List[Relationship], error) {
	side, err := s.relationshipSide(ctx, c, side)
	if err != nil {
		return List[Relationship]{}, err
	}
	return s.store.ListRelationships(ctx, c.Tenant, side, page)
}

// relationshipFor loads a relationship the caller's tenant is a side of.
func (s *Service) relationshipFor(ctx context.Context, c Caller, id string) (Relationship, error) {
	rel, err := s.store.GetRelationship(ctx, id)
	if err != nil {
		return Relationship{}, err
	}
	if c.Tenant != rel.PartnerTenant && c.Tenant != rel.CustomerTenant {
		return Relationship{}, notFound("relationship", id)
	}
	return rel, nil
}

// viewRelationship: either side with relationships.view at home, or a
// primary admin of the relationship.
func (s *Service) viewRelationship(ctx context.Context, c Caller, rel Relationship) error {
	if c.Tenant == rel.PartnerTenant && c.is(rel.PrimaryAdmins) {
		return nil
	}
	return s.authorizeHome(ctx, c, "relationships.view")
}

// GetRelationship answers a relationship to either side.
func (s *Service) GetRelationship(ctx context.Context, c Caller, id string) (Relationship, error) {
	rel, err := s.relationshipFor(ctx, c, id)
	if err != nil {
		return Relationship{}, err
	}
	if err := s.viewRelationship(ctx, c, rel); err != nil {
		return Relationship{}, err
	}
	return rel, nil
}

// TerminateRelationship ends a relationship at once: it is marked terminated
// first, so every decision from then on denies, then every delegated
// assignment under it is removed. Calling it again finishes a removal that was
// cut short and changes nothing else.
func (s *Service) TerminateRelationship(ctx context.Context, c Caller, id string) (Relationship, error) {
	rel, err := s.relationshipFor(ctx, c, id)
	if err != nil {
		return Relationship{}, err
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return Relationship{}, err
	}
	for rel.Status == RelationshipActive {
		now := s.now()
		actor := c.Actor()
		next := rel
		next.Status, next.UpdatedAt, next.EndedAt, next.EndedBy = RelationshipTerminated, now, &now, &actor
		msgs, err := encode(events.RelationshipTerminated{Meta: s.meta(actorOf(c), c.RequestID, rel.ID, rel.PartnerTenant, rel.CustomerTenant), Relationship: relationshipView(next)})
		if err != nil {
			return Relationship{}, err
		}
		stored, err := s.store.UpdateRelationship(ctx, next, msgs)
		if err == nil {
			s.publish(ctx, msgs)
			rel = stored
			break
		}
		if !errors.Is(err, ErrConflict) {
			return Relationship{}, err
		}
		if rel, err = s.store.GetRelationship(ctx, id); err != nil {
			return Relationship{}, err
		}
	}
	// Access ended with the status. The assignments go now, as far as the
	// request's budget takes it; at 10,000 of them the sync consumer (on
	// RelationshipTerminated) and the cleanup sweep finish the rest.
	budget, cancel := context.WithTimeout(ctx, s.offboardBudget)
	defer cancel()
	if err := s.clearAssignments(budget, actorOf(c), c.RequestID, rel); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return Relationship{}, fmt.Errorf("terminate %s: %w", id, err)
	}
	return rel, nil
}

// DefaultOffboardBudget is how long a request that ends a relationship
// spends removing its assignments before it answers and leaves the rest to
// the sync consumer and the sweep.
const DefaultOffboardBudget = 5 * time.Second

// FinishOffboarding removes what is left of an ended relationship's
// assignments — the sync consumer's part after RelationshipTerminated or
// RelationshipExpired, within its invocation's time. Nothing happens for a
// relationship still active, or already cleared; it is idempotent.
func (s *Service) FinishOffboarding(ctx context.Context, relationshipID string) error {
	rel, err := s.store.GetRelationship(ctx, relationshipID)
	if errors.Is(err, ErrNotFound) || err == nil && (rel.Status == RelationshipActive || rel.AssignmentsCleared) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.clearAssignments(ctx, s.sweeper(), "", rel)
}

// clearAssignments revokes an ended relationship's live switch sessions,
// removes its assignments and records that it did, so the sweep stops looking
// at it. A version conflict means another request did the same, which is as
// good; a run cut short is finished by the sweep (revocation is then sent
// again: at least once).
func (s *Service) clearAssignments(ctx context.Context, actor events.Actor, requestID string, rel Relationship) error {
	if rel.AssignmentsCleared {
		return nil
	}
	if err := s.revokeSessions(ctx, actor, requestID, rel, "", "relationship-"+rel.Status, nil); err != nil {
		return err
	}
	if err := s.removeAssignments(ctx, rel); err != nil {
		return err
	}
	done := rel
	done.AssignmentsCleared = true
	if _, err := s.store.UpdateRelationship(ctx, done, nil); err != nil && !errors.Is(err, ErrConflict) {
		return err
	}
	return nil
}

// removeAssignments deletes every assignment under a relationship that has
// ended, a page at a time from the start of what is left (so a run cut
// short resumes where it was), until none is left or ctx ends. A concurrent
// assign cannot add one behind it: creating an assignment is conditional on
// the relationship being active.
func (s *Service) removeAssignments(ctx context.Context, rel Relationship) error {
	if rel.Status == RelationshipActive {
		return fmt.Errorf("relationship %s is still active", rel.ID)
	}
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, err := s.store.ListAssignments(ctx, rel.CustomerTenant, rel.PartnerTenant, rel.ID, Page{Limit: 100})
		if err != nil {
			return err
		}
		if len(l.Items) == 0 {
			return nil
		}
		ids := make([]string, len(l.Items))
		for i, a := range l.Items {
			ids[i] = a.ID
		}
		if err := s.store.DeleteAssignments(ctx, rel.CustomerTenant, rel.PartnerTenant, ids); err != nil {
			return err
		}
	}
}

// linkActive reports whether rel grants anything at this moment.
func (s *Service) linkActive(rel Relationship) bool {
	return rel.Status == RelationshipActive && s.now().Before(rel.EndsAt)
}

// relationshipEnded explains why an ended relationship takes no new grants.
func (s *Service) relationshipEnded(rel Relationship) error {
	reason := access.ReasonRelationshipTerminated
	if rel.Status == RelationshipExpired || rel.Status == RelationshipActive {
		reason = access.ReasonRelationshipExpired
	}
	return &ConflictError{Reason: reason, Message: fmt.Sprintf("relationship %s has ended", rel.ID)}
}

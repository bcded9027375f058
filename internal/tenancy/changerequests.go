package tenancy

import (
	"context"
	"errors"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
)

// Change request states: an invitation's, with approved for accepted.
const (
	ChangeRequestPending  = "pending"
	ChangeRequestApproved = "approved"
	ChangeRequestDeclined = "declined"
	ChangeRequestExpired  = "expired"
)

// ChangeRequest is a partner's request to widen an active relationship:
// roles added to the ceiling, patterns added to the scope, a longer
// duration, auto-extension. The customer approves it (possibly narrowed),
// declines it, or lets it expire. A relationship has at most one pending.
type ChangeRequest struct {
	ID             string
	RelationshipID string
	PartnerTenant  string
	CustomerTenant string
	Status         string
	// Roles and Scope are what is asked in addition to what the
	// relationship holds.
	Roles []string
	Scope []string
	// Duration is the relationship's asked length from its start.
	Duration   *period.Duration
	AutoExtend *period.Duration
	// ApprovedRoles and ApprovedScope are what the customer granted of it.
	ApprovedRoles []string
	ApprovedScope []string
	ExpiresAt     time.Time
	CreatedAt     time.Time
	CreatedBy     Actor
	UpdatedAt     time.Time
	AnsweredBy    *Actor
	Version       int
}

// NewChangeRequest is the partner's request.
type NewChangeRequest struct {
	Roles      []string
	Scope      []string
	Duration   *time.Duration
	AutoExtend *time.Duration
	ExpiresIn  *time.Duration
}

// Approval is the customer's answer: nil keeps what was asked, a list keeps
// that part of it (empty: none of it).
type Approval struct {
	Roles []string
	Scope []string
}

// RequestChange asks the customer to widen an active relationship. Asking
// for nothing the relationship does not hold already is refused, naming
// what is held. A relationship has at most one pending request: a second
// is 409 naming the first (an expired one is expired then, and the new one
// goes in).
func (s *Service) RequestChange(ctx context.Context, c Caller, relID string, in NewChangeRequest) (ChangeRequest, error) {
	if len(in.Roles) > maxRoles {
		return ChangeRequest{}, invalid("roles", "at most %d roles", maxRoles)
	}
	roles := dedupe(in.Roles)
	if len(roles) > 0 {
		// Built-in roles only: the partner cannot see the customer's own.
		if _, err := s.checkCeilingRoles(ctx, "", false, roles); err != nil {
			return ChangeRequest{}, err
		}
	}
	var asked access.Scope
	if in.Scope != nil {
		var err error
		if asked, err = checkScope("scope", in.Scope); err != nil {
			return ChangeRequest{}, err
		}
	}
	var duration, autoExtend *period.Duration
	if in.Duration != nil {
		d, err := within("duration", in.Duration, 0, MinDuration, MaxDuration)
		if err != nil {
			return ChangeRequest{}, err
		}
		v := period.Duration(d)
		duration = &v
	}
	if in.AutoExtend != nil {
		d, err := within("autoExtend", in.AutoExtend, 0, MinDuration, MaxDuration)
		if err != nil {
			return ChangeRequest{}, err
		}
		v := period.Duration(d)
		autoExtend = &v
	}
	expiresIn, err := within("expiresIn", in.ExpiresIn, DefaultInviteExpiry, MinInviteExpiry, MaxInviteExpiry)
	if err != nil {
		return ChangeRequest{}, err
	}
	if len(roles) == 0 && in.Scope == nil && duration == nil && autoExtend == nil {
		return ChangeRequest{}, invalid("roles", "ask for something: roles, scope, duration or autoExtend")
	}
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return ChangeRequest{}, err
	}
	if c.Tenant != rel.PartnerTenant {
		return ChangeRequest{}, denied(access.ReasonNoGrant, "only the partner %s asks for a change; the customer narrows with PATCH /relationships/%s", rel.PartnerTenant, rel.ID)
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return ChangeRequest{}, err
	}
	if !s.linkActive(rel) {
		return ChangeRequest{}, s.relationshipEnded(rel)
	}
	var held []string
	for _, r := range roles {
		if contains(rel.CeilingRoleIDs(), r) {
			held = append(held, r)
		}
	}
	if len(held) > 0 {
		return ChangeRequest{}, &ValidationError{Field: "roles", Reason: "already in the relationship's ceiling: ask only for roles it does not hold", Values: held}
	}
	var scope []string
	if in.Scope != nil {
		current, err := access.ParseScope(rel.Scope)
		if err != nil {
			return ChangeRequest{}, storedScope(rel, err)
		}
		var inside []string
		for _, p := range asked.Patterns() {
			one, _ := access.ParseScope([]string{p})
			if one.Within(current) {
				inside = append(inside, p)
			}
		}
		if len(inside) > 0 {
			return ChangeRequest{}, &ValidationError{Field: "scope", Reason: "already inside the relationship's scope: ask only for patterns outside it", Values: inside}
		}
		scope = asked.Patterns()
		// What the relationship would hold once approved stays within the
		// bounds every scope has, or it could never be decided on.
		if err := widenedScopeFits(current.Union(asked).Patterns()); err != nil {
			return ChangeRequest{}, err
		}
	}
	if duration != nil && !rel.StartsAt.Add(time.Duration(*duration)).After(rel.EndsAt) {
		return ChangeRequest{}, invalid("duration", "the relationship already runs until %s (%s from its start): ask for a longer duration", rel.EndsAt.Format(time.RFC3339), period.Format(rel.EndsAt.Sub(rel.StartsAt)))
	}
	if autoExtend != nil {
		if rel.AutoExtend != nil && *rel.AutoExtend == *autoExtend {
			return ChangeRequest{}, invalid("autoExtend", "the relationship already auto-extends by %s", period.Format(time.Duration(*autoExtend)))
		}
		// GDAP's rule: not with global-admin in the ceiling, now or asked.
		if err := autoExtendAllowed(append(rel.CeilingRoleIDs(), roles...)); err != nil {
			return ChangeRequest{}, err
		}
	}
	now := s.now()
	cr := ChangeRequest{ID: s.newID(), RelationshipID: rel.ID, PartnerTenant: rel.PartnerTenant, CustomerTenant: rel.CustomerTenant,
		Status: ChangeRequestPending, Roles: roles, Scope: scope, Duration: duration, AutoExtend: autoExtend,
		ExpiresAt: now.Add(expiresIn), CreatedAt: now, CreatedBy: c.Actor(), UpdatedAt: now}
	for try := 0; ; try++ {
		msgs, err := encode(s.changeRequestEvent(actorOf(c), c.RequestID, cr, nil, false))
		if err != nil {
			return ChangeRequest{}, err
		}
		err = s.store.CreateChangeRequest(ctx, cr, msgs)
		if err == nil {
			s.publish(ctx, msgs)
			return cr, nil
		}
		if !errors.Is(err, ErrConflict) || try > 0 {
			return ChangeRequest{}, err
		}
		// Another is pending: refused, unless its time is up.
		pending, err := s.pendingChangeRequest(ctx, rel.ID)
		if err != nil {
			return ChangeRequest{}, err
		}
		if pending != nil && s.now().Before(pending.ExpiresAt) {
			return ChangeRequest{}, conflict("change request %s of relationship %s is pending: the customer answers it (or it expires at %s) before another", pending.ID, rel.ID, pending.ExpiresAt.Format(time.RFC3339))
		}
		if pending != nil {
			if _, err := s.moveChangeRequest(ctx, s.sweeper(), c.RequestID, *pending, ChangeRequestExpired); err != nil && !errors.Is(err, ErrConflict) {
				return ChangeRequest{}, err
			}
		}
	}
}

// pendingChangeRequest finds a relationship's pending change request (at
// most one; the newest are read first).
func (s *Service) pendingChangeRequest(ctx context.Context, relID string) (*ChangeRequest, error) {
	page := Page{Limit: 100}
	for {
		l, err := s.store.ListChangeRequests(ctx, relID, page)
		if err != nil {
			return nil, err
		}
		for _, cr := range l.Items {
			if cr.Status == ChangeRequestPending {
				return &cr, nil
			}
		}
		if l.NextCursor == "" {
			return nil, nil
		}
		page.Cursor = l.NextCursor
	}
}

// ListChangeRequests lists a relationship's change requests to either side.
func (s *Service) ListChangeRequests(ctx context.Context, c Caller, relID string, page Page) (List[ChangeRequest], error) {
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return List[ChangeRequest]{}, err
	}
	if err := s.viewRelationship(ctx, c, rel); err != nil {
		return List[ChangeRequest]{}, err
	}
	return s.store.ListChangeRequests(ctx, rel.ID, page)
}

// changeRequestFor loads a change request of a relationship the caller's
// tenant is a side of, and the relationship.
func (s *Service) changeRequestFor(ctx context.Context, c Caller, relID, id string) (Relationship, ChangeRequest, error) {
	rel, err := s.relationshipFor(ctx, c, relID)
	if err != nil {
		return Relationship{}, ChangeRequest{}, err
	}
	cr, err := s.store.GetChangeRequest(ctx, rel.ID, id)
	return rel, cr, err
}

// answerableChange: the customer side with relationships.manage answers a
// pending, unexpired change request; anything else is 403 or 409.
func (s *Service) answerableChange(ctx context.Context, c Caller, rel Relationship, cr ChangeRequest) error {
	if c.Tenant != rel.CustomerTenant {
		return denied(access.ReasonNoGrant, "only the customer %s answers this change request", rel.CustomerTenant)
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return err
	}
	if cr.Status != ChangeRequestPending {
		return conflict("the change request is %s", cr.Status)
	}
	if !s.now().Before(cr.ExpiresAt) {
		if _, err := s.moveChangeRequest(ctx, s.sweeper(), c.RequestID, cr, ChangeRequestExpired); err != nil && !errors.Is(err, ErrConflict) {
			return err
		}
		return conflict("the change request expired at %s", cr.ExpiresAt.Format(time.RFC3339))
	}
	return nil
}

// ApproveChange widens the relationship by what the change request asked,
// or by the part of it the approval keeps (never more: 422), in one
// transaction conditioned on the relationship's and the request's
// versions. Added roles are frozen with their permissions now. Adding
// global-admin to a relationship that auto-extends turns auto-extension off
// (GDAP's rule; the event says so).
func (s *Service) ApproveChange(ctx context.Context, c Caller, relID, id string, in Approval) (ChangeRequest, Relationship, error) {
	if len(in.Roles) > maxRoles {
		return ChangeRequest{}, Relationship{}, invalid("roles", "at most %d roles", maxRoles)
	}
	var approvedScope access.Scope
	if len(in.Scope) > 0 {
		var err error
		if approvedScope, err = checkScope("scope", in.Scope); err != nil {
			return ChangeRequest{}, Relationship{}, err
		}
	}
	rel, cr, err := s.changeRequestFor(ctx, c, relID, id)
	if err != nil {
		return ChangeRequest{}, Relationship{}, err
	}
	if err := s.answerableChange(ctx, c, rel, cr); err != nil {
		return ChangeRequest{}, Relationship{}, err
	}
	if !s.linkActive(rel) {
		return ChangeRequest{}, Relationship{}, s.relationshipEnded(rel)
	}
	if rel.PruneAssignments {
		return ChangeRequest{}, Relationship{}, conflict("relationship %s's last narrowing is still being applied to its assignments; approve again in a moment", rel.ID)
	}
	roles := cr.Roles
	if in.Roles != nil {
		roles = dedupe(in.Roles)
		var more []string
		for _, r := range roles {
			if !contains(cr.Roles, r) {
				more = append(more, r)
			}
		}
		if len(more) > 0 {
			return ChangeRequest{}, Relationship{}, &ValidationError{Field: "roles", Reason: "an approval may keep part of what was asked, never more; not asked", Values: more}
		}
	}
	scope := cr.Scope
	if in.Scope != nil {
		scope = nil
		if len(in.Scope) > 0 {
			var asked access.Scope
			if len(cr.Scope) > 0 {
				asked, _ = access.ParseScope(cr.Scope)
			}
			out := approvedScope.Patterns()
			if len(cr.Scope) > 0 {
				out = approvedScope.Outside(asked)
			}
			if len(out) > 0 {
				return ChangeRequest{}, Relationship{}, &ValidationError{Field: "scope", Reason: "an approval may keep part of the asked scope, never more; outside what was asked", Values: out}
			}
			scope = approvedScope.Patterns()
		}
	}
	if len(roles) == 0 && len(scope) == 0 && cr.Duration == nil && cr.AutoExtend == nil {
		return ChangeRequest{}, Relationship{}, invalid("roles", "the approval keeps nothing of the request: decline it instead")
	}
	var added []string
	for _, r := range roles {
		if !contains(rel.CeilingRoleIDs(), r) {
			added = append(added, r)
		}
	}
	frozen, err := s.freezeCeiling(ctx, rel.CustomerTenant, added)
	if err != nil {
		return ChangeRequest{}, Relationship{}, err
	}
	now := s.now()
	next := rel
	next.Ceiling = append(append([]CeilingRole{}, rel.Ceiling...), frozen...)
	if len(scope) > 0 {
		current, err := access.ParseScope(rel.Scope)
		if err != nil {
			return ChangeRequest{}, Relationship{}, storedScope(rel, err)
		}
		wanted, err := access.ParseScope(scope)
		if err != nil {
			return ChangeRequest{}, Relationship{}, invalid("scope", "%v", err)
		}
		next.Scope = current.Union(wanted).Patterns()
		if err := widenedScopeFits(next.Scope); err != nil {
			return ChangeRequest{}, Relationship{}, err
		}
	}
	if cr.Duration != nil {
		if end := rel.StartsAt.Add(time.Duration(*cr.Duration)); end.After(next.EndsAt) {
			next.EndsAt, next.NoticesSent = end, nil
		}
	}
	if cr.AutoExtend != nil {
		next.AutoExtend = cr.AutoExtend
	}
	autoExtendOff := false
	if next.AutoExtend != nil && autoExtendAllowed(next.CeilingRoleIDs()) != nil {
		next.AutoExtend, autoExtendOff = nil, true
	}
	next.UpdatedAt = now
	answered := cr
	by := c.Actor()
	answered.Status, answered.ApprovedRoles, answered.ApprovedScope, answered.AnsweredBy, answered.UpdatedAt = ChangeRequestApproved, roles, scope, &by, now
	msgs, err := encode(s.changeRequestEvent(actorOf(c), c.RequestID, answered, &next, autoExtendOff))
	if err != nil {
		return ChangeRequest{}, Relationship{}, err
	}
	stored, err := s.store.ApproveChangeRequest(ctx, answered, next, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return ChangeRequest{}, Relationship{}, conflict("the change request or relationship %s changed meanwhile; read them again", rel.ID)
		}
		return ChangeRequest{}, Relationship{}, err
	}
	s.publish(ctx, msgs)
	answered.Version++
	return answered, stored, nil
}

// DeclineChange refuses a pending change request; the partner may ask again.
func (s *Service) DeclineChange(ctx context.Context, c Caller, relID, id string) (ChangeRequest, error) {
	rel, cr, err := s.changeRequestFor(ctx, c, relID, id)
	if err != nil {
		return ChangeRequest{}, err
	}
	if err := s.answerableChange(ctx, c, rel, cr); err != nil {
		return ChangeRequest{}, err
	}
	by := c.Actor()
	cr.AnsweredBy = &by
	return s.moveChangeRequest(ctx, actorOf(c), c.RequestID, cr, ChangeRequestDeclined)
}

// moveChangeRequest ends a pending change request in status, with its event.
func (s *Service) moveChangeRequest(ctx context.Context, actor events.Actor, requestID string, cr ChangeRequest, status string) (ChangeRequest, error) {
	next := cr
	next.Status, next.UpdatedAt = status, s.now()
	msgs, err := encode(s.changeRequestEvent(actor, requestID, next, nil, false))
	if err != nil {
		return ChangeRequest{}, err
	}
	stored, err := s.store.UpdateChangeRequest(ctx, next, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return ChangeRequest{}, conflict("the change request was answered by another request")
		}
		return ChangeRequest{}, err
	}
	s.publish(ctx, msgs)
	return stored, nil
}

// expireChangeRequests is the sweep's part: pending change requests past
// their expiry expire.
func (s *Service) expireChangeRequests(ctx context.Context, now time.Time, limit int) (int, error) {
	due, err := s.store.DueChangeRequests(ctx, now, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, cr := range due {
		if cr.Status != ChangeRequestPending || now.Before(cr.ExpiresAt) {
			continue
		}
		_, err := s.moveChangeRequest(ctx, s.sweeper(), "", cr, ChangeRequestExpired)
		switch {
		case errors.Is(err, ErrConflict):
		case err != nil:
			return n, err
		default:
			n++
		}
	}
	return n, nil
}

func changeRequestView(cr ChangeRequest) events.ChangeRequest {
	v := events.ChangeRequest{ID: cr.ID, RelationshipID: cr.RelationshipID, Status: cr.Status, PartnerTenant: cr.PartnerTenant,
		CustomerTenant: cr.CustomerTenant, Roles: cr.Roles, Scope: cr.Scope, ApprovedRoles: cr.ApprovedRoles, ApprovedScope: cr.ApprovedScope,
		ExpiresAt: cr.ExpiresAt}
	if cr.Duration != nil {
		v.Duration = period.Format(time.Duration(*cr.Duration))
	}
	if cr.AutoExtend != nil {
		v.AutoExtend = period.Format(time.Duration(*cr.AutoExtend))
	}
	return v
}

// changeRequestEvent is the event of a change request reaching a state;
// an approval carries the relationship as widened.
func (s *Service) changeRequestEvent(actor events.Actor, requestID string, cr ChangeRequest, rel *Relationship, autoExtendOff bool) events.Payload {
	m := s.meta(actor, requestID, cr.RelationshipID, cr.PartnerTenant, cr.CustomerTenant)
	v := changeRequestView(cr)
	switch cr.Status {
	case ChangeRequestApproved:
		return events.ChangeRequestApproved{Meta: m, ChangeRequest: v, Relationship: relationshipView(*rel), AutoExtendTurnedOff: autoExtendOff}
	case ChangeRequestDeclined:
		return events.ChangeRequestDeclined{Meta: m, ChangeRequest: v}
	case ChangeRequestExpired:
		return events.ChangeRequestExpired{Meta: m, ChangeRequest: v}
	}
	return events.ChangeRequestCreated{Meta: m, ChangeRequest: v}
}

// widenedScopeFits checks that the scope a relationship would hold once a
// change request is approved stays within every scope's bounds: past them
// it could not be decided on.
func widenedScopeFits(patterns []string) error {
	if len(patterns) > MaxScopePatterns || scopeBytes(patterns) > MaxScopeBytes {
		return invalid("scope", "with what the relationship holds, its scope would be %d patterns of %d bytes; a scope holds at most %d patterns and %d bytes (MaxScopePatterns, MaxScopeBytes): ask for fewer, or narrow the scope first",
			len(patterns), scopeBytes(patterns), MaxScopePatterns, MaxScopeBytes)
	}
	return nil
}

// storedScope is the error of a relationship whose stored scope does not
// parse: a defect to see, never a scope to read as empty or whole.
func storedScope(rel Relationship, err error) error {
	return errors.Join(errors.New("relationship "+rel.ID+": its stored scope does not parse"), err)
}

package tenancy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// Privileges a relationship holds, as the views show it.
const (
	PrivilegesDelegated = "delegated"
	// PrivilegesNone: the customer narrowed the ceiling to nothing — the
	// seeds' "delegated admin privileges removed, partner kept" (for
	// subscriptions and renewals). The relationship stays active and in
	// both sides' views; no assignment can be made under it.
	PrivilegesNone = "none"
)

// Privileges answers whether the relationship still carries delegated
// privileges.
func (r Relationship) Privileges() string {
	if len(r.Ceiling) == 0 {
		return PrivilegesNone
	}
	return PrivilegesDelegated
}

// changeStore is what narrowing and change requests need of the store.
type changeStore interface {
	// NarrowRelationship replaces the relationship read at rel.Version
	// with its decision record and counts a removal in its partition's
	// epoch (a switch that decided on the wider ceiling does not commit),
	// with its events, in one transaction.
	NarrowRelationship(ctx context.Context, rel Relationship, msgs []events.Message) (Relationship, error)
	// ReplaceAssignments rewrites assignments read at their versions, with
	// their decision records, all or nothing (ErrConflict when one
	// changed or is gone).
	ReplaceAssignments(ctx context.Context, as []Assignment) error
	// ListRelationshipsWhere is ListRelationships keeping only what keep
	// accepts: a page holds up to its limit of kept relationships, or ends
	// the list.
	ListRelationshipsWhere(ctx context.Context, tenant, side string, keep func(Relationship) bool, page Page) (List[Relationship], error)

	// CreateChangeRequest writes a pending change request with its events
	// while its relationship has no other pending one (ErrConflict).
	CreateChangeRequest(ctx context.Context, cr ChangeRequest, msgs []events.Message) error
	GetChangeRequest(ctx context.Context, relationshipID, id string) (ChangeRequest, error)
	// ListChangeRequests lists a relationship's change requests, newest first.
	ListChangeRequests(ctx context.Context, relationshipID string, page Page) (List[ChangeRequest], error)
	// UpdateChangeRequest replaces the change request read at cr.Version
	// (declined, expired) with its events.
	UpdateChangeRequest(ctx context.Context, cr ChangeRequest, msgs []events.Message) (ChangeRequest, error)
	// ApproveChangeRequest replaces the change request and the
	// relationship, each read at its version, in one transaction.
	ApproveChangeRequest(ctx context.Context, cr ChangeRequest, rel Relationship, msgs []events.Message) (Relationship, error)
	// DueChangeRequests answers pending change requests whose expiry has come.
	DueChangeRequests(ctx context.Context, now time.Time, limit int) ([]ChangeRequest, error)
}

// Narrowing is the customer's change of an active relationship: a ceiling
// (nil: unchanged; empty: no privileges) and a scope (nil: unchanged), each
// inside what the relationship holds now.
type Narrowing struct {
	Roles []string
	Scope []string
}

// NarrowRelationship narrows an active relationship's ceiling or scope at
// once, at the customer's word alone (a partner asks for more with a change
// request). Every decision from the commit on reads the narrowed ceiling and
// scope: what falls outside is denied before any assignment is touched.
// Then the assignments under it lose what falls outside — one whose every
// role and permission is outside (or whose scope no longer meets the
// relationship's) is removed, one partly outside keeps the rest — as far as
// the request's budget goes; the sync consumer (on RelationshipNarrowed)
// and the sweep finish the rest. Switch sessions that used an assignment
// the narrowing touches are revoked. Narrowing to what it holds already
// changes nothing.
func (s *Service) NarrowRelationship(ctx context.Context, c Caller, id string, in Narrowing) (Relationship, error) {
	if in.Roles == nil && in.Scope == nil {
		return Relationship{}, invalid("roles", "name the roles to keep (roles) or the scope to keep (scope): a narrowing changes one of them")
	}
	if len(in.Roles) > maxRoles {
		return Relationship{}, invalid("roles", "at most %d roles", maxRoles)
	}
	var scope access.Scope
	if in.Scope != nil {
		var err error
		if scope, err = checkScope("scope", in.Scope); err != nil {
			return Relationship{}, err
		}
	}
	rel, err := s.relationshipFor(ctx, c, id)
	if err != nil {
		return Relationship{}, err
	}
	if c.Tenant != rel.CustomerTenant {
		return Relationship{}, denied(access.ReasonNoGrant, "only the customer %s narrows this relationship; the partner asks for a change with POST /relationships/%s/change-requests", rel.CustomerTenant, rel.ID)
	}
	if err := s.authorizeHome(ctx, c, "relationships.manage"); err != nil {
		return Relationship{}, err
	}
	if !s.linkActive(rel) {
		return Relationship{}, s.relationshipEnded(rel)
	}
	next := rel
	var removedRoles, removedScope []string
	if in.Roles != nil {
		keep := dedupe(in.Roles)
		var wider []string
		for _, r := range keep {
			if !contains(rel.CeilingRoleIDs(), r) {
				wider = append(wider, r)
			}
		}
		if len(wider) > 0 {
			return Relationship{}, &ValidationError{Field: "roles", Reason: "a narrowing keeps or removes ceiling roles, never adds one (the partner asks with a change request); these would widen the ceiling", Values: wider}
		}
		next.Ceiling = nil
		for _, cr := range rel.Ceiling {
			if contains(keep, cr.ID) {
				next.Ceiling = append(next.Ceiling, cr)
			} else {
				removedRoles = append(removedRoles, cr.ID)
			}
		}
	}
	current, err := access.ParseScope(rel.Scope)
	if err != nil {
		return Relationship{}, storedScope(rel, err)
	}
	if in.Scope != nil {
		if out := scope.Outside(current); len(out) > 0 {
			return Relationship{}, &ValidationError{Field: "scope", Reason: "a narrowing keeps the scope or a part of it, never more; these patterns would widen it", Values: out}
		}
		removedScope = current.Outside(scope)
		next.Scope = scope.Patterns()
	}
	if len(removedRoles) == 0 && len(removedScope) == 0 {
		return rel, nil // what it holds already: nothing to narrow
	}
	next.UpdatedAt, next.PruneAssignments = s.now(), true
	// The sessions that used an assignment the narrowing touches stop:
	// those live now go in the narrowing's own transaction (a few events),
	// those a switch adds before the commit right after it.
	affected, err := s.affectedAssignments(ctx, next)
	if err != nil {
		return Relationship{}, err
	}
	rev, done, err := s.narrowingRevocations(ctx, actorOf(c), c.RequestID, next, affected, nil)
	if err != nil {
		return Relationship{}, err
	}
	if len(rev) > maxRevocationsInRemoval {
		rev, done = nil, nil
	}
	narrowed := events.RelationshipNarrowed{Meta: s.meta(actorOf(c), c.RequestID, rel.ID, rel.PartnerTenant, rel.CustomerTenant),
		Relationship: relationshipView(next), RemovedRoles: removedRoles, RemovedScope: removedScope, Privileges: next.Privileges(),
		AssignmentsAffected: len(affected)}
	msgs, err := encode(append([]events.Payload{narrowed}, rev...)...)
	if err != nil {
		return Relationship{}, err
	}
	stored, err := s.store.NarrowRelationship(ctx, next, msgs)
	if err != nil {
		if errors.Is(err, ErrConflict) {
			return Relationship{}, conflict("relationship %s changed while it was being narrowed; read it again and retry", rel.ID)
		}
		return Relationship{}, err
	}
	s.publish(ctx, msgs)
	if rev, _, err = s.narrowingRevocations(ctx, actorOf(c), c.RequestID, stored, affected, done); err != nil {
		return Relationship{}, err
	}
	if err := s.recordAll(ctx, rev); err != nil {
		return Relationship{}, err
	}
	budget, cancel := context.WithTimeout(ctx, s.offboardBudget)
	defer cancel()
	pruned, err := s.pruneAssignments(budget, stored)
	if err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return Relationship{}, fmt.Errorf("narrow %s: %w", id, err)
	}
	return pruned, nil
}

// recordAll records events that follow no change of their own.
func (s *Service) recordAll(ctx context.Context, payloads []events.Payload) error {
	if len(payloads) == 0 {
		return nil
	}
	msgs, err := encode(payloads...)
	if err != nil {
		return err
	}
	if err := s.store.RecordEvents(ctx, msgs); err != nil {
		return err
	}
	s.publish(ctx, msgs)
	return nil
}

// affectedAssignments answers the ids of the assignments under rel that
// its (narrowed) ceiling and scope change, from the decision partition.
func (s *Service) affectedAssignments(ctx context.Context, rel Relationship) ([]string, error) {
	p, err := s.store.LoadPartition(ctx, rel.CustomerTenant, rel.PartnerTenant)
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, a := range p.Assignments {
		if a.RelationshipID != rel.ID {
			continue
		}
		if _, _, changed := s.narrowAssignment(a, rel, p.Roles); changed {
			ids = append(ids, a.ID)
		}
	}
	return ids, nil
}

// narrowingRevocations answers the revocation events of the live sessions
// under rel that used one of the assignments, but those in skip, and the ids
// revoked.
func (s *Service) narrowingRevocations(ctx context.Context, actor events.Actor, requestID string, rel Relationship, assignments, skip []string) ([]events.Payload, []string, error) {
	if len(assignments) == 0 {
		return nil, nil, nil
	}
	live, err := s.store.LiveSessions(ctx, rel.ID, s.now())
	if err != nil {
		return nil, nil, err
	}
	// Sets, not lists: at 10,000 affected assignments and as many live
	// sessions a lookup per id would be quadratic.
	skipped := make(map[string]bool, len(skip))
	for _, id := range skip {
		skipped[id] = true
	}
	touched := make(map[string]bool, len(assignments))
	for _, id := range assignments {
		touched[id] = true
	}
	var ids []string
	for _, sess := range live {
		if skipped[sess.ID] {
			continue
		}
		for _, a := range sess.AssignmentIDs {
			if touched[a] {
				ids = append(ids, sess.ID)
				break
			}
		}
	}
	parts := (len(ids) + events.MaxSessionsInEvent - 1) / events.MaxSessionsInEvent
	var out []events.Payload
	for i := 0; i < parts; i++ {
		chunk := ids[i*events.MaxSessionsInEvent : min(len(ids), (i+1)*events.MaxSessionsInEvent)]
		out = append(out, events.SwitchSessionsRevoked{Meta: s.meta(actor, requestID, rel.ID, rel.PartnerTenant, rel.CustomerTenant),
			SessionIDs: chunk, Reason: "relationship-narrowed", Part: i + 1, Parts: parts})
	}
	return out, append(slices.Clone(skip), ids...), nil
}

// narrowAssignment answers what an assignment under rel keeps of itself
// inside rel's ceiling and scope, whether anything is left, and whether it
// changed: ceiling roles still in the ceiling, the partner's own roles that
// still hold a permission inside it, single permissions inside it, and the
// part of its scope inside the relationship's.
func (s *Service) narrowAssignment(a Assignment, rel Relationship, partnerRoles []CustomRole) (Assignment, bool, bool) {
	var ceiling access.PermSet
	for _, r := range rel.Ceiling {
		set, _ := s.cat.Set(r.Permissions)
		ceiling.Union(set)
	}
	next := a
	next.Roles, next.Permissions = nil, nil
	for _, id := range a.Roles {
		switch {
		case contains(rel.CeilingRoleIDs(), id):
			next.Roles = append(next.Roles, id)
		case findRole(partnerRoles, id) != nil:
			set, _ := s.cat.Set(findRole(partnerRoles, id).Permissions)
			if set.Intersects(ceiling) {
				next.Roles = append(next.Roles, id)
			}
		}
	}
	for _, id := range a.Permissions {
		if p, ok := s.cat.Permission(id); ok && ceiling.Has(p) {
			next.Permissions = append(next.Permissions, id)
		}
	}
	relScope, relErr := access.ParseScope(rel.Scope)
	own, err := access.ParseScope(a.Scope)
	if err != nil || relErr != nil {
		// A stored scope that does not parse grants nothing (the decision
		// denies on it): the assignment goes, it is never read as wider.
		return next, false, true
	}
	cut, overlaps := own.Intersect(relScope)
	next.Scope = cut.Patterns()
	// The cut of two scopes can hold more patterns than either (20 × 20
	// meets): one past a scope's bounds could not be decided on, and any
	// coarser one would widen the assignment, so the assignment goes.
	_, tooBig := checkScope("scope", next.Scope)
	keep := overlaps && tooBig == nil && len(next.Roles)+len(next.Permissions) > 0
	changed := !keep || len(next.Roles) != len(a.Roles) || len(next.Permissions) != len(a.Permissions) || !slices.Equal(next.Scope, a.Scope)
	return next, keep, changed
}

// FinishNarrowing brings the assignments of a narrowed relationship inside
// its ceiling and scope — the sync consumer's part after
// RelationshipNarrowed. Nothing happens when there is nothing left to do;
// it is idempotent.
func (s *Service) FinishNarrowing(ctx context.Context, relationshipID string) error {
	rel, err := s.store.GetRelationship(ctx, relationshipID)
	if errors.Is(err, ErrNotFound) || err == nil && (rel.Status != RelationshipActive || !rel.PruneAssignments) {
		return nil
	}
	if err != nil {
		return err
	}
	_, err = s.pruneAssignments(ctx, rel)
	return err
}

// pruneAssignments runs pruning passes until a pass ends with the
// relationship unchanged since it began, then clears PruneAssignments; a
// narrowing (or an end) meanwhile makes it read the relationship again.
func (s *Service) pruneAssignments(ctx context.Context, rel Relationship) (Relationship, error) {
	for rel.Status == RelationshipActive && rel.PruneAssignments {
		if err := s.prunePass(ctx, rel); err != nil {
			return rel, err
		}
		done := rel
		done.PruneAssignments = false
		stored, err := s.store.UpdateRelationship(ctx, done, nil)
		if err == nil {
			return stored, nil
		}
		if !errors.Is(err, ErrConflict) {
			return rel, err
		}
		if rel, err = s.store.GetRelationship(ctx, rel.ID); err != nil {
			return rel, err
		}
	}
	return rel, nil
}

// pruneBatch is how many rewritten assignments share one transaction (two
// items each).
const pruneBatch = 25

// prunePass reads every assignment under rel once, removes those left with
// nothing and rewrites those left with less. Neither changes a decision —
// the decision already reads rel's ceiling and scope — so no switch is
// held back by it.
func (s *Service) prunePass(ctx context.Context, rel Relationship) error {
	partnerRoles, err := s.store.ListRoles(ctx, rel.CustomerTenant, rel.PartnerTenant)
	if err != nil {
		return err
	}
	cursor := ""
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		l, err := s.store.ListAssignments(ctx, rel.CustomerTenant, rel.PartnerTenant, rel.ID, Page{Limit: 100, Cursor: cursor})
		if err != nil {
			return err
		}
		var gone []string
		var rewrite []Assignment
		for _, a := range l.Items {
			next, keep, changed := s.narrowAssignment(a, rel, partnerRoles)
			switch {
			case !keep:
				gone = append(gone, a.ID)
			case changed:
				rewrite = append(rewrite, next)
			}
		}
		if len(gone) > 0 {
			if err := s.store.DeleteAssignments(ctx, rel.CustomerTenant, rel.PartnerTenant, gone); err != nil {
				return err
			}
		}
		for len(rewrite) > 0 {
			n := min(len(rewrite), pruneBatch)
			if err := s.replaceAssignments(ctx, rel, partnerRoles, rewrite[:n]); err != nil {
				return err
			}
			rewrite = rewrite[n:]
		}
		if l.NextCursor == "" {
			return nil
		}
		cursor = l.NextCursor
	}
}

// replaceAssignments rewrites a batch in one transaction; when one of them
// changed meanwhile, each is read again and rewritten alone.
func (s *Service) replaceAssignments(ctx context.Context, rel Relationship, partnerRoles []CustomRole, as []Assignment) error {
	err := s.store.ReplaceAssignments(ctx, as)
	if !errors.Is(err, ErrConflict) {
		return err
	}
	for _, a := range as {
		for try := 0; ; try++ {
			cur, err := s.store.GetAssignment(ctx, a.TenantID, a.HomeTenant, a.ID)
			if errors.Is(err, ErrNotFound) {
				break
			}
			if err != nil {
				return err
			}
			next, keep, changed := s.narrowAssignment(cur, rel, partnerRoles)
			switch {
			case !keep:
				err = s.store.DeleteAssignments(ctx, a.TenantID, a.HomeTenant, []string{a.ID})
			case changed:
				err = s.store.ReplaceAssignments(ctx, []Assignment{next})
			}
			if err == nil {
				break
			}
			if !errors.Is(err, ErrConflict) || try == 2 {
				return err
			}
		}
	}
	return nil
}

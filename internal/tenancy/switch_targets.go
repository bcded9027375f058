package tenancy

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/period"
)

// SwitchTarget is one tenant the caller can switch into.
type SwitchTarget struct {
	TenantID       string
	TenantName     string
	RelationshipID string
	Status         string
	Roles          []string
	Scope          []string
	EndsAt         time.Time
	RequireMFA     bool
	Eligible       []EligibleGrant
}

// Target states.
const (
	TargetReady              = "ready"
	TargetActivationRequired = "activation-required"
	TargetMFARequired        = "mfa-required"
)

// EligibleGrant is an eligible assignment a switch may activate.
type EligibleGrant struct {
	AssignmentID  string
	Roles         []string
	MaxActivation *period.Duration
}

// maxTargetPrincipals bounds the partitions one page of targets reads: the
// user and its first groups.
const maxTargetPrincipals = 101

// SwitchTargets is a page of switch targets. A caller who may not use the
// switcher at all gets no items and Reason (switch-not-permitted) with a
// Detail that says what is missing, rather than an empty list that looks
// like having no customers.
type SwitchTargets struct {
	List[SwitchTarget]
	Reason access.Reason
	Detail string
}

// SwitchTargets lists the tenants the caller can switch into, for a tenant
// switcher's drop-down: ready ones, ones that need an eligible assignment
// activated, and ones that need MFA first. A page reads the caller's
// partitions of the targets index (its own and its groups') and the
// partition of each customer on it, whatever the partner's size.
func (s *Service) SwitchTargets(ctx context.Context, c Caller, page Page) (SwitchTargets, error) {
	permitted := make(chan error, 1)
	go func() { permitted <- s.maySwitch(ctx, c) }()
	now := s.now()
	principals := []string{access.KindUser + ":" + c.User}
	for _, g := range dedupe(c.Groups) {
		principals = append(principals, access.KindGroup+":"+g)
	}
	if len(principals) > maxTargetPrincipals {
		principals = principals[:maxTargetPrincipals]
	}
	l, err := s.store.SwitchTargets(ctx, c.Tenant, principals, page)
	if perr := <-permitted; perr != nil {
		var refused *DeniedError
		if errors.As(perr, &refused) {
			return SwitchTargets{Reason: refused.Reason, Detail: refused.Message}, nil
		}
		return SwitchTargets{}, perr
	}
	if err != nil {
		return SwitchTargets{}, err
	}
	out := SwitchTargets{List: List[SwitchTarget]{NextCursor: l.NextCursor}}
	sub := c.Subject()
	for _, t := range l.Items {
		p := s.compile(t.TenantID, c.Tenant, t.Partition)
		eff, reason := access.Evaluate(p, sub, s.cat, now)
		status := TargetReady
		switch reason {
		case access.ReasonAllowed:
		case access.ReasonEligibleNotActive:
			status = TargetActivationRequired
		case access.ReasonMFARequired:
			status = TargetMFARequired
			withMFA := sub
			withMFA.MFA = true
			if eff, reason = access.Evaluate(p, withMFA, s.cat, now); reason != access.ReasonAllowed && reason != access.ReasonEligibleNotActive {
				continue
			}
		default:
			continue
		}
		target := SwitchTarget{TenantID: t.TenantID, TenantName: t.TenantName, EndsAt: eff.EndsAt}
		for _, rel := range t.Partition.Relationships {
			if rel.Status == RelationshipActive && now.Before(rel.EndsAt) {
				target.RelationshipID, target.RequireMFA = rel.ID, rel.RequireMFA
				if target.EndsAt.IsZero() {
					target.EndsAt = rel.EndsAt
				}
				break
			}
		}
		target.Status = status
		for _, g := range eff.Grants {
			for _, r := range g.Roles {
				if !slices.Contains(target.Roles, r) {
					target.Roles = append(target.Roles, r)
				}
			}
			for _, pat := range g.Scope.Patterns() {
				if !slices.Contains(target.Scope, pat) {
					target.Scope = append(target.Scope, pat)
				}
			}
		}
		for _, id := range eff.Dormant {
			if a := findAssignment(t.Partition.Assignments, id); a != nil {
				target.Eligible = append(target.Eligible, EligibleGrant{AssignmentID: id, Roles: a.Roles, MaxActivation: a.MaxActivation})
			}
		}
		out.Items = append(out.Items, target)
	}
	return out, nil
}

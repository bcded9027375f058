package tenancy

import (
	"context"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/access"
)

// MaxChecks bounds a batch of checks.
const MaxChecks = 100

// CheckPrincipal names another principal to check: a user or group of a home
// tenant, with the groups and authentication the caller vouches for.
type CheckPrincipal struct {
	ID     string
	Tenant string
	Groups []string
	MFA    bool
}

// Check is one question to check-access.
type Check struct {
	Tenant     string
	Permission string
	Resource   string
	Principal  *CheckPrincipal
}

// CheckResult answers one check.
type CheckResult struct {
	Allowed bool
	Reason  access.Reason
	Via     *access.Via
}

// CheckAccess decides each check. Asking about oneself needs nothing; asking
// about another principal needs access.check in that tenant. Every distinct
// (tenant, home tenant) pair costs one store request.
func (s *Service) CheckAccess(ctx context.Context, c Caller, checks []Check) ([]CheckResult, error) {
	if len(checks) == 0 {
		return nil, invalid("checks", "ask at least one check")
	}
	if len(checks) > MaxChecks {
		return nil, invalid("checks", "at most %d checks in one request", MaxChecks)
	}
	subjects := make([]access.Subject, len(checks))
	for i, ch := range checks {
		field := func(name string) string {
			if len(checks) == 1 {
				return name
			}
			return fmt.Sprintf("checks[%d].%s", i, name)
		}
		if !ValidTenantID(ch.Tenant) {
			return nil, invalid(field("tenantId"), "%q is not a tenant id", ch.Tenant)
		}
		if _, ok := s.cat.Permission(ch.Permission); !ok {
			return nil, invalid(field("permission"), "%q is not in the permission catalogue", ch.Permission)
		}
		if ch.Resource != "" {
			if err := access.ValidateResource(ch.Resource); err != nil {
				return nil, invalid(field("resource"), "%q: %v", ch.Resource, err)
			}
		}
		subjects[i] = c.Subject()
		if p := ch.Principal; p != nil {
			sub, err := checkSubject(field("principal"), p)
			if err != nil {
				return nil, err
			}
			subjects[i] = sub
		}
	}
	cache := partitions{}
	now := s.now()
	out := make([]CheckResult, len(checks))
	for i, ch := range checks {
		if subjects[i].User != c.User || subjects[i].Home != c.Tenant || ch.Principal != nil && !sameGroups(subjects[i], c) {
			if err := s.mayCheckOthers(ctx, cache, c, ch.Tenant); err != nil {
				return nil, err
			}
			// A partner's access.check covers its own people: the grants of
			// another partner, or of the customer's own staff, are the
			// customer's business, and via would name them.
			if c.Tenant != ch.Tenant && subjects[i].Home != c.Tenant {
				return nil, denied(access.ReasonNoGrant, "a partner asks check-access only about principals of its own tenant %s", c.Tenant)
			}
		}
		resource := ch.Resource
		if resource == "" {
			resource = "/"
		}
		d, err := s.decide(ctx, cache, subjects[i], ch.Tenant, ch.Permission, resource, now)
		if err != nil {
			return nil, err
		}
		out[i] = CheckResult{Allowed: d.Allowed, Reason: d.Reason}
		if d.Allowed {
			via := d.Via
			out[i].Via = &via
		}
	}
	return out, nil
}

// mayCheckOthers: asking about anyone but oneself (another user, or oneself
// with groups or MFA the token does not carry) needs access.check there.
func (s *Service) mayCheckOthers(ctx context.Context, cache partitions, c Caller, tenant string) error {
	d, err := s.decide(ctx, cache, c.Subject(), tenant, "access.check", "/", s.now())
	if err != nil {
		return err
	}
	if !d.Allowed {
		return denied(d.Reason, "asking about another principal needs access.check in tenant %s", tenant)
	}
	return nil
}

func checkSubject(field string, p *CheckPrincipal) (access.Subject, error) {
	if err := checkPrincipal(field+".id", p.ID); err != nil {
		return access.Subject{}, err
	}
	if !ValidTenantID(p.Tenant) {
		return access.Subject{}, invalid(field+".tenantId", "%q is not a tenant id", p.Tenant)
	}
	if len(p.Groups) > maxRoles {
		return access.Subject{}, invalid(field+".groups", "at most %d groups", maxRoles)
	}
	kind, id, _ := strings.Cut(p.ID, ":")
	sub := access.Subject{Home: p.Tenant, Groups: p.Groups, MFA: p.MFA}
	if kind == access.KindUser {
		sub.User = id
	} else {
		sub.Groups = append([]string{id}, p.Groups...)
	}
	return sub, nil
}

func sameGroups(sub access.Subject, c Caller) bool {
	if len(sub.Groups) > len(c.Groups) {
		return false
	}
	for _, g := range sub.Groups {
		if !contains(c.Groups, g) {
			return false
		}
	}
	return !sub.MFA || c.MFA()
}

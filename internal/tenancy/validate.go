package tenancy

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/switchboard/switchboard/internal/access"
)

var (
	idPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)
	principalIDPat = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$`)
	domainPattern  = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// Limits on lists in requests.
const (
	maxRoles       = 50
	maxPrincipals  = 20
	maxNameLength  = 200
	maxDescription = 1000
)

// Limits on what feeds events and switch tokens, so that neither can grow
// past what EventBridge takes (256 KB an entry) or an HTTP header carries,
// whatever a tenant stores. Each refusal is a 422 naming the limit.
const (
	// MaxScopePatterns and MaxScopeBytes bound one scope (of an
	// invitation, a relationship, an assignment).
	MaxScopePatterns = 20
	MaxScopeBytes    = 2048
	// MaxPrincipalGrants and MaxPrincipalScopeBytes bound what one
	// principal of a partner holds in one customer: its delegated
	// assignments and the scope patterns they carry in all.
	MaxPrincipalGrants     = 100
	MaxPrincipalScopeBytes = 4096
	// MaxActivations bounds the eligible assignments one switch activates.
	MaxActivations = 10
)

// ValidTenantID reports whether id can name a tenant: the identity provider's
// tenant id in lower case, letters, digits and dashes.
func ValidTenantID(id string) bool { return idPattern.MatchString(id) }

func checkPrincipal(field, p string) error {
	kind, id, ok := strings.Cut(p, ":")
	if !ok || (kind != access.KindUser && kind != access.KindGroup) || !principalIDPat.MatchString(id) {
		return invalid(field, "%q is not a principal: write user:<id> or group:<id>", p)
	}
	return nil
}

func checkPrincipals(field string, ps []string) error {
	if len(ps) > maxPrincipals {
		return invalid(field, "at most %d principals", maxPrincipals)
	}
	for _, p := range ps {
		if err := checkPrincipal(field, p); err != nil {
			return err
		}
	}
	return nil
}

func checkName(field, name string, max int) error {
	if strings.TrimSpace(name) == "" {
		return invalid(field, "is required")
	}
	if utf8.RuneCountInString(name) > max {
		return invalid(field, "longer than %d characters", max)
	}
	return nil
}

func checkScope(field string, patterns []string) (access.Scope, error) {
	if len(patterns) > MaxScopePatterns {
		return access.Scope{}, invalid(field, "%d patterns; a scope holds at most %d (MaxScopePatterns)", len(patterns), MaxScopePatterns)
	}
	if n := scopeBytes(patterns); n > MaxScopeBytes {
		return access.Scope{}, invalid(field, "%d bytes of patterns; a scope holds at most %d (MaxScopeBytes)", n, MaxScopeBytes)
	}
	sc, err := access.ParseScope(patterns)
	if err != nil {
		return sc, invalid(field, "%v", err)
	}
	return sc, nil
}

func scopeBytes(patterns []string) int {
	n := 0
	for _, p := range patterns {
		n += len(p)
	}
	return n
}

// dedupe keeps the first of each value, in order.
func dedupe(values []string) []string {
	seen := make(map[string]bool, len(values))
	out := make([]string, 0, len(values))
	for _, v := range values {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func contains(values []string, v string) bool {
	for _, x := range values {
		if x == v {
			return true
		}
	}
	return false
}

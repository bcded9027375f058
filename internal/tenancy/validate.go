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
	sc, err := access.ParseScope(patterns)
	if err != nil {
		return sc, invalid(field, "%v", err)
	}
	return sc, nil
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

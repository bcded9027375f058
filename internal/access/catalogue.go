package access

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math/bits"
	"sort"
)

// The permission catalogue is data, not code: catalogue.json is versioned in the
// repository and embedded at build time.
//
//go:embed catalogue.json
var catalogueJSON []byte

// maxPermissions bounds the catalogue so a PermSet stays a fixed-size value.
const maxPermissions = 256

// PermSet is a set of catalogue permissions, one bit each. It is a value type:
// copying and testing it never allocates.
type PermSet [maxPermissions / 64]uint64

// Add puts permission p into the set.
func (s *PermSet) Add(p Permission) { s[p.index/64] |= 1 << (p.index % 64) }

// Has reports whether p is in the set.
func (s *PermSet) Has(p Permission) bool { return s[p.index/64]&(1<<(p.index%64)) != 0 }

// Union adds every member of o.
func (s *PermSet) Union(o PermSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// SubsetOf reports whether every member of s is in o.
func (s PermSet) SubsetOf(o PermSet) bool {
	for i := range s {
		if s[i]&^o[i] != 0 {
			return false
		}
	}
	return true
}

// Len counts the members.
func (s PermSet) Len() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// Permission is one catalogue entry.
type Permission struct {
	ID          string
	Description string
	Delegable   bool
	Scopeable   bool
	index       uint
}

// Role is a named set of permissions: a built-in role of the catalogue or a
// tenant's custom role.
type Role struct {
	ID          string
	Name        string
	Description string
	Perms       PermSet
	BuiltIn     bool
}

// Catalogue is the loaded permission catalogue with its built-in roles.
type Catalogue struct {
	Version     string
	permissions []Permission
	byID        map[string]Permission
	roles       []Role
	rolesByID   map[string]Role
}

type catalogueFile struct {
	Version     string `json:"version"`
	Permissions []struct {
		ID          string `json:"id"`
		Description string `json:"description"`
		Delegable   bool   `json:"delegable"`
		Scopeable   bool   `json:"scopeable"`
	} `json:"permissions"`
	Roles []struct {
		ID             string   `json:"id"`
		Name           string   `json:"name"`
		Description    string   `json:"description"`
		AllPermissions bool     `json:"allPermissions"`
		Permissions    []string `json:"permissions"`
	} `json:"roles"`
}

var builtin = mustLoad(catalogueJSON)

// Builtin answers the catalogue embedded in this build.
func Builtin() *Catalogue { return builtin }

func mustLoad(data []byte) *Catalogue {
	c, err := LoadCatalogue(data)
	if err != nil {
		panic(fmt.Sprintf("embedded permission catalogue: %v", err))
	}
	return c
}

// LoadCatalogue parses and checks a catalogue document.
func LoadCatalogue(data []byte) (*Catalogue, error) {
	var f catalogueFile
	if err := json.Unmarshal(data, &f); err != nil {
		return nil, err
	}
	if len(f.Permissions) > maxPermissions {
		return nil, fmt.Errorf("%d permissions, at most %d", len(f.Permissions), maxPermissions)
	}
	c := &Catalogue{Version: f.Version, byID: map[string]Permission{}, rolesByID: map[string]Role{}}
	var all PermSet
	for i, p := range f.Permissions {
		if !ValidPermissionID(p.ID) {
			return nil, fmt.Errorf("permission %q is not <area>.<action>", p.ID)
		}
		if _, dup := c.byID[p.ID]; dup {
			return nil, fmt.Errorf("permission %q listed twice", p.ID)
		}
		perm := Permission{ID: p.ID, Description: p.Description, Delegable: p.Delegable, Scopeable: p.Scopeable, index: uint(i)}
		c.permissions = append(c.permissions, perm)
		c.byID[p.ID] = perm
		all.Add(perm)
	}
	for _, r := range f.Roles {
		if _, dup := c.rolesByID[r.ID]; dup {
			return nil, fmt.Errorf("role %q listed twice", r.ID)
		}
		role := Role{ID: r.ID, Name: r.Name, Description: r.Description, BuiltIn: true}
		if r.AllPermissions {
			role.Perms = all
		}
		for _, id := range r.Permissions {
			p, ok := c.byID[id]
			if !ok {
				return nil, fmt.Errorf("role %q names unknown permission %q", r.ID, id)
			}
			role.Perms.Add(p)
		}
		c.roles = append(c.roles, role)
		c.rolesByID[r.ID] = role
	}
	return c, nil
}

// ValidPermissionID reports whether id has the form <area>.<action> in lower case.
func ValidPermissionID(id string) bool {
	dot := -1
	for i := 0; i < len(id); i++ {
		switch ch := id[i]; {
		case ch == '.':
			if dot >= 0 || i == 0 {
				return false
			}
			dot = i
		case ch >= 'a' && ch <= 'z', ch == '-' && i > 0 && dot != i-1:
		default:
			return false
		}
	}
	return dot > 0 && dot < len(id)-1
}

// Permission looks up a permission by id.
func (c *Catalogue) Permission(id string) (Permission, bool) {
	p, ok := c.byID[id]
	return p, ok
}

// Permissions lists the catalogue in its file order.
func (c *Catalogue) Permissions() []Permission { return c.permissions }

// Role looks up a built-in role.
func (c *Catalogue) Role(id string) (Role, bool) {
	r, ok := c.rolesByID[id]
	return r, ok
}

// Roles lists the built-in roles in file order.
func (c *Catalogue) Roles() []Role { return c.roles }

// Set builds a PermSet from permission ids and names the ids that are not in
// the catalogue.
func (c *Catalogue) Set(ids []string) (PermSet, []string) {
	var s PermSet
	var unknown []string
	for _, id := range ids {
		p, ok := c.byID[id]
		if !ok {
			unknown = append(unknown, id)
			continue
		}
		s.Add(p)
	}
	return s, unknown
}

// IDs lists the permission ids in s, sorted.
func (c *Catalogue) IDs(s PermSet) []string {
	ids := make([]string, 0, s.Len())
	for _, p := range c.permissions {
		if s.Has(p) {
			ids = append(ids, p.ID)
		}
	}
	sort.Strings(ids)
	return ids
}

// Delegable is the set of permissions a partner may ever hold in a customer tenant.
func (c *Catalogue) Delegable() PermSet {
	var s PermSet
	for _, p := range c.permissions {
		if p.Delegable {
			s.Add(p)
		}
	}
	return s
}

package access

import (
	"bytes"
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
	// Application is the application (section of the catalogue) it belongs to.
	Application string
	Delegable   bool
	Scopeable   bool
	// Grantable: it may be granted to a principal on its own (an
	// assignment's permissions), not only through a role — the G of the
	// seeds' matrices. Every permission of an application without such a
	// matrix is grantable.
	Grantable bool
	// Workspace: it applies inside one workspace, and a grant of it is
	// scoped to the application's workspace scope (/workspaces/{id}).
	Workspace bool
	index     uint
}

// Role is a named set of permissions: a built-in role of the catalogue or a
// tenant's custom role.
type Role struct {
	ID          string
	Name        string
	Description string
	Application string
	Perms       PermSet
	BuiltIn     bool
	// DelegatedOnly: only a partner's people hold it (a vendor's roles).
	DelegatedOnly bool
}

// Application is one product's section of the catalogue: its permissions
// and built-in roles.
type Application struct {
	ID, Name, Description string
	// WorkspaceScope is the resource path a workspace-level permission is
	// scoped to, e.g. /workspaces/{id}; "" when the application has none.
	WorkspaceScope string
	Permissions    []string
	Roles          []string
}

// Catalogue is the loaded permission catalogue with its built-in roles.
type Catalogue struct {
	Version      string
	applications []Application
	permissions  []Permission
	byID         map[string]Permission
	roles        []Role
	rolesByID    map[string]Role
}

type catalogueFile struct {
	Version      string `json:"version"`
	Applications []struct {
		ID             string `json:"id"`
		Name           string `json:"name"`
		Description    string `json:"description"`
		WorkspaceScope string `json:"workspaceScope"`
		Permissions    []struct {
			ID          string `json:"id"`
			Description string `json:"description"`
			Delegable   bool   `json:"delegable"`
			Scopeable   bool   `json:"scopeable"`
			Grantable   *bool  `json:"grantable"`
			Workspace   bool   `json:"workspace"`
		} `json:"permissions"`
		Roles []struct {
			ID             string   `json:"id"`
			Name           string   `json:"name"`
			Description    string   `json:"description"`
			AllPermissions bool     `json:"allPermissions"`
			DelegatedOnly  bool     `json:"delegatedOnly"`
			Permissions    []string `json:"permissions"`
		} `json:"roles"`
	} `json:"applications"`
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

// LoadCatalogue parses and checks a catalogue document: applications, each
// with its permissions and roles; ids unique across applications; a role
// may hold permissions of other applications (a partner's helpdesk role
// sees rooms and manages roles).
func LoadCatalogue(data []byte) (*Catalogue, error) {
	var f catalogueFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, err
	}
	c := &Catalogue{Version: f.Version, byID: map[string]Permission{}, rolesByID: map[string]Role{}}
	var all PermSet
	for _, app := range f.Applications {
		if app.ID == "" {
			return nil, fmt.Errorf("an application without an id")
		}
		a := Application{ID: app.ID, Name: app.Name, Description: app.Description, WorkspaceScope: app.WorkspaceScope}
		for _, p := range app.Permissions {
			if !ValidPermissionID(p.ID) {
				return nil, fmt.Errorf("permission %q is not <area>.<action>", p.ID)
			}
			if _, dup := c.byID[p.ID]; dup {
				return nil, fmt.Errorf("permission %q listed twice", p.ID)
			}
			if len(c.permissions) == maxPermissions {
				return nil, fmt.Errorf("more than %d permissions", maxPermissions)
			}
			if p.Workspace && (!p.Scopeable || app.WorkspaceScope == "") {
				return nil, fmt.Errorf("permission %q is workspace-level: it must be scopeable, in an application with a workspace scope", p.ID)
			}
			perm := Permission{ID: p.ID, Description: p.Description, Application: app.ID, Delegable: p.Delegable, Scopeable: p.Scopeable,
				Grantable: p.Grantable == nil || *p.Grantable, Workspace: p.Workspace, index: uint(len(c.permissions))}
			c.permissions = append(c.permissions, perm)
			c.byID[p.ID] = perm
			all.Add(perm)
			a.Permissions = append(a.Permissions, p.ID)
		}
		c.applications = append(c.applications, a)
	}
	for ai, app := range f.Applications {
		for _, r := range app.Roles {
			if _, dup := c.rolesByID[r.ID]; dup {
				return nil, fmt.Errorf("role %q listed twice", r.ID)
			}
			role := Role{ID: r.ID, Name: r.Name, Description: r.Description, Application: app.ID, BuiltIn: true, DelegatedOnly: r.DelegatedOnly}
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
			c.applications[ai].Roles = append(c.applications[ai].Roles, r.ID)
		}
	}
	return c, nil
}

// Applications lists the catalogue's applications in file order.
func (c *Catalogue) Applications() []Application { return c.applications }

// Application looks up an application by id.
func (c *Catalogue) Application(id string) (Application, bool) {
	for _, a := range c.applications {
		if a.ID == id {
			return a, true
		}
	}
	return Application{}, false
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

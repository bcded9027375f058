package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/switchboard/switchboard/internal/access"
)

// Record is one line of the dataset (JSONL): a tenant, a relationship, an
// assignment, or a check with the decision it must get. The format is plain
// so another engine can be fed the same data.
type Record struct {
	Type       string   `json:"type"`
	ID         string   `json:"id,omitempty"`
	MSP        bool     `json:"msp,omitempty"`
	Partner    string   `json:"partner,omitempty"`
	Customer   string   `json:"customer,omitempty"`
	User       string   `json:"user,omitempty"`
	Roles      []string `json:"roles,omitempty"`
	Scope      []string `json:"scope,omitempty"`
	Tenant     string   `json:"tenant,omitempty"`
	Home       string   `json:"home,omitempty"`
	Permission string   `json:"permission,omitempty"`
	Resource   string   `json:"resource,omitempty"`
	Allowed    *bool    `json:"allowed,omitempty"`
}

// Sizes of a generated dataset.
type Sizes struct{ Tenants, Relationships, Assignments, Checks int }

var ceilings = [][]string{{"helpdesk-admin"}, {"helpdesk-admin", "site-lead"}, {"site-technical"}, {"site-lead", "site-technical"}}

// Generate makes a dataset deterministically from seed. Expected decisions
// come from the generator's own model of the rules — role permissions from
// the catalogue data, ceiling, delegability, scope as a path prefix — not
// from the decision code under test.
func Generate(sz Sizes, seed uint64) ([]Record, error) {
	r := rand.New(rand.NewPCG(seed, 99))
	cat := access.Builtin()
	msps := max(1, sz.Tenants/10)
	var out []Record
	var mspIDs, custIDs []string
	for i := 0; i < sz.Tenants; i++ {
		if i < msps {
			id := fmt.Sprintf("msp-%d", i)
			mspIDs = append(mspIDs, id)
			out = append(out, Record{Type: "tenant", ID: id, MSP: true})
		} else {
			id := fmt.Sprintf("cust-%d", i)
			custIDs = append(custIDs, id)
			out = append(out, Record{Type: "tenant", ID: id})
		}
	}
	if len(custIDs) == 0 {
		return nil, fmt.Errorf("no customers: ask for more than %d tenants", sz.Tenants)
	}
	type pair struct{ p, c string }
	rels := map[pair][]string{}
	var pairs []pair
	for len(pairs) < sz.Relationships && len(pairs) < len(mspIDs)*len(custIDs) {
		pr := pair{mspIDs[r.IntN(len(mspIDs))], custIDs[r.IntN(len(custIDs))]}
		if _, dup := rels[pr]; dup {
			continue
		}
		rels[pr] = ceilings[r.IntN(len(ceilings))]
		pairs = append(pairs, pr)
		out = append(out, Record{Type: "relationship", Partner: pr.p, Customer: pr.c, Roles: rels[pr]})
	}
	type grant struct {
		roles []string
		scope string
	}
	grants := map[string][]grant{} // user@partner→customer
	users := map[string][]string{} // partner → users
	var asgs []Record
	for i := 0; i < sz.Assignments && len(pairs) > 0; i++ {
		pr := pairs[r.IntN(len(pairs))]
		user := fmt.Sprintf("u%d", r.IntN(max(1, sz.Assignments/5)))
		role := rels[pr][r.IntN(len(rels[pr]))]
		scope := "*"
		if r.IntN(3) == 0 {
			scope = fmt.Sprintf("/sites/s%d", r.IntN(3))
		}
		out = append(out, Record{Type: "assignment", Partner: pr.p, Customer: pr.c, User: user, Roles: []string{role}, Scope: []string{scope}})
		asgs = append(asgs, out[len(out)-1])
		k := user + "@" + pr.p + ">" + pr.c
		grants[k] = append(grants[k], grant{[]string{role}, scope})
		if !slices.Contains(users[pr.p], user) {
			users[pr.p] = append(users[pr.p], user)
		}
	}
	perms := cat.Permissions()
	for i := 0; i < sz.Checks && len(pairs) > 0; i++ {
		pr := pairs[r.IntN(len(pairs))]
		user := "u0"
		if len(users[pr.p]) > 0 {
			user = users[pr.p][r.IntN(len(users[pr.p]))]
		}
		perm := perms[r.IntN(len(perms))]
		resource := fmt.Sprintf("/sites/s%d/rooms/r%d", r.IntN(4), r.IntN(10))
		if i%2 == 0 && len(asgs) > 0 {
			// Half the checks follow a grant: a permission its role holds,
			// on a resource inside its scope, as a user at work would ask.
			a := asgs[r.IntN(len(asgs))]
			pr, user = pair{a.Partner, a.Customer}, a.User
			role, _ := cat.Role(a.Roles[0])
			var held []access.Permission
			for _, p := range perms {
				if role.Perms.Has(p) {
					held = append(held, p)
				}
			}
			perm = held[r.IntN(len(held))]
			if a.Scope[0] != "*" {
				resource = fmt.Sprintf("%s/rooms/r%d", a.Scope[0], r.IntN(10))
			}
		} else if r.IntN(10) == 0 { // a customer the partner has no relationship with
			pr.c = custIDs[r.IntN(len(custIDs))]
		}
		allowed := false
		ceiling, related := rels[pr]
		for _, g := range grants[user+"@"+pr.p+">"+pr.c] {
			if !related || !perm.Delegable {
				break
			}
			held, inCeiling := false, false
			for _, role := range g.roles {
				rr, _ := cat.Role(role)
				held = held || rr.Perms.Has(perm)
			}
			for _, role := range ceiling {
				rr, _ := cat.Role(role)
				inCeiling = inCeiling || rr.Perms.Has(perm)
			}
			inScope := g.scope == "*" || (perm.Scopeable && strings.HasPrefix(resource, g.scope+"/"))
			allowed = allowed || (held && inCeiling && inScope)
		}
		out = append(out, Record{Type: "check", User: user, Home: pr.p, Tenant: pr.c, Permission: perm.ID, Resource: resource, Allowed: &allowed})
	}
	return out, nil
}

// WriteJSONL writes records one per line.
func WriteJSONL(path string, recs []Record) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer f.Close()
	w := bufio.NewWriter(f)
	enc := json.NewEncoder(w)
	for _, rec := range recs {
		if err := enc.Encode(rec); err != nil {
			return err
		}
	}
	return w.Flush()
}

// ReadJSONL reads a dataset.
func ReadJSONL(path string) ([]Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Record
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			return nil, fmt.Errorf("line %d: %w", len(out)+1, err)
		}
		out = append(out, rec)
	}
	return out, sc.Err()
}

package token

import "github.com/switchboard/switchboard/internal/tenancy"

// Claims are the claims of a switch token as its payload writes them. The
// registered ones follow RFC 9068 (a JWT access token: iss, sub, aud, exp,
// iat, jti, client_id, amr) and RFC 8693 (act); the rest are Switchboard's
// own and never reuse a registered name — the resource scope is
// resource_scope, as OAuth's scope is a space-separated string of OAuth
// scopes that API Gateway and most resource servers read as such.
type Claims struct {
	Issuer    string   `json:"iss"`
	Subject   string   `json:"sub"`
	Audience  string   `json:"aud"`
	Expires   int64    `json:"exp"`
	IssuedAt  int64    `json:"iat"`
	NotBefore int64    `json:"nbf"`
	ID        string   `json:"jti"`
	ClientID  string   `json:"client_id"`
	AMR       []string `json:"amr"`
	Act       Actor    `json:"act"`

	Tenant        string   `json:"tid"`
	Relationship  string   `json:"rel"`
	Roles         []string `json:"roles"`
	ResourceScope []string `json:"resource_scope"`
	Perms         []string `json:"perms"`
	Grants        []Grant  `json:"grants"`
}

// Actor is RFC 8693's act claim: who really acts, from which home tenant.
type Actor struct {
	Subject string `json:"sub"`
	Tenant  string `json:"tid"`
}

// Grant is one grant exactly as it applies: these permissions, through
// these roles, on this resource scope.
type Grant struct {
	Assignment string   `json:"asg"`
	Roles      []string `json:"roles"`
	Perms      []string `json:"perms"`
	Scope      []string `json:"scope"`
}

// ClaimsOf writes a switch token's claims. Times are Unix seconds; nbf is
// iat; absent lists are written as [] so that a verifier reads an array.
func ClaimsOf(t tenancy.SwitchToken) Claims {
	grants := make([]Grant, 0, len(t.Grants))
	for _, g := range t.Grants {
		grants = append(grants, Grant{Assignment: g.Assignment, Roles: list(g.Roles), Perms: list(g.Perms), Scope: list(g.Scope)})
	}
	return Claims{
		Issuer: t.Issuer, Subject: t.Subject, Audience: t.Audience,
		Expires: t.ExpiresAt.Unix(), IssuedAt: t.IssuedAt.Unix(), NotBefore: t.IssuedAt.Unix(),
		ID: t.SessionID, ClientID: t.ClientID, AMR: list(t.AMR),
		Act:    Actor{Subject: t.Actor.User, Tenant: t.Actor.Tenant},
		Tenant: t.Tenant, Relationship: t.RelationshipID, Roles: list(t.Roles), ResourceScope: list(t.Scope),
		Perms: list(t.Permissions), Grants: grants,
	}
}

func list(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

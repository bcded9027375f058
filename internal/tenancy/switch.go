package tenancy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// Minter encodes and signs switch tokens.
type Minter interface {
	Mint(ctx context.Context, t SwitchToken) (string, error)
}

// Switch bounds.
const (
	MaxSwitchLifetime = time.Hour
	maxJustification  = 500
)

// SwitchRequest asks for a session in a customer tenant.
type SwitchRequest struct {
	Tenant        string
	Justification string
	Activate      []string
	// Duration asks for a shorter session than the default hour.
	Duration *time.Duration
}

// TokenGrant is one grant of a switch session: these permissions, through
// these roles, on this scope — exactly, never merged with another.
type TokenGrant struct {
	Assignment string
	Roles      []string
	Perms      []string
	Scope      []string
}

// SwitchToken is what a switch token states; the Minter writes it as claims.
// Grants is exact; Roles is every role involved; Permissions and Scope are a
// conservative summary — the permissions held on every pattern of Scope —
// so a verifier that reads only them can never allow more than check-access
// would.
type SwitchToken struct {
	Issuer, Audience string
	// ClientID is the client that asked for the exchange: the one the
	// caller's identity-provider token names, else DefaultClientID.
	ClientID string
	// Subject is the acting user; Actor the same user with its home tenant.
	Subject        string
	Actor          Actor
	Tenant         string
	RelationshipID string
	Roles          []string
	Scope          []string
	Permissions    []string
	Grants         []TokenGrant
	AMR            []string
	SessionID      string
	IssuedAt       time.Time
	ExpiresAt      time.Time
}

// DefaultClientID is the client_id of a switch token whose caller's token
// named no client.
const DefaultClientID = "switchboard"

// SwitchResult is a minted session.
type SwitchResult struct {
	Token          string
	ExpiresAt      time.Time
	TenantID       string
	RelationshipID string
	SessionID      string
	Roles          []string
	Scope          []string
	Permissions    []string
	Grants         []TokenGrant
	Activated      []string
}

// Switch exchanges the caller's identity-provider token for a short-lived
// switch token in a customer tenant (RFC 8693 token exchange). It decides
// with the same rules as check-access: one read of the partition, one
// transaction for the session, its activations and its events. Eligible
// assignments named in Activate are activated first, with a justification.
func (s *Service) Switch(ctx context.Context, c Caller, in SwitchRequest) (SwitchResult, error) {
	if s.minter == nil {
		return SwitchResult{}, errors.New("no token minter configured")
	}
	if !ValidTenantID(in.Tenant) {
		return SwitchResult{}, invalid("tenantId", "%q is not a tenant id", in.Tenant)
	}
	if in.Tenant == c.Tenant {
		return SwitchResult{}, invalid("tenantId", "%s is your own tenant: switching is into customers", in.Tenant)
	}
	if utf8.RuneCountInString(in.Justification) > maxJustification {
		return SwitchResult{}, invalid("justification", "longer than %d characters", maxJustification)
	}
	if len(in.Activate) > 0 && strings.TrimSpace(in.Justification) == "" {
		return SwitchResult{}, invalid("justification", "activating an eligible assignment needs a justification")
	}
	if n := len(dedupe(in.Activate)); n > MaxActivations {
		return SwitchResult{}, invalid("activate", "%d assignments; one switch activates at most %d (MaxActivations)", n, MaxActivations)
	}
	lifetime := MaxSwitchLifetime
	if in.Duration != nil {
		if *in.Duration < time.Minute || *in.Duration > MaxSwitchLifetime {
			return SwitchResult{}, invalid("duration", "must lie between PT1M and PT1H")
		}
		lifetime = *in.Duration
	}
	// A switch that raced a change to the customer's grants (an assignment
	// removed, the relationship narrowed) committed nothing and handed out
	// nothing: it is decided again on what is stored now, so a busy customer
	// does not turn into 409s for its partner's people.
	for attempt := 1; ; attempt++ {
		res, err := s.switchOnce(ctx, c, in, lifetime)
		if !errors.Is(err, errSwitchRaced) {
			return res, err
		}
		if attempt == switchAttempts {
			return SwitchResult{}, conflict("the relationship or an assignment kept changing during the switch (%d attempts); try again", switchAttempts)
		}
		// A short, jittered pause lets the change that won finish, rather
		// than every raced switch reading again at the same moment.
		select {
		case <-ctx.Done():
			return SwitchResult{}, ctx.Err()
		case <-time.After(time.Duration(attempt) * (5*time.Millisecond + rand.N(20*time.Millisecond))):
		}
	}
}

// switchAttempts bounds how often a switch is decided again after racing a
// change to the grants it was decided on.
const switchAttempts = 4

// errSwitchRaced says a switch's commit found the grants changed since they
// were read: nothing was written.
var errSwitchRaced = errors.New("the grants changed during the switch")

// switchOnce decides and commits one switch on what it reads now.
func (s *Service) switchOnce(ctx context.Context, c Caller, in SwitchRequest, lifetime time.Duration) (SwitchResult, error) {
	now := s.now()
	// Whether the caller may switch at all is read from its home partition
	// while the target's is read: two Queries, one round trip.
	permitted := make(chan error, 1)
	go func() { permitted <- s.maySwitch(ctx, c) }()
	loaded, err := s.partition(ctx, nil, in.Tenant, c.Tenant)
	if perr := <-permitted; perr != nil {
		var refused *DeniedError
		if errors.As(perr, &refused) {
			s.recordDenial(ctx, c, "switch", in.Tenant, refused.Reason)
		}
		return SwitchResult{}, perr
	}
	if err != nil {
		return SwitchResult{}, err
	}
	activated, err := s.activate(c, loaded, in.Activate, now, lifetime)
	if err != nil {
		return SwitchResult{}, err
	}
	p := loaded.compiled
	if len(activated) > 0 {
		raw := loaded.raw
		raw.Activations = append(slices.Clone(raw.Activations), activated...)
		p = s.compile(in.Tenant, c.Tenant, raw)
	}
	eff, reason := access.Evaluate(p, c.Subject(), s.cat, now)
	if reason != access.ReasonAllowed {
		s.recordDenial(ctx, c, "switch", in.Tenant, reason)
		return SwitchResult{}, denied(reason, "no switch into %s", in.Tenant)
	}
	exp := now.Add(lifetime)
	if eff.EndsAt.Before(exp) {
		exp = eff.EndsAt
	}
	sess := Session{ID: s.newID(), TenantID: in.Tenant, HomeTenant: c.Tenant, Actor: c.Actor(), IssuedAt: now}
	roles := []string{}
	for _, g := range eff.Grants {
		if !g.Until.IsZero() && g.Until.Before(exp) {
			exp = g.Until
		}
		if !slices.Contains(sess.RelationshipIDs, g.RelationshipID) {
			sess.RelationshipIDs = append(sess.RelationshipIDs, g.RelationshipID)
		}
		sess.AssignmentIDs = append(sess.AssignmentIDs, g.AssignmentID)
		for _, r := range g.Roles {
			if !slices.Contains(roles, r) {
				roles = append(roles, r)
			}
		}
	}
	grants := s.tokenGrants(eff.Grants)
	sess.ExpiresAt = exp
	held, whole := eff.HeldThroughout()
	perms, scope := s.cat.IDs(held), dedupe(whole.Patterns())
	// The token's times are on the verifiers' clock; its lifetime is the one
	// decided on Switchboard's (they differ only under the local test clock).
	issued := s.tokenNow()
	client := c.Client
	if client == "" {
		client = DefaultClientID
	}
	tok := SwitchToken{Issuer: s.issuer, Audience: s.audience, ClientID: client, Subject: c.User, Actor: c.Actor(), Tenant: in.Tenant,
		RelationshipID: sess.RelationshipIDs[0], Roles: roles, Scope: scope, Permissions: perms, Grants: grants, AMR: c.AMR,
		SessionID: sess.ID, IssuedAt: issued, ExpiresAt: issued.Add(exp.Sub(now))}
	token, err := s.minter.Mint(ctx, tok)
	if err != nil {
		return SwitchResult{}, err
	}
	if len(token) > MaxTokenBytes {
		return SwitchResult{}, invalid("tenantId", "the session would carry %d grants in a token of %d bytes; a switch token holds at most %d (MaxTokenBytes): ask for fewer assignments in %s", len(grants), len(token), MaxTokenBytes, in.Tenant)
	}
	var payloads []events.Payload
	var activatedIDs []string
	for _, act := range activated {
		a := findAssignment(loaded.raw.Assignments, act.AssignmentID)
		activatedIDs = append(activatedIDs, act.AssignmentID)
		payloads = append(payloads, events.AssignmentActivated{Meta: s.meta(actorOf(c), c.RequestID, a.RelationshipID, a.TenantID, a.HomeTenant),
			Assignment: assignmentView(*a), ActiveUntil: act.Until, User: act.User, Justification: in.Justification})
	}
	switched := events.TenantSwitched{Meta: s.meta(actorOf(c), c.RequestID, tok.RelationshipID, in.Tenant, c.Tenant),
		SessionID: sess.ID, TargetTenant: in.Tenant, Roles: roles, Permissions: perms, Scope: scope, ScopePatterns: len(scope), Grants: len(grants),
		ExpiresAt: exp, Justification: in.Justification, Activated: activatedIDs}
	if len(scope) > events.MaxScopeInEvent {
		// The event names the session; the session (and the token) carry
		// the scope in full.
		switched.Scope, switched.ScopeTruncated = scope[:events.MaxScopeInEvent], true
	}
	payloads = append(payloads, switched)
	msgs, err := encode(payloads...)
	if err != nil {
		return SwitchResult{}, err
	}
	// The token leaves only once its session is recorded: a session that
	// failed to commit was never handed out, so there is nothing to revoke.
	if err := s.store.CommitSwitch(ctx, sess, loaded.raw.Epoch, activated, msgs); err != nil {
		if errors.Is(err, ErrConflict) {
			return SwitchResult{}, errSwitchRaced
		}
		return SwitchResult{}, err
	}
	s.publish(ctx, msgs)
	return SwitchResult{Token: token, ExpiresAt: exp, TenantID: in.Tenant, RelationshipID: tok.RelationshipID, SessionID: sess.ID,
		Roles: roles, Scope: scope, Permissions: perms, Grants: grants, Activated: activatedIDs}, nil
}

// PermSwitch is the permission to use the tenant switcher (seed 000): held
// natively in the caller's home tenant — by its admins through global-admin,
// and by whomever a custom role gives it, such as first-line support. It
// decides whether one may switch at all; what one may do after switching is
// decided by one's grants in the target, as for anyone else.
const PermSwitch = "tenants.switch"

// maySwitch refuses the tenant switcher to a caller without tenants.switch
// at home, with reason switch-not-permitted. check-access does not ask it:
// holding grants in a customer is not the same as switching into it.
func (s *Service) maySwitch(ctx context.Context, c Caller) error {
	d, err := s.decide(ctx, nil, c.Subject(), c.Tenant, PermSwitch, "/", s.now())
	if err != nil {
		return err
	}
	if !d.Allowed {
		return denied(access.ReasonSwitchNotPermitted, "%s is required in your home tenant to use the tenant switcher: its admins hold it, and a custom role there can give it to others", PermSwitch)
	}
	return nil
}

// MaxTokenBytes bounds a switch token: it travels in an Authorization
// header, which servers commonly cap at 8–16 KB (Node.js: 16 KB). With the
// scope bytes one principal may hold in a customer (MaxPrincipalScopeBytes,
// written twice: per grant and as the summary) a user's own token stays
// well under it; a user whose groups add more is refused with a 422.
const MaxTokenBytes = 16 << 10

// tokenGrants writes the session's grants for the token, one per scope:
// grants on the same scope are merged (their roles and permissions joined,
// the first assignment named), which keeps the token small whatever the
// number of assignments, and never widens a grant — each permission stays
// on the scope it is held on.
func (s *Service) tokenGrants(gs []access.EffectiveGrant) []TokenGrant {
	var out []TokenGrant
	byScope := map[string]int{}
	perms := map[string]access.PermSet{}
	for _, g := range gs {
		key := strings.Join(g.Scope.Patterns(), "\x00")
		i, ok := byScope[key]
		if !ok {
			i = len(out)
			byScope[key] = i
			out = append(out, TokenGrant{Assignment: g.AssignmentID, Scope: g.Scope.Patterns()})
		}
		for _, r := range g.Roles {
			if !slices.Contains(out[i].Roles, r) {
				out[i].Roles = append(out[i].Roles, r)
			}
		}
		set := perms[key]
		set.Union(g.Perms)
		perms[key] = set
	}
	for key, i := range byScope {
		out[i].Perms = s.cat.IDs(perms[key])
	}
	return out
}

// activate checks just-in-time activations: each named assignment must be
// the caller's own (directly or through a group), eligible, under an active
// relationship; the caller's activation lasts until now + its maximum
// activation, or the session's lifetime if shorter. It is the caller's
// alone: other members of a group keep their own.
func (s *Service) activate(c Caller, loaded *loaded, ids []string, now time.Time, lifetime time.Duration) ([]Activation, error) {
	var out []Activation
	for _, id := range dedupe(ids) {
		a := findAssignment(loaded.raw.Assignments, id)
		if a == nil || !c.is([]string{a.Principal}) {
			return nil, &ValidationError{Field: "activate", Reason: "not an assignment of yours in this tenant", Values: []string{id}}
		}
		if !a.Eligible {
			return nil, &ValidationError{Field: "activate", Reason: "not an eligible assignment: it is always active", Values: []string{id}}
		}
		window := DefaultMaxActivation
		if a.MaxActivation != nil {
			window = time.Duration(*a.MaxActivation)
		}
		window = min(window, lifetime)
		out = append(out, Activation{AssignmentID: a.ID, TenantID: a.TenantID, HomeTenant: a.HomeTenant, User: c.User, Until: now.Add(window)})
	}
	return out, nil
}

func findAssignment(as []Assignment, id string) *Assignment {
	for i := range as {
		if as[i].ID == id {
			return &as[i]
		}
	}
	return nil
}

// revocation answers the SwitchSessionsRevoked events for the live sessions
// under a relationship (only those that used assignmentID, when given, and
// not those in skip): one event per MaxSessionsInEvent sessions, numbered
// Part 1 of Parts; none when there are no such sessions.
func (s *Service) revocation(ctx context.Context, actor events.Actor, requestID string, rel Relationship, assignmentID, reason string, skip []string) ([]events.Payload, []string, error) {
	live, err := s.store.LiveSessions(ctx, rel.ID, s.now())
	if err != nil {
		return nil, nil, err
	}
	var ids []string
	for _, sess := range live {
		if (assignmentID == "" || slices.Contains(sess.AssignmentIDs, assignmentID)) && !slices.Contains(skip, sess.ID) {
			ids = append(ids, sess.ID)
		}
	}
	parts := (len(ids) + events.MaxSessionsInEvent - 1) / events.MaxSessionsInEvent
	var out []events.Payload
	for i := 0; i < parts; i++ {
		chunk := ids[i*events.MaxSessionsInEvent : min(len(ids), (i+1)*events.MaxSessionsInEvent)]
		out = append(out, events.SwitchSessionsRevoked{Meta: s.meta(actor, requestID, rel.ID, rel.PartnerTenant, rel.CustomerTenant),
			SessionIDs: chunk, Reason: reason, AssignmentID: assignmentID, Part: i + 1, Parts: parts})
	}
	return out, ids, nil
}

// revokeSessions records the revocation of the live sessions under a
// relationship (see revocation) as events of their own.
func (s *Service) revokeSessions(ctx context.Context, actor events.Actor, requestID string, rel Relationship, assignmentID, reason string, skip []string) error {
	evs, _, err := s.revocation(ctx, actor, requestID, rel, assignmentID, reason, skip)
	if err != nil || len(evs) == 0 {
		return err
	}
	msgs, err := encode(evs...)
	if err != nil {
		return err
	}
	if err := s.store.RecordEvents(ctx, msgs); err != nil {
		return fmt.Errorf("revoke sessions of %s: %w", rel.ID, err)
	}
	s.publish(ctx, msgs)
	return nil
}

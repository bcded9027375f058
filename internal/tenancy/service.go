package tenancy

import (
	"context"
	"strings"
	"time"

	"github.com/switchboard/switchboard/events"
	"github.com/switchboard/switchboard/internal/access"
)

// Store is what the rules need from persistence.
//
// Versions are the store's. A value read carries the version it was read
// at (the Version fields; a new value carries 0), and a write passes it
// back untouched: the store writes only while the stored item is still at
// that version (for 0: while there is none) and stores the next one, so
// racing writers get exactly one winner and the rest ErrConflict. The
// writes that replace an item answer it as stored, with its new version,
// for a caller that writes it again.
type Store interface {
	// CreateTenant writes the tenant, claims its domain and grants its admins,
	// all or nothing; ErrConflict when the id or the domain is taken.
	CreateTenant(ctx context.Context, t Tenant, admins []Assignment, msgs []events.Message) error
	GetTenant(ctx context.Context, id string) (Tenant, error)
	TenantByDomain(ctx context.Context, domain string) (Tenant, error)

	CreateInvitation(ctx context.Context, inv Invitation, msgs []events.Message) error
	GetInvitation(ctx context.Context, id string) (Invitation, error)
	// ListInvitations lists a tenant's invitations, newest first; direction is
	// "incoming" or "outgoing", status "" for all.
	ListInvitations(ctx context.Context, tenant, direction, status string, page Page) (List[Invitation], error)
	// UpdateInvitation replaces the invitation read at inv.Version.
	UpdateInvitation(ctx context.Context, inv Invitation, msgs []events.Message) (Invitation, error)
	// AcceptInvitation replaces the invitation read at inv.Version by the
	// accepted one and creates the relationship, in one transaction.
	AcceptInvitation(ctx context.Context, inv Invitation, rel Relationship, msgs []events.Message) error

	GetRelationship(ctx context.Context, id string) (Relationship, error)
	ListRelationships(ctx context.Context, tenant, side string, page Page) (List[Relationship], error)
	// UpdateRelationship replaces the relationship read at rel.Version.
	UpdateRelationship(ctx context.Context, rel Relationship, msgs []events.Message) (Relationship, error)

	// CreateAssignment writes a new assignment; a delegated one only while its
	// relationship is still active (ErrConflict otherwise).
	CreateAssignment(ctx context.Context, a Assignment, msgs []events.Message) error
	// CreateDelegatedAssignment writes a delegated assignment only while its
	// relationship is active and still at relVersion, the version it was
	// checked against (ErrConflict otherwise).
	CreateDelegatedAssignment(ctx context.Context, a Assignment, relVersion int, msgs []events.Message) error
	GetAssignment(ctx context.Context, tenant, home, id string) (Assignment, error)
	// ListAssignments lists the assignments of home's principals in tenant,
	// only those under relationshipID when it is not empty.
	ListAssignments(ctx context.Context, tenant, home, relationshipID string, page Page) (List[Assignment], error)
	// RemoveAssignment deletes one assignment with its events; ErrNotFound
	// when it is gone already.
	RemoveAssignment(ctx context.Context, a Assignment, msgs []events.Message) error
	// DeleteAssignments sweeps assignments away (an ended relationship's).
	DeleteAssignments(ctx context.Context, tenant, home string, ids []string) error

	// SaveRole creates a custom role (role.Version 0) or replaces the one
	// read at role.Version.
	SaveRole(ctx context.Context, role CustomRole, msgs []events.Message) (CustomRole, error)
	ListRoles(ctx context.Context, tenant, definedBy string) ([]CustomRole, error)
	// ListPartnerRoles answers the roles every partner defined in tenant.
	ListPartnerRoles(ctx context.Context, tenant string) ([]CustomRole, error)

	// LoadPartition reads everything that decides (tenant, home) in one request.
	LoadPartition(ctx context.Context, tenant, home string) (Partition, error)

	// DueInvitations answers pending invitations whose expiry has come.
	DueInvitations(ctx context.Context, now time.Time, limit int) ([]Invitation, error)
	// DueRelationships answers relationships whose ReviewAt has come.
	DueRelationships(ctx context.Context, now time.Time, limit int) ([]Relationship, error)
	ListAudit(ctx context.Context, tenant string, f AuditFilter, page Page) (List[AuditRecord], error)
	webhookStore
	templateStore
	organizationStore
	denialStore
	changeStore

	// CommitSwitch writes a switch session, the activations it made and its
	// events, while the relationships it uses are active, the partition's
	// epoch is still the one the switch read (no grant removed meanwhile)
	// and every activated assignment still exists.
	CommitSwitch(ctx context.Context, sess Session, epoch int, activations []Activation, msgs []events.Message) error
	// LiveSessions answers the unexpired sessions under a relationship.
	LiveSessions(ctx context.Context, relationshipID string, now time.Time) ([]Session, error)
	// RecordEvents writes events that follow no change of their own.
	RecordEvents(ctx context.Context, msgs []events.Message) error
	// SwitchTargets answers a page of the customers in which principals (a
	// user and its groups, of tenant home) hold delegated grants, by
	// customer id, each with the partition that decides it there.
	SwitchTargets(ctx context.Context, home string, principals []string, page Page) (List[Target], error)
	// PrincipalGrants answers the delegated assignments one principal of
	// home holds in tenant.
	PrincipalGrants(ctx context.Context, tenant, home, principal string) ([]Assignment, error)
}

// Config wires a Service.
type Config struct {
	Store Store
	// Now is the clock; the local stack's can be moved forward.
	Now func() time.Time
	// NewID returns a fresh unique id.
	NewID func() string
	// OperatorTenant is the platform operator's tenant id.
	OperatorTenant string
	Catalogue      *access.Catalogue
	// Publisher sends events after their change commits; nil leaves them in
	// the outbox for the cleanup sweep.
	Publisher Publisher
	// AllowHTTPWebhooks accepts plain-http webhook URLs (the local stack's
	// loopback receivers); deployed stacks require https.
	AllowHTTPWebhooks bool
	// Minter signs switch tokens; TokenIssuer and TokenAudience are their
	// iss and aud; TokenNow is the verifiers' clock for their iat and exp
	// (Now when nil; the local stack's test clock is Switchboard's alone).
	Minter        Minter
	TokenNow      func() time.Time
	TokenIssuer   string
	TokenAudience string
	// OffboardBudget bounds the time a request that ends a relationship
	// spends removing its assignments (DefaultOffboardBudget when zero).
	OffboardBudget time.Duration
}

// Service applies the rules.
type Service struct {
	store    Store
	now      func() time.Time
	newID    func() string
	operator string
	cat      *access.Catalogue
	pub      Publisher
	// allowHTTPWebhooks: see Config.
	allowHTTPWebhooks bool
	minter            Minter
	tokenNow          func() time.Time
	issuer, audience  string
	offboardBudget    time.Duration
}

// New builds a Service; a nil Catalogue means the embedded one.
func New(cfg Config) *Service {
	cat := cfg.Catalogue
	if cat == nil {
		cat = access.Builtin()
	}
	s := &Service{store: cfg.Store, now: func() time.Time { return cfg.Now().UTC() }, newID: cfg.NewID, operator: cfg.OperatorTenant, cat: cat, pub: cfg.Publisher, allowHTTPWebhooks: cfg.AllowHTTPWebhooks,
		minter: cfg.Minter, issuer: cfg.TokenIssuer, audience: cfg.TokenAudience, tokenNow: cfg.TokenNow}
	if s.tokenNow == nil {
		s.tokenNow = s.now
	}
	s.offboardBudget = cfg.OffboardBudget
	if s.offboardBudget <= 0 {
		s.offboardBudget = DefaultOffboardBudget
	}
	return s
}

// Catalogue answers the permission catalogue the service decides with.
func (s *Service) Catalogue() *access.Catalogue { return s.cat }

// Caller is the authenticated principal of a request, as the identity
// provider's token says.
type Caller struct {
	User   string
	Tenant string
	Groups []string
	AMR    []string
	// Client is the OAuth client the identity-provider token was issued to
	// (its client_id or azp), "" when it names none.
	Client    string
	RequestID string
}

// MFA reports whether the caller authenticated with more than one factor.
func (c Caller) MFA() bool {
	for _, m := range c.AMR {
		if m == "mfa" {
			return true
		}
	}
	return false
}

// Subject is the caller as the decision sees it.
func (c Caller) Subject() access.Subject {
	return access.Subject{Home: c.Tenant, User: c.User, Groups: c.Groups, MFA: c.MFA()}
}

// Actor names the caller in records.
func (c Caller) Actor() Actor { return Actor{User: c.User, Tenant: c.Tenant} }

// IsOperator reports whether the caller belongs to the platform operator.
func (s *Service) IsOperator(c Caller) bool { return s.operator != "" && c.Tenant == s.operator }

// is reports whether the caller is named by one of the principals, directly or
// through a group.
func (c Caller) is(principals []string) bool {
	for _, p := range principals {
		kind, id, _ := strings.Cut(p, ":")
		switch {
		case kind == access.KindUser && id == c.User:
			return true
		case kind == access.KindGroup:
			for _, g := range c.Groups {
				if g == id {
					return true
				}
			}
		}
	}
	return false
}

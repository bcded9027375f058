package httpapi

import (
	"context"
	"net/http"
	"regexp"
	"slices"
	"time"

	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Relationships that change after acceptance: the customer narrows
// (PATCH), the partner asks for more (change requests), and the aggregated
// view filters by status, role and end.

type narrowBody struct {
	Roles []string `json:"roles"`
	Scope []string `json:"scope"`
}

type changeRequestBody struct {
	Roles      []string `json:"roles"`
	Scope      []string `json:"scope"`
	Duration   *string  `json:"duration"`
	AutoExtend *string  `json:"autoExtend"`
	ExpiresIn  *string  `json:"expiresIn"`
}

type approvalBody struct {
	Roles []string `json:"roles"`
	Scope []string `json:"scope"`
}

// roleIDPattern is the shape of a role id (built-in or custom).
var roleIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,62}$`)

// relationshipStates are the values of GET /relationships?status=.
var relationshipStates = []string{tenancy.RelationshipActive, tenancy.RelationshipTerminated, tenancy.RelationshipExpired}

// relationshipFilter reads GET /relationships' filters; a bad value is 400
// naming the parameter.
func relationshipFilter(q map[string]string) (tenancy.RelationshipFilter, error) {
	var f tenancy.RelationshipFilter
	if v, ok := q["status"]; ok {
		if !slices.Contains(relationshipStates, v) {
			return f, badRequest("status", "status must be active, terminated or expired, not %q", v)
		}
		f.Status = v
	}
	if v, ok := q["role"]; ok {
		if !roleIDPattern.MatchString(v) {
			return f, badRequest("role", "role must be a role id such as helpdesk-admin, not %q", v)
		}
		f.Role = v
	}
	if v, ok := q["endsWithin"]; ok {
		d, err := period.Parse(v)
		if err != nil || d <= 0 {
			return f, badRequest("endsWithin", "endsWithin must be a positive ISO 8601 duration such as P30D, not %q", v)
		}
		f.EndsWithin = &d
	}
	return f, nil
}

func (h *Handler) narrowRelationship(ctx context.Context, r request) (int, any, error) {
	var b narrowBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	rel, err := h.svc.NarrowRelationship(ctx, r.caller, r.path["id"], tenancy.Narrowing{Roles: b.Roles, Scope: b.Scope})
	return http.StatusOK, viewRelationship(rel), err
}

func (h *Handler) requestChange(ctx context.Context, r request) (int, any, error) {
	var b changeRequestBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	d, err := durations(map[string]*string{"duration": b.Duration, "autoExtend": b.AutoExtend, "expiresIn": b.ExpiresIn})
	if err != nil {
		return 0, nil, err
	}
	cr, err := h.svc.RequestChange(ctx, r.caller, r.path["id"], tenancy.NewChangeRequest{Roles: b.Roles, Scope: b.Scope,
		Duration: d["duration"], AutoExtend: d["autoExtend"], ExpiresIn: d["expiresIn"]})
	return http.StatusCreated, viewChangeRequest(cr), err
}

func (h *Handler) listChangeRequests(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.ListChangeRequests(ctx, r.caller, r.path["id"], p)
	return http.StatusOK, viewPage(l, viewChangeRequest), err
}

// approvedView is an approval's answer: the change request and the
// relationship as it widened.
type approvedView struct {
	changeRequestView
	Relationship relationshipView `json:"relationship"`
}

func (h *Handler) approveChange(ctx context.Context, r request) (int, any, error) {
	var b approvalBody
	if err := decode(r.body, &b, true); err != nil {
		return 0, nil, err
	}
	cr, rel, err := h.svc.ApproveChange(ctx, r.caller, r.path["id"], r.path["crId"], tenancy.Approval{Roles: b.Roles, Scope: b.Scope})
	return http.StatusOK, approvedView{changeRequestView: viewChangeRequest(cr), Relationship: viewRelationship(rel)}, err
}

func (h *Handler) declineChange(ctx context.Context, r request) (int, any, error) {
	var b struct{}
	if err := decode(r.body, &b, true); err != nil {
		return 0, nil, err
	}
	cr, err := h.svc.DeclineChange(ctx, r.caller, r.path["id"], r.path["crId"])
	return http.StatusOK, viewChangeRequest(cr), err
}

type changeRequestView struct {
	ID             string           `json:"id"`
	RelationshipID string           `json:"relationshipId"`
	PartnerTenant  string           `json:"partnerTenantId"`
	CustomerTenant string           `json:"customerTenantId"`
	Status         string           `json:"status"`
	Roles          list[string]     `json:"roles"`
	Scope          list[string]     `json:"scope"`
	Duration       *period.Duration `json:"duration,omitempty"`
	AutoExtend     *period.Duration `json:"autoExtend,omitempty"`
	ApprovedRoles  list[string]     `json:"approvedRoles"`
	ApprovedScope  list[string]     `json:"approvedScope"`
	ExpiresAt      time.Time        `json:"expiresAt"`
	CreatedAt      time.Time        `json:"createdAt"`
	CreatedBy      actorView        `json:"createdBy"`
	UpdatedAt      time.Time        `json:"updatedAt"`
	AnsweredBy     *actorView       `json:"answeredBy,omitempty"`
}

func viewChangeRequest(cr tenancy.ChangeRequest) changeRequestView {
	v := changeRequestView{ID: cr.ID, RelationshipID: cr.RelationshipID, PartnerTenant: cr.PartnerTenant, CustomerTenant: cr.CustomerTenant,
		Status: cr.Status, Roles: cr.Roles, Scope: cr.Scope, Duration: cr.Duration, AutoExtend: cr.AutoExtend, ApprovedRoles: cr.ApprovedRoles,
		ApprovedScope: cr.ApprovedScope, ExpiresAt: cr.ExpiresAt, CreatedAt: cr.CreatedAt, CreatedBy: viewActor(cr.CreatedBy), UpdatedAt: cr.UpdatedAt}
	if cr.AnsweredBy != nil {
		by := viewActor(*cr.AnsweredBy)
		v.AnsweredBy = &by
	}
	return v
}

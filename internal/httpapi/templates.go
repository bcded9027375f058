package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Invitation templates and batch invitations: the bodies, operations and
// views of POST/GET /tenants/{tenantId}/invitation-templates and POST
// /invitations/batch, and what an acceptance answers of the mappings.

type groupMappingBody struct {
	Principal string   `json:"principal"`
	Roles     []string `json:"roles"`
	Scope     []string `json:"scope"`
}

type templateBody struct {
	ID            string             `json:"id"`
	Name          string             `json:"name"`
	Roles         []string           `json:"roles"`
	Scope         []string           `json:"scope"`
	Duration      *string            `json:"duration"`
	AutoExtend    *string            `json:"autoExtend"`
	RequireMFA    bool               `json:"requireMfa"`
	GroupMappings []groupMappingBody `json:"groupMappings"`
}

type batchBody struct {
	Template  string      `json:"template"`
	To        []tenantRef `json:"to"`
	ExpiresIn *string     `json:"expiresIn"`
}

func (h *Handler) saveTemplate(ctx context.Context, r request) (int, any, error) {
	var b templateBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	d, err := durations(map[string]*string{"duration": b.Duration, "autoExtend": b.AutoExtend})
	if err != nil {
		return 0, nil, err
	}
	in := tenancy.NewTemplate{ID: b.ID, Name: b.Name, Roles: b.Roles, Scope: b.Scope, Duration: d["duration"], AutoExtend: d["autoExtend"], RequireMFA: b.RequireMFA}
	for _, m := range b.GroupMappings {
		in.GroupMappings = append(in.GroupMappings, tenancy.GroupMapping{Principal: m.Principal, Roles: m.Roles, Scope: m.Scope})
	}
	tpl, created, err := h.svc.SaveTemplate(ctx, r.caller, r.path["tenantId"], in)
	if !created {
		return http.StatusOK, viewTemplate(tpl), err
	}
	return http.StatusCreated, viewTemplate(tpl), err
}

func (h *Handler) listTemplates(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.ListTemplates(ctx, r.caller, r.path["tenantId"], p)
	return http.StatusOK, viewPage(l, viewTemplate), err
}

// inviteBatch answers 200 with one result per customer, in the order asked:
// 201 and the invitation's id when it was sent, 200 and the id of the one
// from the template still pending there (nothing new sent), or the problem
// that refused that entry alone.
func (h *Handler) inviteBatch(ctx context.Context, r request) (int, any, error) {
	var b batchBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	d, err := durations(map[string]*string{"expiresIn": b.ExpiresIn})
	if err != nil {
		return 0, nil, err
	}
	in := tenancy.BatchInvitation{Template: b.Template, ExpiresIn: d["expiresIn"]}
	for _, t := range b.To {
		in.To = append(in.To, tenancy.InviteeRef{TenantID: t.TenantID, Domain: t.Domain})
	}
	res, err := h.svc.InviteBatch(ctx, r.caller, in)
	if err != nil {
		return 0, nil, err
	}
	out := batchView{TemplateID: b.Template, Results: make(list[batchResultView], len(res))}
	for i, x := range res {
		v := batchResultView{Index: i, To: toView{TenantID: x.To.TenantID, Domain: x.To.Domain}}
		switch {
		case x.Err != nil:
			p := problemFor(x.Err, r.caller.RequestID, h.log)
			v.Status, v.Error = p.Status, &entryProblem{Type: p.Type, Title: p.Title, Status: p.Status, Detail: p.Detail, Field: p.Field, Values: p.Values}
			out.Failed++
		case x.Existing:
			v.Status, v.Result = http.StatusOK, "pending"
			out.Pending++
		default:
			v.Status, v.Result = http.StatusCreated, "created"
			out.Created++
		}
		if x.Err == nil {
			v.InvitationID, v.ToTenantID, v.ExpiresAt = x.Invitation.ID, x.Invitation.ToTenant, &x.Invitation.ExpiresAt
		}
		out.Results[i] = v
	}
	return http.StatusOK, out, nil
}

type groupMappingView struct {
	Principal string       `json:"principal"`
	Roles     list[string] `json:"roles"`
	Scope     list[string] `json:"scope,omitempty"`
}

func viewGroupMapping(m tenancy.GroupMapping) groupMappingView {
	return groupMappingView{Principal: m.Principal, Roles: m.Roles, Scope: m.Scope}
}

type templateView struct {
	ID            string                 `json:"id"`
	TenantID      string                 `json:"tenantId"`
	Name          string                 `json:"name"`
	Roles         list[string]           `json:"roles"`
	Scope         list[string]           `json:"scope"`
	Duration      period.Duration        `json:"duration"`
	AutoExtend    *period.Duration       `json:"autoExtend,omitempty"`
	RequireMFA    bool                   `json:"requireMfa"`
	GroupMappings list[groupMappingView] `json:"groupMappings"`
	CreatedAt     time.Time              `json:"createdAt"`
	UpdatedAt     time.Time              `json:"updatedAt"`
	UpdatedBy     actorView              `json:"updatedBy"`
}

func viewTemplate(t tenancy.InvitationTemplate) templateView {
	return templateView{ID: t.ID, TenantID: t.TenantID, Name: t.Name, Roles: t.Roles, Scope: t.Scope, Duration: t.Duration, AutoExtend: t.AutoExtend,
		RequireMFA: t.RequireMFA, GroupMappings: each(t.GroupMappings, viewGroupMapping), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt,
		UpdatedBy: viewActor(t.UpdatedBy)}
}

type toView struct {
	TenantID string `json:"tenantId,omitempty"`
	Domain   string `json:"domain,omitempty"`
}

// entryProblem is a batch entry's refusal, in the shape of a problem
// document.
type entryProblem struct {
	Type   string       `json:"type"`
	Title  string       `json:"title"`
	Status int          `json:"status"`
	Detail string       `json:"detail,omitempty"`
	Field  string       `json:"field,omitempty"`
	Values list[string] `json:"values,omitempty"`
}

type batchResultView struct {
	Index        int           `json:"index"`
	To           toView        `json:"to"`
	Status       int           `json:"status"`
	Result       string        `json:"result,omitempty"`
	InvitationID string        `json:"invitationId,omitempty"`
	ToTenantID   string        `json:"toTenantId,omitempty"`
	ExpiresAt    *time.Time    `json:"expiresAt,omitempty"`
	Error        *entryProblem `json:"error,omitempty"`
}

type batchView struct {
	TemplateID string                `json:"templateId"`
	Created    int                   `json:"created"`
	Pending    int                   `json:"pending"`
	Failed     int                   `json:"failed"`
	Results    list[batchResultView] `json:"results"`
}

type skippedMappingView struct {
	Principal string       `json:"principal"`
	Roles     list[string] `json:"roles"`
	Reason    string       `json:"reason"`
	Detail    string       `json:"detail"`
}

func viewSkippedMapping(s tenancy.SkippedMapping) skippedMappingView {
	return skippedMappingView{Principal: s.Principal, Roles: s.Roles, Reason: s.Reason, Detail: s.Detail}
}

// acceptedView is the relationship an acceptance made and, for an
// invitation from a template, the assignments its mappings created and the
// mappings skipped.
type acceptedView struct {
	relationshipView
	MappedAssignments list[assignmentView]     `json:"mappedAssignments,omitempty"`
	SkippedMappings   list[skippedMappingView] `json:"skippedMappings,omitempty"`
}

func viewAccepted(a tenancy.Accepted) acceptedView {
	return acceptedView{relationshipView: viewRelationship(a.Relationship), MappedAssignments: each(a.Assignments, viewAssignment),
		SkippedMappings: each(a.Skipped, viewSkippedMapping)}
}

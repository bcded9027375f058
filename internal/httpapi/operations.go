package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/switchboard/switchboard/internal/period"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Request bodies. Unknown fields are refused, so every field is declared here.

type tenantBody struct {
	ID     string   `json:"id"`
	Name   string   `json:"name"`
	Domain string   `json:"domain"`
	MSP    bool     `json:"msp"`
	Admins []string `json:"admins"`
	// Workspaces and ServiceAdmins set the tenant up for Services Hub.
	Workspaces    []string `json:"workspaces"`
	ServiceAdmins []string `json:"serviceAdmins"`
}

type tenantRef struct {
	TenantID string `json:"tenantId"`
	Domain   string `json:"domain"`
}

// fromRef names the tenant the operator invites on behalf of: by id only.
type fromRef struct {
	TenantID string `json:"tenantId"`
}

type invitationBody struct {
	From       *fromRef   `json:"from"`
	To         *tenantRef `json:"to"`
	Kind       string     `json:"kind"`
	As         string     `json:"as"`
	Roles      []string   `json:"roles"`
	Scope      []string   `json:"scope"`
	Duration   *string    `json:"duration"`
	AutoExtend *string    `json:"autoExtend"`
	RequireMFA bool       `json:"requireMfa"`
	ExpiresIn  *string    `json:"expiresIn"`
	Template   string     `json:"template"`
}

type acceptBody struct {
	PrimaryAdmins []string `json:"primaryAdmins"`
	Roles         []string `json:"roles"`
	Scope         []string `json:"scope"`
}

type assignmentBody struct {
	Principal     string   `json:"principal"`
	Roles         []string `json:"roles"`
	Permissions   []string `json:"permissions"`
	Scope         []string `json:"scope"`
	Eligible      bool     `json:"eligible"`
	MaxActivation *string  `json:"maxActivation"`
}

type roleBody struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Permissions []string `json:"permissions"`
}

type checkPrincipalBody struct {
	ID       string   `json:"id"`
	TenantID string   `json:"tenantId"`
	Groups   []string `json:"groups"`
	MFA      bool     `json:"mfa"`
}

type checkBody struct {
	TenantID   string              `json:"tenantId"`
	Permission string              `json:"permission"`
	Resource   string              `json:"resource"`
	Principal  *checkPrincipalBody `json:"principal"`
}

type checkRequestBody struct {
	checkBody
	Checks []checkBody `json:"checks"`
}

// durations parses optional ISO 8601 fields, naming the field that is wrong.
func durations(fields map[string]*string) (map[string]*time.Duration, error) {
	out := make(map[string]*time.Duration, len(fields))
	for name, v := range fields {
		if v == nil {
			continue
		}
		d, err := period.Parse(*v)
		if err != nil {
			return nil, badRequest(name, "%s: %v", name, err)
		}
		out[name] = &d
	}
	return out, nil
}

func (h *Handler) createTenant(ctx context.Context, r request) (int, any, error) {
	var b tenantBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	t, err := h.svc.CreateTenant(ctx, r.caller, tenancy.NewTenant{ID: b.ID, Name: b.Name, Domain: b.Domain, MSP: b.MSP, Admins: b.Admins,
		Workspaces: b.Workspaces, ServiceAdmins: b.ServiceAdmins})
	return http.StatusCreated, viewTenant(t), err
}

func (h *Handler) getTenant(ctx context.Context, r request) (int, any, error) {
	t, err := h.svc.GetTenant(ctx, r.caller, r.path["tenantId"])
	return http.StatusOK, viewTenant(t), err
}

func (h *Handler) createInvitation(ctx context.Context, r request) (int, any, error) {
	var b invitationBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	if b.To == nil {
		return 0, nil, badRequest("to", "to is required: {\"tenantId\": …} or {\"domain\": …}")
	}
	d, err := durations(map[string]*string{"duration": b.Duration, "autoExtend": b.AutoExtend, "expiresIn": b.ExpiresIn})
	if err != nil {
		return 0, nil, err
	}
	in := tenancy.NewInvitation{ToTenant: b.To.TenantID, ToDomain: b.To.Domain, Kind: b.Kind, As: b.As, Roles: b.Roles, Scope: b.Scope,
		Duration: d["duration"], AutoExtend: d["autoExtend"], RequireMFA: b.RequireMFA, ExpiresIn: d["expiresIn"], Template: b.Template}
	if b.From != nil {
		if b.From.TenantID == "" {
			return 0, nil, badRequest("from.tenantId", "from names the tenant invited on behalf of: {\"tenantId\": …}")
		}
		in.FromTenant = b.From.TenantID
	}
	inv, err := h.svc.CreateInvitation(ctx, r.caller, in)
	return http.StatusCreated, viewInvitation(inv), err
}

func (h *Handler) listInvitations(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.ListInvitations(ctx, r.caller, r.query["direction"], r.query["status"], p)
	return http.StatusOK, viewPage(l, viewInvitation), err
}

func (h *Handler) acceptInvitation(ctx context.Context, r request) (int, any, error) {
	var b acceptBody
	if err := decode(r.body, &b, true); err != nil {
		return 0, nil, err
	}
	acc, err := h.svc.Accept(ctx, r.caller, r.path["id"], tenancy.Acceptance{PrimaryAdmins: b.PrimaryAdmins, Roles: b.Roles, Scope: b.Scope})
	return http.StatusCreated, viewAccepted(acc), err
}

func (h *Handler) declineInvitation(ctx context.Context, r request) (int, any, error) {
	var b struct{}
	if err := decode(r.body, &b, true); err != nil {
		return 0, nil, err
	}
	inv, err := h.svc.DeclineInvitation(ctx, r.caller, r.path["id"])
	return http.StatusOK, viewInvitation(inv), err
}

func (h *Handler) cancelInvitation(ctx context.Context, r request) (int, any, error) {
	_, err := h.svc.CancelInvitation(ctx, r.caller, r.path["id"])
	return http.StatusNoContent, nil, err
}

func (h *Handler) listRelationships(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	f, err := relationshipFilter(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.FindRelationships(ctx, r.caller, r.query["side"], f, p)
	return http.StatusOK, viewPage(l, viewRelationship), err
}

func (h *Handler) getRelationship(ctx context.Context, r request) (int, any, error) {
	rel, err := h.svc.GetRelationship(ctx, r.caller, r.path["id"])
	return http.StatusOK, viewRelationship(rel), err
}

func (h *Handler) terminateRelationship(ctx context.Context, r request) (int, any, error) {
	_, err := h.svc.TerminateRelationship(ctx, r.caller, r.path["id"])
	return http.StatusNoContent, nil, err
}

// decodeAssignment reads an assignment body, native or delegated.
func decodeAssignment(body []byte) (tenancy.NewAssignment, error) {
	var b assignmentBody
	if err := decode(body, &b, false); err != nil {
		return tenancy.NewAssignment{}, err
	}
	d, err := durations(map[string]*string{"maxActivation": b.MaxActivation})
	return tenancy.NewAssignment{Principal: b.Principal, Roles: b.Roles, Permissions: b.Permissions, Scope: b.Scope, Eligible: b.Eligible, MaxActivation: d["maxActivation"]}, err
}

func (h *Handler) assignDelegated(ctx context.Context, r request) (int, any, error) {
	in, err := decodeAssignment(r.body)
	if err != nil {
		return 0, nil, err
	}
	a, err := h.svc.AssignDelegated(ctx, r.caller, r.path["id"], in)
	return http.StatusCreated, viewAssignment(a), err
}

func (h *Handler) listRelationshipAssignments(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.ListRelationshipAssignments(ctx, r.caller, r.path["id"], p)
	return http.StatusOK, viewPage(l, viewAssignment), err
}

func (h *Handler) removeDelegated(ctx context.Context, r request) (int, any, error) {
	err := h.svc.RemoveDelegated(ctx, r.caller, r.path["id"], r.path["assignmentId"])
	return http.StatusNoContent, nil, err
}

func (h *Handler) saveRole(ctx context.Context, r request) (int, any, error) {
	var b roleBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	role, created, err := h.svc.SaveRole(ctx, r.caller, r.path["tenantId"], tenancy.NewRole{ID: b.ID, Name: b.Name, Description: b.Description, Permissions: b.Permissions})
	if !created {
		return http.StatusOK, viewRole(role), err
	}
	return http.StatusCreated, viewRole(role), err
}

func (h *Handler) listRoles(ctx context.Context, r request) (int, any, error) {
	roles, err := h.svc.ListRoles(ctx, r.caller, r.path["tenantId"])
	return http.StatusOK, viewAll(roles, viewRole), err
}

func (h *Handler) assignNative(ctx context.Context, r request) (int, any, error) {
	in, err := decodeAssignment(r.body)
	if err != nil {
		return 0, nil, err
	}
	a, err := h.svc.AssignNative(ctx, r.caller, r.path["tenantId"], in)
	return http.StatusCreated, viewAssignment(a), err
}

func (h *Handler) removeNative(ctx context.Context, r request) (int, any, error) {
	err := h.svc.RemoveNative(ctx, r.caller, r.path["tenantId"], r.path["assignmentId"])
	return http.StatusNoContent, nil, err
}

func (h *Handler) listAudit(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	var f tenancy.AuditFilter
	for name, dst := range map[string]*time.Time{"from": &f.From, "to": &f.To} {
		if v, ok := r.query[name]; ok {
			if *dst, err = time.Parse(time.RFC3339, v); err != nil {
				return 0, nil, badRequest(name, "%s must be an RFC 3339 time such as 2026-11-21T00:00:00Z", name)
			}
		}
	}
	f.ActorTenant = r.query["actorTenant"]
	l, err := h.svc.ListAudit(ctx, r.caller, r.path["tenantId"], f, p)
	return http.StatusOK, viewPage(l, viewAuditRecord), err
}

type webhookBody struct {
	URL        string   `json:"url"`
	EventTypes []string `json:"eventTypes"`
}

func (h *Handler) createWebhook(ctx context.Context, r request) (int, any, error) {
	var b webhookBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	w, err := h.svc.CreateWebhook(ctx, r.caller, r.path["tenantId"], tenancy.NewWebhook{URL: b.URL, EventTypes: b.EventTypes})
	return http.StatusCreated, viewWebhook(w), err
}

func (h *Handler) listWebhooks(ctx context.Context, r request) (int, any, error) {
	ws, err := h.svc.ListWebhooks(ctx, r.caller, r.path["tenantId"])
	return http.StatusOK, viewAll(ws, viewWebhook), err
}

func (h *Handler) deleteWebhook(ctx context.Context, r request) (int, any, error) {
	return http.StatusNoContent, nil, h.svc.DeleteWebhook(ctx, r.caller, r.path["tenantId"], r.path["webhookId"])
}

func (h *Handler) listWebhookDeliveries(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.ListWebhookDeliveries(ctx, r.caller, r.path["tenantId"], r.path["webhookId"], p)
	return http.StatusOK, viewPage(l, viewWebhookDelivery), err
}

type switchBody struct {
	TenantID      string   `json:"tenantId"`
	Justification string   `json:"justification"`
	Activate      []string `json:"activate"`
	Duration      *string  `json:"duration"`
}

func (h *Handler) switchTargets(ctx context.Context, r request) (int, any, error) {
	p, err := page(r.query)
	if err != nil {
		return 0, nil, err
	}
	l, err := h.svc.SwitchTargets(ctx, r.caller, p)
	return http.StatusOK, viewSwitchTargets(l), err
}

func (h *Handler) switchTenant(ctx context.Context, r request) (int, any, error) {
	var b switchBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	d, err := durations(map[string]*string{"duration": b.Duration})
	if err != nil {
		return 0, nil, err
	}
	res, err := h.svc.Switch(ctx, r.caller, tenancy.SwitchRequest{Tenant: b.TenantID, Justification: b.Justification, Activate: b.Activate, Duration: d["duration"]})
	return http.StatusOK, viewSwitchResult(res), err
}

func (h *Handler) jwks(ctx context.Context, r request) (int, any, error) {
	if h.keys == nil {
		return 0, nil, fmt.Errorf("the switch function has no key set")
	}
	set, err := h.keys.JWKS(ctx)
	// Verifiers may cache the keys for five minutes: during a rollover the old
	// key stays published while its tokens live, and a verifier meeting a kid
	// it does not know fetches the set again.
	return http.StatusOK, cacheable{body: set, maxAge: 5 * time.Minute}, err
}

type organizationBody struct {
	Name     string                `json:"name"`
	Template *organizationTemplate `json:"template"`
}

type tenantIDBody struct {
	TenantID string `json:"tenantId"`
}

type joinBody struct {
	OwnerTenantID string `json:"ownerTenantId"`
}

func (h *Handler) createOrganization(ctx context.Context, r request) (int, any, error) {
	var b organizationBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	in := tenancy.NewOrganization{Name: b.Name}
	if t := b.Template; t != nil {
		in.Template = &tenancy.OrganizationTemplate{AutoRedeem: t.AutoRedeem, AllowSyncIn: t.AllowSyncIn}
	}
	org, err := h.svc.CreateOrganization(ctx, r.caller, in)
	return http.StatusCreated, viewOrganization(org), err
}

func (h *Handler) getOrganization(ctx context.Context, r request) (int, any, error) {
	org, err := h.svc.GetOrganization(ctx, r.caller, r.path["id"])
	return http.StatusOK, viewOrganization(org), err
}

func (h *Handler) addOrganizationTenant(ctx context.Context, r request) (int, any, error) {
	var b tenantIDBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	m, err := h.svc.AddTenant(ctx, r.caller, r.path["id"], b.TenantID)
	return http.StatusCreated, viewMember(m), err
}

// joinOrganization answers 202: the join completes through the event bus.
func (h *Handler) joinOrganization(ctx context.Context, r request) (int, any, error) {
	var b joinBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	m, err := h.svc.Join(ctx, r.caller, r.path["id"], b.OwnerTenantID)
	return http.StatusAccepted, viewMember(m), err
}

func (h *Handler) removeOrganizationTenant(ctx context.Context, r request) (int, any, error) {
	return http.StatusNoContent, nil, h.svc.RemoveTenant(ctx, r.caller, r.path["id"], r.path["tenantId"])
}

func (h *Handler) addOrganizationOwner(ctx context.Context, r request) (int, any, error) {
	var b tenantIDBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	org, err := h.svc.AddOwner(ctx, r.caller, r.path["id"], b.TenantID)
	return http.StatusOK, viewOrganization(org), err
}

func (h *Handler) listCrossTenantAccess(ctx context.Context, r request) (int, any, error) {
	xs, err := h.svc.ListCrossTenantAccess(ctx, r.caller, r.path["tenantId"])
	return http.StatusOK, viewAll(xs, viewCrossTenantAccess), err
}

func (h *Handler) removeCrossTenantAccess(ctx context.Context, r request) (int, any, error) {
	return http.StatusNoContent, nil, h.svc.RemoveCrossTenantAccess(ctx, r.caller, r.path["tenantId"], r.path["partnerTenantId"])
}

func (c checkBody) domain() tenancy.Check {
	ch := tenancy.Check{Tenant: c.TenantID, Permission: c.Permission, Resource: c.Resource}
	if p := c.Principal; p != nil {
		ch.Principal = &tenancy.CheckPrincipal{ID: p.ID, Tenant: p.TenantID, Groups: p.Groups, MFA: p.MFA}
	}
	return ch
}

// checkAccess answers one check as {allowed, reason, via} and a batch
// ({"checks": […]}) as {"results": […]} in the order asked.
func (h *Handler) checkAccess(ctx context.Context, r request) (int, any, error) {
	var b checkRequestBody
	if err := decode(r.body, &b, false); err != nil {
		return 0, nil, err
	}
	single := b.checkBody != (checkBody{})
	if single == (b.Checks != nil) {
		return 0, nil, badRequest("checks", "ask one check ({tenantId, permission, …}) or a batch ({checks: […]}), not both or neither")
	}
	if single {
		res, err := h.svc.CheckAccess(ctx, r.caller, []tenancy.Check{b.checkBody.domain()})
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, viewCheckResult(res[0]), nil
	}
	checks := make([]tenancy.Check, len(b.Checks))
	for i, c := range b.Checks {
		checks[i] = c.domain()
	}
	res, err := h.svc.CheckAccess(ctx, r.caller, checks)
	return http.StatusOK, checkResultsView{Results: each(res, viewCheckResult)}, err
}

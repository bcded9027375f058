package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/metric"
	"github.com/switchboard/switchboard/internal/telemetry"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Fields of the request line, the names docs/deploy.md's queries filter on.
const (
	LogRequest         = "request"
	FieldFunction      = "function"
	FieldLambdaRequest = telemetry.FieldLambdaRequest
	FieldAPIRequest    = telemetry.FieldAPIRequest
	FieldRoute         = "route"
	FieldUser          = "user"
	FieldHomeTenant    = "home_tenant"
	FieldTargetTenant  = "target_tenant"
	FieldStatus        = "status"
	FieldLatency       = telemetry.FieldLatency
	FieldAllowed       = "allowed"
	FieldReason        = "reason"
	FieldChecks        = "checks"
	FieldDenied        = "denied"
	FieldActivations   = "activations"
	FieldSession       = "session_id"
	FieldReplayed      = "idempotent_replay"
)

// observed is what the answer to a request decided, for its line and
// metrics: the view or error an operation answered.
type observed struct {
	body any
	err  error
}

type observedKey struct{}

// observe notes what the operation answered; logRequest reads it.
func observe(ctx context.Context, body any, err error) {
	if o, ok := ctx.Value(observedKey{}).(*observed); ok {
		o.body, o.err = body, err
	}
}

// logged runs serve and writes the request's one line: who asked what of
// which tenant, the answer and how long it took, and for a decision
// (check-access, switch) whether it was allowed and why — and the
// decision's metrics. The caller is read from the authorizer's claims,
// never from the token, which is never logged, nor is any body.
func (h *Handler) logged(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest, serve func(context.Context) lambdaevents.APIGatewayV2HTTPResponse) lambdaevents.APIGatewayV2HTTPResponse {
	start := time.Now()
	o := &observed{}
	res := serve(context.WithValue(ctx, observedKey{}, o))
	attrs := []slog.Attr{slog.String(FieldFunction, h.function)}
	if id := telemetry.LambdaRequestID(ctx); id != "" {
		attrs = append(attrs, slog.String(FieldLambdaRequest, id))
	}
	attrs = append(attrs, slog.String(FieldAPIRequest, ev.RequestContext.RequestID), slog.String(FieldRoute, ev.RouteKey))
	if a := ev.RequestContext.Authorizer; a != nil && a.JWT != nil {
		attrs = append(attrs, slog.String(FieldUser, a.JWT.Claims["sub"]), slog.String(FieldHomeTenant, a.JWT.Claims["tid"]))
	}
	if t := targetOf(ev); t != "" {
		attrs = append(attrs, slog.String(FieldTargetTenant, t))
	}
	attrs = append(attrs, slog.Int(FieldStatus, res.StatusCode), telemetry.Since(start))
	if res.Headers["Idempotent-Replayed"] == "true" {
		attrs = append(attrs, slog.Bool(FieldReplayed, true))
	}
	attrs = append(attrs, h.decision(ctx, o)...)
	level := slog.LevelInfo
	if res.StatusCode >= 500 {
		level = slog.LevelError
	}
	h.log.LogAttrs(ctx, level, LogRequest, attrs...)
	return res
}

// decision answers the fields of a check-access or switch decision and
// emits its metrics; nothing for other answers.
func (h *Handler) decision(ctx context.Context, o *observed) []slog.Attr {
	now := time.Now()
	switch v := o.body.(type) {
	case checkResultView:
		if o.err != nil {
			return nil
		}
		telemetry.Counts(ctx, h.log, now, metric.CheckAccessDecisions, metric.DimReason, []string{string(v.Reason)})
		return []slog.Attr{slog.Bool(FieldAllowed, v.Allowed), slog.String(FieldReason, string(v.Reason))}
	case checkResultsView:
		if o.err != nil {
			return nil
		}
		reasons, denied := make([]string, len(v.Results)), 0
		for i, r := range v.Results {
			reasons[i] = string(r.Reason)
			if !r.Allowed {
				denied++
			}
		}
		telemetry.Counts(ctx, h.log, now, metric.CheckAccessDecisions, metric.DimReason, reasons)
		return []slog.Attr{slog.Int(FieldChecks, len(v.Results)), slog.Int(FieldDenied, denied)}
	case switchResultView:
		var de *tenancy.DeniedError
		switch {
		case o.err == nil:
			telemetry.Emit(ctx, h.log, now, []telemetry.Dim{{Name: metric.DimReason, Value: string(access.ReasonAllowed)}},
				telemetry.Point{Name: metric.Switches, Unit: metric.UnitCount, Value: 1},
				telemetry.Point{Name: metric.Activations, Unit: metric.UnitCount, Value: float64(len(v.Activated))})
			return []slog.Attr{slog.Bool(FieldAllowed, true), slog.String(FieldReason, string(access.ReasonAllowed)),
				slog.Int(FieldActivations, len(v.Activated)), slog.String(FieldSession, v.SessionID)}
		case errors.As(o.err, &de) && de.Reason != "":
			telemetry.Emit(ctx, h.log, now, []telemetry.Dim{{Name: metric.DimReason, Value: string(de.Reason)}},
				telemetry.Point{Name: metric.Switches, Unit: metric.UnitCount, Value: 1})
			return []slog.Attr{slog.Bool(FieldAllowed, false), slog.String(FieldReason, string(de.Reason))}
		}
	}
	return nil
}

// targetOf names the tenant a request acts on or asks about: the path's
// tenantId, or the body's top-level tenantId (check-access, switch, an
// organisation's tenants).
func targetOf(ev lambdaevents.APIGatewayV2HTTPRequest) string {
	if t := ev.PathParameters["tenantId"]; t != "" {
		return t
	}
	if ev.IsBase64Encoded || len(ev.Body) == 0 || len(ev.Body) > MaxBody || ev.Body[0] != '{' {
		return ""
	}
	var b struct {
		TenantID any `json:"tenantId"`
	}
	if json.Unmarshal([]byte(ev.Body), &b) != nil {
		return ""
	}
	t, _ := b.TenantID.(string)
	if !tenancy.ValidTenantID(t) { // never echo arbitrary input into the log
		return ""
	}
	return t
}

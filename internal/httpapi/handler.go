package httpapi

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"
	"github.com/golang-jwt/jwt/v5"
	"github.com/lestrrat-go/jwx/v3/jwk"

	"github.com/switchboard/switchboard/internal/tenancy"
)

// MaxBody is the largest request body accepted (413 beyond).
const MaxBody = 64 << 10

// maxPathParam bounds ids in paths.
const maxPathParam = 200

// request is what an operation reads: the caller, path and query parameters
// and the raw body.
type request struct {
	caller tenancy.Caller
	path   map[string]string
	query  map[string]string
	body   []byte
}

// Handler serves the routes of one function.
type Handler struct {
	svc    *tenancy.Service
	keys   KeySet
	idem   IdempotencyStore
	ops    map[string]operation
	public map[string]bool
	log    *slog.Logger
	// function is the function's name, in its request lines.
	function string
}

// KeySet answers the keys that verify switch tokens.
type KeySet interface {
	JWKS(ctx context.Context) (jwk.Set, error)
}

// WithKeys gives the switch function its key set for the JWKS route.
func (h *Handler) WithKeys(k KeySet) *Handler {
	h.keys = k
	return h
}

// New returns the handler of one function: it serves that function's routes
// of the route table and answers 404 to the rest.
func New(svc *tenancy.Service, function string, log *slog.Logger) *Handler {
	h := &Handler{svc: svc, ops: map[string]operation{}, public: map[string]bool{}, log: log, function: function}
	for _, e := range table {
		if e.Function == function {
			h.ops[e.Key()] = e.op
			h.public[e.Key()] = e.Public
		}
	}
	if len(h.ops) == 0 {
		panic("no routes for function " + function)
	}
	return h
}

// Handle is the Lambda handler: every request, answered or replayed, writes
// one line (log.go).
func (h *Handler) Handle(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest) (lambdaevents.APIGatewayV2HTTPResponse, error) {
	return h.logged(ctx, ev, func(ctx context.Context) lambdaevents.APIGatewayV2HTTPResponse {
		return h.idempotent(ctx, ev, func() lambdaevents.APIGatewayV2HTTPResponse { return h.respond(ctx, ev) })
	}), nil
}

func (h *Handler) respond(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest) lambdaevents.APIGatewayV2HTTPResponse {
	requestID := ev.RequestContext.RequestID
	status, body, err := h.serve(ctx, ev)
	observe(ctx, body, err)
	if err != nil {
		return problemResponse(problemFor(err, requestID, h.log))
	}
	if status == http.StatusNoContent {
		return lambdaevents.APIGatewayV2HTTPResponse{StatusCode: status}
	}
	headers := map[string]string{"Content-Type": "application/json"}
	if c, ok := body.(cacheable); ok {
		headers["Cache-Control"] = fmt.Sprintf("public, max-age=%d", int(c.maxAge.Seconds()))
		body = c.body
	}
	b, err := json.Marshal(body)
	if err != nil {
		return problemResponse(problemFor(err, requestID, h.log))
	}
	return lambdaevents.APIGatewayV2HTTPResponse{StatusCode: status, Body: string(b) + "\n", Headers: headers}
}

// cacheable marks an answer that clients and CDNs may keep for maxAge.
type cacheable struct {
	body   any
	maxAge time.Duration
}

func (h *Handler) serve(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest) (int, any, error) {
	op, ok := h.ops[ev.RouteKey]
	if !ok {
		return 0, nil, &requestError{status: http.StatusNotFound, detail: fmt.Sprintf("no route %s here", ev.RouteKey)}
	}
	for name, v := range ev.PathParameters {
		if len(v) > maxPathParam { // no id is this long; DynamoDB would refuse the key
			return 0, nil, &requestError{status: http.StatusNotFound, detail: fmt.Sprintf("no %s of %d bytes exists", name, len(v))}
		}
	}
	var caller tenancy.Caller
	if !h.public[ev.RouteKey] {
		c, err := callerOf(ev)
		if err != nil {
			return 0, nil, err
		}
		caller = c
	}
	body := []byte(ev.Body)
	var err error
	if ev.IsBase64Encoded {
		if body, err = base64.StdEncoding.DecodeString(ev.Body); err != nil {
			return 0, nil, badRequest("", "the body is not valid base64")
		}
	}
	if len(body) > MaxBody {
		return 0, nil, &requestError{status: http.StatusRequestEntityTooLarge, detail: fmt.Sprintf("the body is larger than %d bytes", MaxBody)}
	}
	return op(h, ctx, request{caller: caller, path: ev.PathParameters, query: ev.QueryStringParameters, body: body})
}

// callerOf reads the caller from the JWT authorizer's claims. API Gateway
// hands claims over as strings and flattens arrays to "[a b]", which cannot
// tell the group "finance dbadmins" from the groups finance and dbadmins: the
// arrays (groups, amr) are read from the bearer token itself, which the
// authorizer has already verified — its payload is decoded, not trusted
// further, and must name the same sub and tid as the authorizer. One array
// element is one group or one method, never split.
func callerOf(ev lambdaevents.APIGatewayV2HTTPRequest) (tenancy.Caller, error) {
	var claims map[string]string
	if a := ev.RequestContext.Authorizer; a != nil && a.JWT != nil {
		claims = a.JWT.Claims
	}
	c := tenancy.Caller{User: claims["sub"], Tenant: claims["tid"], Client: clientOf(claims), RequestID: ev.RequestContext.RequestID}
	if c.User == "" || c.Tenant == "" {
		return c, &requestError{status: http.StatusUnauthorized, detail: "the token carries no sub or tid claim"}
	}
	arrays, err := tokenArrays(ev.Headers["authorization"], c)
	if err != nil {
		return c, &requestError{status: http.StatusUnauthorized, detail: err.Error()}
	}
	for name, dst := range map[string]*[]string{"groups": &c.Groups, "amr": &c.AMR} {
		if v, ok := arrays[name]; ok {
			*dst = v
			continue
		}
		// No bearer token to read (an event built without the header): only
		// a value that reads one way is taken.
		if *dst, err = unambiguous(name, claims[name]); err != nil {
			return c, &requestError{status: http.StatusUnauthorized, detail: err.Error()}
		}
	}
	return c, nil
}

// tokenArrays decodes the groups and amr claims of the verified bearer
// token; a claim the token lacks is absent from the answer, one it has is
// there even when empty. A token that names another sub or tid than the
// authorizer's claims is refused.
func tokenArrays(authorization string, c tenancy.Caller) (map[string][]string, error) {
	raw, ok := strings.CutPrefix(strings.TrimSpace(authorization), "Bearer ")
	if !ok {
		return nil, nil
	}
	claims := jwt.MapClaims{}
	if _, _, err := jwt.NewParser().ParseUnverified(strings.TrimSpace(raw), claims); err != nil {
		return nil, fmt.Errorf("the bearer token cannot be read: %v", err)
	}
	if claims["sub"] != c.User || claims["tid"] != c.Tenant {
		return nil, errors.New("the bearer token names another sub or tid than its verified claims")
	}
	out := map[string][]string{}
	for _, name := range []string{"groups", "amr"} {
		v, present := claims[name]
		if !present {
			continue
		}
		switch x := v.(type) {
		case string: // one value
			out[name] = []string{x}
		case []any:
			list := make([]string, 0, len(x))
			for _, e := range x {
				s, ok := e.(string)
				if !ok {
					return nil, fmt.Errorf("the %s claim holds a %T; it must be an array of strings", name, e)
				}
				list = append(list, s)
			}
			out[name] = list
		default:
			return nil, fmt.Errorf("the %s claim is a %T; it must be an array of strings", name, v)
		}
	}
	return out, nil
}

// unambiguous reads a claim as API Gateway flattened it, when it can only be
// read one way: a JSON array, or "[a b]" / a bare value whose elements hold
// no space, comma or bracket. Anything else could be one value or several.
func unambiguous(name, v string) ([]string, error) {
	v = strings.TrimSpace(v)
	if v == "" || v == "[]" {
		return nil, nil
	}
	var arr []string
	if strings.HasPrefix(v, "[\"") && json.Unmarshal([]byte(v), &arr) == nil {
		return arr, nil
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	if inner == v && !strings.ContainsAny(v, " ,[]") { // one bare value
		return []string{v}, nil
	}
	fields := strings.Fields(inner)
	if len(fields) == 1 && !strings.ContainsAny(inner, ",[]") {
		return fields, nil
	}
	return nil, fmt.Errorf("the %s claim %q can be read as one value or several; send the bearer token (its array is read from it)", name, v)
}

// clientOf names the OAuth client the caller's token was issued to: RFC 9068's
// client_id, OpenID Connect's azp, or Entra ID v1's appid.
func clientOf(claims map[string]string) string {
	for _, k := range []string{"client_id", "azp", "appid"} {
		if v := strings.TrimSpace(claims[k]); v != "" {
			return v
		}
	}
	return ""
}

// decode reads a JSON body strictly: one value, types as declared, and (by
// exactKeys) no unknown, miscased or repeated field names. An empty body is
// an empty object when optional.
func decode(body []byte, v any, optional bool) error {
	if len(bytes.TrimSpace(body)) == 0 {
		if optional {
			return nil
		}
		return badRequest("", "a JSON body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		var typeErr *json.UnmarshalTypeError
		var syntaxErr *json.SyntaxError
		switch {
		case errors.As(err, &typeErr):
			return badRequest(typeErr.Field, "field %q must be %s, not %s", typeErr.Field, typeErr.Type.String(), typeErr.Value)
		case errors.As(err, &syntaxErr):
			return badRequest("", "malformed JSON at byte %d: %v", syntaxErr.Offset, err)
		case errors.Is(err, io.ErrUnexpectedEOF):
			return badRequest("", "the JSON body ends too early")
		}
		return badRequest("", "the body cannot be read: %v", err)
	}
	if dec.More() {
		return badRequest("", "the body holds more than one JSON value")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("", "the body holds more than one JSON value")
	}
	return exactKeys(body, reflect.TypeOf(v))
}

func page(q map[string]string) (tenancy.Page, error) {
	p := tenancy.Page{Cursor: q["cursor"]}
	if v, ok := q["limit"]; ok {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			return p, badRequest("limit", "limit must be a whole number from 1 to 100")
		}
		p.Limit = n
	}
	return p, nil
}

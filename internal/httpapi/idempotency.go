package httpapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/idempotency"
)

// IdempotencyStore keeps the first answer to each Idempotency-Key.
type IdempotencyStore interface {
	// Reserve claims scope for a request with hash; when it is taken it
	// answers the record there and false.
	Reserve(ctx context.Context, scope, hash string, expires time.Time) (idempotency.Record, bool, error)
	Complete(ctx context.Context, scope string, rec idempotency.Record, expires time.Time) error
	Release(ctx context.Context, scope string) error
}

// IdempotencyWindow is how long a key's answer is replayed.
const IdempotencyWindow = 24 * time.Hour

// WithIdempotency makes POST requests carrying an Idempotency-Key safe to
// repeat: the same key and request answer the first response again; the same
// key with a different request is refused (422). Functions that change state
// use it; check-access, a read, is repeatable as it is and ignores the key.
func (h *Handler) WithIdempotency(s IdempotencyStore) *Handler {
	h.idem = s
	return h
}

// Idempotent reports whether the handler honours Idempotency-Key.
func (h *Handler) Idempotent() bool { return h.idem != nil }

func validIdempotencyKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x21 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// idempotent runs serve under the request's Idempotency-Key, if it has one.
func (h *Handler) idempotent(ctx context.Context, ev lambdaevents.APIGatewayV2HTTPRequest, serve func() lambdaevents.APIGatewayV2HTTPResponse) lambdaevents.APIGatewayV2HTTPResponse {
	key := ev.Headers["idempotency-key"]
	if h.idem == nil || key == "" || ev.RequestContext.HTTP.Method != http.MethodPost {
		return serve()
	}
	requestID := ev.RequestContext.RequestID
	if !validIdempotencyKey(key) {
		return problemResponse(problemFor(badRequest("Idempotency-Key", "the Idempotency-Key header must be 1 to 255 visible ASCII characters"), requestID, h.log))
	}
	caller, err := callerOf(ev)
	if err != nil {
		return problemResponse(problemFor(err, requestID, h.log))
	}
	scopeSum := sha256.Sum256([]byte(caller.Tenant + "\x00" + caller.User + "\x00" + ev.RouteKey + "\x00" + key))
	scope := hex.EncodeToString(scopeSum[:])
	reqSum := sha256.Sum256([]byte(ev.RawPath + "\x00" + ev.Body))
	hash := hex.EncodeToString(reqSum[:])
	expires := time.Now().Add(IdempotencyWindow)
	prev, claimed, err := h.idem.Reserve(ctx, scope, hash, expires)
	if err != nil {
		return problemResponse(problemFor(err, requestID, h.log))
	}
	if !claimed {
		switch {
		case prev.Hash != hash:
			return problemResponse(Problem{Type: problemBase + "idempotency-key-reused", Title: "Idempotency-Key reused", Status: http.StatusUnprocessableEntity,
				Detail: "this Idempotency-Key was used for a different request; use a new key", Field: "Idempotency-Key"})
		case !prev.Done:
			return problemResponse(Problem{Type: problemBase + "conflict", Title: "Conflict", Status: http.StatusConflict,
				Detail: "a request with this Idempotency-Key is still in progress; retry shortly"})
		}
		headers := map[string]string{"Idempotent-Replayed": "true"}
		if prev.ContentType != "" {
			headers["Content-Type"] = prev.ContentType
		}
		return lambdaevents.APIGatewayV2HTTPResponse{StatusCode: prev.Status, Body: prev.Body, Headers: headers}
	}
	res := serve()
	if res.StatusCode >= 500 {
		// Nothing was applied (or it will be re-tried): give the key back.
		if err := h.idem.Release(ctx, scope); err != nil {
			h.log.Warn("idempotency key not released", "requestId", requestID, "error", err.Error())
		}
		return res
	}
	rec := idempotency.Record{Hash: hash, ClaimedAt: time.Now(), Done: true, Status: res.StatusCode, Body: res.Body, ContentType: res.Headers["Content-Type"]}
	if err := h.idem.Complete(ctx, scope, rec, expires); err != nil {
		h.log.Warn("idempotency answer not kept", "requestId", requestID, "error", err.Error())
	}
	return res
}

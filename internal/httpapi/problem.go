package httpapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	lambdaevents "github.com/aws/aws-lambda-go/events"

	"github.com/switchboard/switchboard/internal/access"
	"github.com/switchboard/switchboard/internal/tenancy"
)

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type     string        `json:"type"`
	Title    string        `json:"title"`
	Status   int           `json:"status"`
	Detail   string        `json:"detail,omitempty"`
	Instance string        `json:"instance,omitempty"`
	Field    string        `json:"field,omitempty"`
	Values   []string      `json:"values,omitempty"`
	Reason   access.Reason `json:"reason,omitempty"`
}

// requestError is bad input found while decoding, before the service runs.
type requestError struct {
	status int
	detail string
	field  string
}

func (e *requestError) Error() string { return e.detail }

func badRequest(field, format string, args ...any) error {
	return &requestError{status: http.StatusBadRequest, detail: fmt.Sprintf(format, args...), field: field}
}

const problemBase = "urn:switchboard:problem:"

// problemFor maps an error to its problem document. It is the one place that
// decides statuses; an error it does not know is a 500 whose text is logged
// with the request id and never sent.
func problemFor(err error, requestID string, log *slog.Logger) Problem {
	var (
		re *requestError
		ve *tenancy.ValidationError
		de *tenancy.DeniedError
		ce *tenancy.ConflictError
	)
	switch {
	case errors.As(err, &re):
		kind := "bad-request"
		if re.status == http.StatusRequestEntityTooLarge {
			kind = "too-large"
		} else if re.status == http.StatusNotFound {
			kind = "not-found"
		} else if re.status == http.StatusMethodNotAllowed {
			kind = "method-not-allowed"
		} else if re.status == http.StatusUnauthorized {
			kind = "unauthenticated"
		}
		return Problem{Type: problemBase + kind, Title: http.StatusText(re.status), Status: re.status, Detail: re.detail, Field: re.field}
	case errors.Is(err, tenancy.ErrBadCursor):
		return Problem{Type: problemBase + "bad-request", Title: http.StatusText(400), Status: 400, Detail: err.Error(), Field: "cursor"}
	case errors.As(err, &ve):
		return Problem{Type: problemBase + "validation", Title: "The request is not valid", Status: http.StatusUnprocessableEntity,
			Detail: ve.Error(), Field: ve.Field, Values: ve.Values}
	case errors.As(err, &de):
		detail := de.Message
		if len(de.Values) > 0 {
			detail += ": " + strings.Join(de.Values, ", ")
		}
		return Problem{Type: problemBase + "denied", Title: "Access denied", Status: http.StatusForbidden, Detail: detail, Reason: de.Reason, Values: de.Values}
	case errors.As(err, &ce):
		return Problem{Type: problemBase + "conflict", Title: "Conflict", Status: http.StatusConflict, Detail: ce.Message, Reason: ce.Reason}
	case errors.Is(err, tenancy.ErrNotFound):
		return Problem{Type: problemBase + "not-found", Title: "Not found", Status: http.StatusNotFound, Detail: err.Error()}
	case errors.Is(err, tenancy.ErrUnavailable):
		log.Warn("store unavailable", "requestId", requestID, "error", err.Error())
		return Problem{Type: problemBase + "unavailable", Title: "Service unavailable", Status: http.StatusServiceUnavailable,
			Detail: "the data store is unavailable; nothing was changed; retry after a second"}
	case errors.Is(err, tenancy.ErrConflict):
		return Problem{Type: problemBase + "conflict", Title: "Conflict", Status: http.StatusConflict, Detail: err.Error()}
	}
	log.Error("unexpected error", "requestId", requestID, "error", err.Error())
	return Problem{Type: "about:blank", Title: http.StatusText(http.StatusInternalServerError), Status: http.StatusInternalServerError,
		Detail: "an unexpected error occurred; quote request id " + requestID}
}

func problemResponse(p Problem) lambdaevents.APIGatewayV2HTTPResponse {
	body, _ := json.Marshal(p)
	headers := map[string]string{"Content-Type": "application/problem+json"}
	if p.Status == http.StatusServiceUnavailable {
		headers["Retry-After"] = "1"
	}
	return lambdaevents.APIGatewayV2HTTPResponse{StatusCode: p.Status, Body: string(body) + "\n", Headers: headers}
}

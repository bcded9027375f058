package tenancy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/switchboard/switchboard/internal/access"
)

// Sentinel errors. The store returns ErrNotFound and ErrConflict; the HTTP
// layer maps every error to a status in one place.
var (
	ErrNotFound  = errors.New("not found")
	ErrConflict  = errors.New("conflict")
	ErrBadCursor = errors.New("the cursor is not one this list gave out")
	// ErrUnavailable: the store cannot be reached now; the same request may
	// succeed later, and nothing was applied.
	ErrUnavailable = errors.New("the store is unavailable")
)

// ValidationError says which field of a request is wrong and why.
type ValidationError struct {
	Field  string
	Reason string
	// Values names the offending values, e.g. roles outside the ceiling.
	Values []string
}

func (e *ValidationError) Error() string {
	if len(e.Values) > 0 {
		return fmt.Sprintf("%s: %s: %s", e.Field, e.Reason, strings.Join(e.Values, ", "))
	}
	return fmt.Sprintf("%s: %s", e.Field, e.Reason)
}

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// DeniedError is a refusal: the caller is known but may not do this.
type DeniedError struct {
	Reason  access.Reason
	Message string
	// Values names what is refused, e.g. permissions the caller does not hold.
	Values []string
}

func (e *DeniedError) Error() string { return fmt.Sprintf("denied (%s): %s", e.Reason, e.Message) }

func denied(reason access.Reason, format string, args ...any) error {
	return &DeniedError{Reason: reason, Message: fmt.Sprintf(format, args...)}
}

// ConflictError is a conflict with a decision reason, e.g. granting under a
// relationship that has ended. It matches ErrConflict.
type ConflictError struct {
	Reason  access.Reason
	Message string
}

func (e *ConflictError) Error() string { return fmt.Sprintf("conflict (%s): %s", e.Reason, e.Message) }

// Is makes errors.Is(err, ErrConflict) hold.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

func conflict(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrConflict, fmt.Sprintf(format, args...))
}

func notFound(what, id string) error {
	return fmt.Errorf("%w: %s %s", ErrNotFound, what, id)
}

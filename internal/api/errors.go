package api

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Error codes of the error body.
const (
	CodeBadRequest      = "bad_request"
	CodeUnauthenticated = "unauthenticated"
	CodeForbidden       = "forbidden"
	CodeNotFound        = "not_found"
	CodeConflict        = "conflict"
	CodeTooLarge        = "too_large"
	CodeUnavailable     = "unavailable"
	CodeInternal        = "internal"
	CodeNotImplemented  = "not_implemented"
)

// Error is an API error: an HTTP status, a stable machine-readable code and
// a message for people. Handlers return it (or a store error, which wrap
// maps) and wrap writes it as {"error":{"code","message"}}.
type Error struct {
	Status  int
	Code    string
	Message string
}

// Error implements error.
func (e *Error) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// ErrorBody is the one error shape every failing request gets.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of ErrorBody.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

func badRequest(format string, a ...any) *Error {
	return &Error{Status: http.StatusBadRequest, Code: CodeBadRequest, Message: fmt.Sprintf(format, a...)}
}

func forbidden(format string, a ...any) *Error {
	return &Error{Status: http.StatusForbidden, Code: CodeForbidden, Message: fmt.Sprintf(format, a...)}
}

func notFound(kind, id string) *Error {
	return &Error{Status: http.StatusNotFound, Code: CodeNotFound, Message: fmt.Sprintf("%s %s not found", kind, id)}
}

func unauthenticated(msg string) *Error {
	return &Error{Status: http.StatusUnauthorized, Code: CodeUnauthenticated, Message: msg}
}

// toError maps any error to an *Error. Store errors keep their meaning;
// anything unknown is an internal error whose detail is logged, not sent.
func toError(err error) (e *Error, internal bool) {
	var ae *Error
	var nf *store.NotFoundError
	var inv *store.InvalidError
	var cf *store.ConflictError
	var se *store.ScopeError
	var mbe *http.MaxBytesError
	var ce *store.CursorError
	var fe *model.FilterError
	switch {
	case errors.As(err, &ce):
		return badRequest("%v", ce), false
	case errors.As(err, &fe):
		return badRequest("%v", fe), false
	case errors.As(err, &ae):
		return ae, false
	case errors.As(err, &nf):
		return notFound(nf.Kind, nf.ID), false
	case errors.As(err, &inv):
		return badRequest("%s: %s", inv.Field, inv.Reason), false
	case errors.As(err, &cf):
		return &Error{Status: http.StatusConflict, Code: CodeConflict, Message: cf.Error()}, false
	case errors.As(err, &se):
		return forbidden("%s: account outside the token's scope", se.Kind), false
	case errors.As(err, &mbe):
		return &Error{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
			Message: fmt.Sprintf("request body larger than %d bytes", mbe.Limit)}, false
	case errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "request timed out"}, false
	}
	return &Error{Status: http.StatusInternalServerError, Code: CodeInternal, Message: "internal error"}, true
}

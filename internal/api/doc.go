// Package api is vigil's HTTP API: JSON over HTTP under /v1.
//
// Every handler has one shape, func(r *http.Request) (any, error), and goes
// through one wrapper (wrap) that sets the headers, encodes the JSON answer,
// logs the request and maps typed errors to status codes with one error body:
//
//	{"error": {"code": "not_found", "message": "resource res-… not found"}}
//
// Authentication is a bearer token (Authorization: Bearer <secret>). The
// secret's SHA-256 is looked up in the store with the system scope; the token
// gives a principal: its account, the scope that account sees (the whole
// organisation for the delegated-admin account, else the account alone) and
// its role. Read-only tokens cannot write; only admin tokens manage accounts
// and tokens. Every store access of a request uses the principal's scope, so
// objects of other accounts are indistinguishable from missing ones (404).
//
// The routes are listed once, in routes.go; the OpenAPI 3.1 document
// (openapi.yaml, embedded and served at /v1/openapi.yaml) is checked against
// them by a test.
package api

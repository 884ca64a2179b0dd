package api

import (
	_ "embed"
	"io"
	"net/http"
)

// OpenAPI is the API's OpenAPI 3.1 document.
//
//go:embed openapi.yaml
var OpenAPI []byte

// Status is the body of /healthz and /readyz.
type Status struct {
	Status string `json:"status"`
	Schema int    `json:"schemaVersion,omitempty"`
}

func (s *Server) healthz(r *http.Request) (any, error) {
	return Status{Status: "ok"}, nil
}

func (s *Server) readyz(r *http.Request) (any, error) {
	v, err := s.store.SchemaVersion(r.Context())
	if err != nil {
		s.log.Warn("not ready: store", "err", err)
		return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: "the database does not answer"}
	}
	if s.ready != nil {
		if err := s.ready(r.Context()); err != nil {
			return nil, &Error{Status: http.StatusServiceUnavailable, Code: CodeUnavailable, Message: err.Error()}
		}
	}
	return Status{Status: "ready", Schema: v}, nil
}

func (s *Server) openapi(r *http.Request) (any, error) {
	return &Raw{ContentType: "application/yaml", Write: func(w io.Writer) error {
		_, err := w.Write(OpenAPI)
		return err
	}}, nil
}

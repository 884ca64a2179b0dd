package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/jsonx"
)

// HandlerFunc is the one handler shape: it returns the value to encode as
// JSON (or a *Response or *Raw) or an error.
type HandlerFunc func(r *http.Request) (any, error)

// Response is a handler result with a status other than 200 and extra
// headers (201 Created with Location, 202 Accepted).
type Response struct {
	Status int
	Header http.Header
	Body   any
}

// Raw is a handler result that is not JSON: a CSV export, an SBOM, the
// OpenAPI document. Write produces the body.
type Raw struct {
	ContentType string
	// Filename, when set, makes the answer an attachment.
	Filename string
	Write    func(w io.Writer) error
}

// reqState carries what the wrapper logs and the guard learns.
type reqState struct{ principal *Principal }

type reqStateKey struct{}

// wrap adapts a HandlerFunc to http.Handler: it runs h, encodes its result or
// its error, and logs the request.
func (s *Server) wrap(h HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		st := &reqState{}
		r = r.WithContext(context.WithValue(r.Context(), reqStateKey{}, st))
		v, err := h(r)
		status := http.StatusOK
		if err != nil {
			e, internal := toError(err)
			status = e.Status
			lvl := slog.LevelDebug
			if internal {
				lvl = slog.LevelError
			}
			s.log.Log(r.Context(), lvl, "request failed", "method", r.Method, "path", r.URL.Path, "status", status, "err", err)
			s.writeJSON(w, status, nil, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message}})
		} else {
			status = s.writeResult(w, v)
		}
		attrs := []any{"method", r.Method, "path", r.URL.Path, "status", status, "duration", time.Since(start)}
		if st.principal != nil {
			attrs = append(attrs, "token", st.principal.Token.ID)
		}
		s.log.Debug("request", attrs...)
	})
}

func (s *Server) writeResult(w http.ResponseWriter, v any) int {
	switch v := v.(type) {
	case *Response:
		s.writeJSON(w, v.Status, v.Header, v.Body)
		return v.Status
	case *Raw:
		var buf bytes.Buffer
		if err := v.Write(&buf); err != nil {
			s.log.Error("cannot write a response body", "err", err)
			e, _ := toError(err)
			s.writeJSON(w, e.Status, nil, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message}})
			return e.Status
		}
		h := w.Header()
		h.Set("Content-Type", v.ContentType)
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		h.Set("X-Content-Type-Options", "nosniff")
		if v.Filename != "" {
			h.Set("Content-Disposition", `attachment; filename="`+v.Filename+`"`)
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return http.StatusOK
	}
	s.writeJSON(w, http.StatusOK, nil, v)
	return http.StatusOK
}

func (s *Server) writeJSON(w http.ResponseWriter, status int, header http.Header, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		s.log.Error("cannot encode a response", "err", err)
		status = http.StatusInternalServerError
		data, _ = json.Marshal(ErrorBody{Error: ErrorDetail{Code: CodeInternal, Message: "internal error"}})
	}
	h := w.Header()
	for k, vs := range header {
		h[k] = vs
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}

// preallocLimit bounds the buffer decodeJSON allocates before a body's
// bytes arrive.
const preallocLimit = 1 << 20

// decodeJSON reads a bounded JSON body into v, rejecting unknown fields and
// trailing data. The body is read whole (sized by its Content-Length) and
// decoded by jsonx: a pushed inventory is the server's largest and most
// frequent request.
func decodeJSON(r *http.Request, limit int64, v any) error {
	// Room for the whole body and the read that finds its end, but only
	// up to preallocLimit on the word of the Content-Length header: a
	// larger body grows the buffer as it arrives, so that a request that
	// announces 64 MiB and sends nothing costs nothing.
	size := min(max(r.ContentLength, 0), limit, preallocLimit) + bytes.MinRead
	buf := bytes.NewBuffer(make([]byte, 0, size))
	if _, err := buf.ReadFrom(http.MaxBytesReader(nil, r.Body, limit)); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("invalid JSON body: %v", err)
	}
	if err := jsonx.UnmarshalStrict(buf.Bytes(), v); err != nil {
		return badRequest("invalid JSON body: %v", err)
	}
	return nil
}

package delivery

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/store"
)

// Result is the outcome of one attempt.
type Result struct {
	// Status is the HTTP status or the exit code (0 when none).
	Status int
	// Err is nil for a delivered event.
	Err error
	// Permanent marks a failure that retrying cannot fix (an HTTP 3xx, or
	// a 4xx other than 408 and 429): the event goes to the dead-letter
	// list at once.
	Permanent bool
}

// Item is an event ready to send: its outbox sequence number, its envelope
// and the envelope's JSON.
type Item struct {
	Seq  int64
	Env  *event.Envelope
	Body []byte
}

// sender delivers one event to one target.
type sender interface {
	send(ctx context.Context, it *Item) Result
}

// newSender builds the sender of a target.
func newSender(t *store.Target, c *Config, client *http.Client, allowCommands bool) (sender, error) {
	switch t.Kind {
	case store.TargetWebhook:
		return &webhook{url: c.URL, secret: t.Secret, client: client, now: time.Now}, nil
	case store.TargetSlack:
		return &slack{url: c.URL, console: c.ConsoleURL, client: client}, nil
	case store.TargetForward:
		return &forward{url: strings.TrimRight(c.URL, "/") + IngestPath, token: t.Secret, client: client}, nil
	case store.TargetCommand:
		if !allowCommands {
			return nil, &ConfigError{Field: "kind", Reason: "command targets are disabled on this server"}
		}
		return &command{argv: c.Argv, timeout: time.Duration(c.Timeout)}, nil
	}
	return nil, &ConfigError{Field: "kind", Reason: fmt.Sprintf("unknown kind %q", t.Kind)}
}

// IngestPath is the path of the ingest endpoint a forward target posts to.
const IngestPath = "/v1/events/ingest"

// IngestRequest is the body of POST /v1/events/ingest.
type IngestRequest struct {
	Events []json.RawMessage `json:"events"`
}

// post sends body and classifies the answer.
func post(ctx context.Context, client *http.Client, url string, body []byte, hdr http.Header) Result {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Result{Err: err, Permanent: true}
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "vigil-delivery/1")
	resp, err := client.Do(req)
	if err != nil {
		return Result{Err: err}
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return Result{Status: resp.StatusCode}
	}
	r := Result{Status: resp.StatusCode, Err: &HTTPError{Status: resp.StatusCode, Body: strings.TrimSpace(string(msg))}}
	// Redirects are not followed (a signed request goes where it was
	// configured to), so a 3xx is as final as a 4xx.
	if resp.StatusCode >= 300 && resp.StatusCode < 500 && resp.StatusCode != http.StatusRequestTimeout && resp.StatusCode != http.StatusTooManyRequests {
		r.Permanent = true
	}
	return r
}

// HTTPError is a non-2xx answer of a target.
type HTTPError struct {
	Status int
	Body   string
}

func (e *HTTPError) Error() string {
	if e.Body == "" {
		return fmt.Sprintf("HTTP %d", e.Status)
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Body)
}

// webhook POSTs the envelope, signed.
type webhook struct {
	url, secret string
	client      *http.Client
	now         func() time.Time
}

func (w *webhook) send(ctx context.Context, it *Item) Result {
	ts := w.now().Unix()
	h := http.Header{}
	h.Set(HeaderTimestamp, strconv.FormatInt(ts, 10))
	h.Set(HeaderIdempotencyKey, it.Env.ID)
	h.Set(HeaderEventID, it.Env.ID)
	h.Set(HeaderSeq, strconv.FormatInt(it.Seq, 10))
	if w.secret != "" {
		h.Set(HeaderSignature, Sign(w.secret, ts, it.Body))
	}
	return post(ctx, w.client, w.url, it.Body, h)
}

// slack POSTs a formatted message.
type slack struct {
	url, console string
	client       *http.Client
}

func (s *slack) send(ctx context.Context, it *Item) Result {
	body, err := SlackMessage(it.Env, s.console)
	if err != nil {
		return Result{Err: err, Permanent: true}
	}
	return post(ctx, s.client, s.url, body, nil)
}

// forward POSTs the envelope to another server's ingest endpoint.
type forward struct {
	url, token string
	client     *http.Client
}

func (f *forward) send(ctx context.Context, it *Item) Result {
	body, err := json.Marshal(IngestRequest{Events: []json.RawMessage{it.Body}})
	if err != nil {
		return Result{Err: err, Permanent: true}
	}
	h := http.Header{}
	h.Set("Authorization", "Bearer "+f.token)
	h.Set(HeaderIdempotencyKey, it.Env.ID)
	return post(ctx, f.client, f.url, body, h)
}

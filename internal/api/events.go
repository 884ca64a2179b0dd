package api

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// EventView is an outbox event as the API shows it: its payload is JSON.
type EventView struct {
	Seq       int64           `json:"seq"`
	AccountID model.AccountID `json:"accountId"`
	Type      string          `json:"type"`
	Subject   string          `json:"subject,omitempty"`
	Payload   json.RawMessage `json:"payload,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
}

// EventList is the answer of GET /v1/events.
type EventList struct {
	Events []EventView `json:"events"`
	// Last is the highest sequence number returned, or since when none:
	// the next request's since.
	Last int64 `json:"last"`
}

// maxWait bounds a blocking events query.
const maxWait = 60 * time.Second

// eventPoll is how often a blocking query looks for new events.
const eventPoll = 100 * time.Millisecond

// listEvents serves the outbox from a sequence number. With wait=DURATION
// it blocks until an event of the scope arrives or the wait ends (nomad's
// blocking query); X-Vigil-Index carries the answer's Last.
func (s *Server) listEvents(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	since, err := intParam(q, "since", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	wait, err := durationParam(q, "wait", maxWait)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	deadline := time.Now().Add(wait)
	out := EventList{Events: []EventView{}, Last: since}
	for {
		err = s.store.View(ctx, func(tx store.Tx) error {
			es, err := tx.Outbox(p.Scope).List(ctx, since, int(limit))
			out.Events = out.Events[:0]
			for _, e := range es {
				v := EventView{Seq: e.Seq, AccountID: e.AccountID, Type: e.Type, Subject: e.Subject, CreatedAt: e.CreatedAt}
				if json.Valid(e.Payload) {
					v.Payload = e.Payload
				}
				out.Events = append(out.Events, v)
			}
			return err
		})
		if err != nil || len(out.Events) > 0 || !time.Now().Before(deadline) {
			break
		}
		t := time.NewTimer(eventPoll)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	if err != nil {
		return nil, err
	}
	if n := len(out.Events); n > 0 {
		out.Last = out.Events[n-1].Seq
	}
	return &Response{Status: http.StatusOK, Header: http.Header{"X-Vigil-Index": {strconv.FormatInt(out.Last, 10)}}, Body: out}, nil
}

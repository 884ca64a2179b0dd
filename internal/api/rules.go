package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/event/pattern"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// EventRuleRequest is the body of POST /v1/rules and PUT /v1/rules/{id}.
type EventRuleRequest struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	AccountID   model.AccountID `json:"accountId,omitempty"`
	// Pattern is an EventBridge event pattern (a JSON object).
	Pattern json.RawMessage `json:"pattern"`
	// Enabled defaults to true.
	Enabled *bool            `json:"enabled,omitempty"`
	Targets []store.TargetID `json:"targets"`
}

// EventRuleView is an event rule as the API shows it.
type EventRuleView struct {
	store.EventRule
	Pattern json.RawMessage `json:"pattern"`
}

// EventRuleList is the answer of GET /v1/rules.
type EventRuleList struct {
	Rules []EventRuleView `json:"rules"`
	Next  string          `json:"next,omitempty"`
}

// TargetRequest is the body of POST /v1/targets and PUT /v1/targets/{id}.
type TargetRequest struct {
	Name      string           `json:"name"`
	Kind      store.TargetKind `json:"kind"`
	AccountID model.AccountID  `json:"accountId,omitempty"`
	// Config holds the kind's settings (url, argv, timeout, maxAttempts,
	// backoffMin, backoffMax, consoleUrl).
	Config json.RawMessage `json:"config"`
	// Secret is a webhook's signing key (generated when empty) or a
	// forward target's token on the other server (required). On update,
	// empty keeps the current one.
	Secret string `json:"secret,omitempty"`
}

// TargetView is a target as the API shows it: never its secret.
type TargetView struct {
	store.Target
	Config    json.RawMessage `json:"config"`
	HasSecret bool            `json:"hasSecret"`
}

// CreatedTarget is the answer of POST /v1/targets: the only time the
// secret is shown.
type CreatedTarget struct {
	Target TargetView `json:"target"`
	Secret string     `json:"secret,omitempty"`
}

// TargetList is the answer of GET /v1/targets.
type TargetList struct {
	Targets []TargetView `json:"targets"`
	Next    string       `json:"next,omitempty"`
}

// DeliveryList is the answer of GET /v1/targets/{id}/deliveries.
type DeliveryList struct {
	Deliveries []store.Delivery `json:"deliveries"`
	// Next is the before of the next (older) page.
	Next int64 `json:"next,omitempty"`
}

// DeadLetterList is the answer of GET /v1/targets/{id}/dead-letters.
type DeadLetterList struct {
	DeadLetters []store.DeadLetter `json:"deadLetters"`
	Next        int64              `json:"next,omitempty"`
}

// ReplayRequest is the body of POST /v1/targets/{id}/dead-letters/replay:
// the dead letters to deliver again, all of them when empty.
type ReplayRequest struct {
	IDs []int64 `json:"ids,omitempty"`
}

// ReplayAnswer says how many dead letters were marked for replay.
type ReplayAnswer struct {
	Replaying int `json:"replaying"`
}

// IngestAnswer is the answer of POST /v1/events/ingest.
type IngestAnswer struct {
	Accepted   int `json:"accepted"`
	Duplicates int `json:"duplicates"`
}

// maxIngest bounds the events of one ingest request.
const maxIngest = 1000

func (s *Server) deliveryRoutes() []Route {
	return []Route{
		{"GET", "/v1/rules", Read, s.listEventRules},
		{"POST", "/v1/rules", Write, s.createEventRule},
		{"GET", "/v1/rules/{id}", Read, s.getEventRule},
		{"PUT", "/v1/rules/{id}", Write, s.updateEventRule},
		{"DELETE", "/v1/rules/{id}", Write, s.deleteEventRule},

		{"GET", "/v1/targets", Read, s.listTargets},
		{"POST", "/v1/targets", Admin, s.createTarget},
		{"GET", "/v1/targets/{id}", Read, s.getTarget},
		{"PUT", "/v1/targets/{id}", Admin, s.updateTarget},
		{"DELETE", "/v1/targets/{id}", Admin, s.deleteTarget},
		{"GET", "/v1/targets/{id}/deliveries", Read, s.listDeliveries},
		{"GET", "/v1/targets/{id}/dead-letters", Read, s.listDeadLetters},
		{"POST", "/v1/targets/{id}/dead-letters/replay", Write, s.replayDeadLetters},

		{"POST", "/v1/events/ingest", Write, s.ingestEvents},
	}
}

func ruleView(r store.EventRule) EventRuleView {
	return EventRuleView{EventRule: r, Pattern: json.RawMessage(r.Pattern)}
}

// checkRuleRequest validates the body and compacts the pattern.
func checkRuleRequest(req *EventRuleRequest) (string, error) {
	req.Name = strings.TrimSpace(req.Name)
	if len(req.Pattern) == 0 {
		return "", badRequest("pattern: required")
	}
	if _, err := pattern.Compile(req.Pattern); err != nil {
		return "", badRequest("pattern: %v", err)
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, req.Pattern); err != nil {
		return "", badRequest("pattern: %v", err)
	}
	return buf.String(), nil
}

func (s *Server) createEventRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req EventRuleRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	pat, err := checkRuleRequest(&req)
	if err != nil {
		return nil, err
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var out store.EventRule
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Delivery(p.Scope).CreateRule(ctx, store.EventRule{AccountID: acct, Name: req.Name, Description: req.Description,
			Pattern: pat, Enabled: req.Enabled == nil || *req.Enabled, Targets: req.Targets})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, acct, "event-rule.create", string(out.ID), map[string]any{"name": out.Name, "pattern": out.Pattern, "targets": out.Targets})
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/v1/rules/" + string(out.ID)}}, Body: ruleView(out)}, nil
}

func (s *Server) getEventRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (EventRuleView, error) {
		x, err := tx.Delivery(p.Scope).GetRule(ctx, store.RuleID(pathID(r)))
		return ruleView(x), err
	})
}

func (s *Server) listEventRules(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	limit, err := intParam(r.URL.Query(), "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (EventRuleList, error) {
		rs, err := tx.Delivery(p.Scope).ListRules(ctx, store.RuleID(r.URL.Query().Get("after")), int(limit))
		views, next := pageOf(rs, int(limit), ruleView, func(x store.EventRule) string { return string(x.ID) })
		return EventRuleList{Rules: views, Next: next}, err
	})
}

func (s *Server) updateEventRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req EventRuleRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	pat, err := checkRuleRequest(&req)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var out store.EventRule
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(p.Scope)
		old, err := d.GetRule(ctx, store.RuleID(pathID(r)))
		if err != nil {
			return err
		}
		if req.AccountID != "" && req.AccountID != old.AccountID {
			return badRequest("accountId: a rule cannot move to another account")
		}
		old.Name, old.Description, old.Pattern, old.Targets = req.Name, req.Description, pat, req.Targets
		old.Enabled = req.Enabled == nil || *req.Enabled
		if out, err = d.UpdateRule(ctx, old); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, out.AccountID, "event-rule.update", string(out.ID), map[string]any{"name": out.Name, "pattern": out.Pattern,
			"enabled": out.Enabled, "targets": out.Targets})
	})
	return ruleView(out), err
}

func (s *Server) deleteEventRule(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	id := store.RuleID(pathID(r))
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(p.Scope)
		old, err := d.GetRule(ctx, id)
		if err != nil {
			return err
		}
		if err := d.DeleteRule(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, old.AccountID, "event-rule.delete", string(id), map[string]any{"name": old.Name})
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"deleted": string(id)}, nil
}

// targetView shows a target without its secret, its config normalised.
func targetView(t store.Target) TargetView {
	v := TargetView{Target: t, Config: json.RawMessage(t.Config), HasSecret: t.Secret != ""}
	if c, err := delivery.ParseConfig(t.Kind, t.Config); err == nil {
		if b, err := json.Marshal(c); err == nil {
			v.Config = b
		}
	}
	return v
}

// checkTargetRequest validates the body; it returns the secret to store
// ("" on update to keep the current one).
func checkTargetRequest(req *TargetRequest, create bool) (string, error) {
	req.Name = strings.TrimSpace(req.Name)
	if !req.Kind.Valid() {
		return "", badRequest("kind %q: want webhook, command, forward or slack", req.Kind)
	}
	if len(req.Config) == 0 {
		return "", badRequest("config: required")
	}
	if _, err := delivery.ParseConfig(req.Kind, req.Config); err != nil {
		return "", badRequest("%v", err)
	}
	secret := req.Secret
	switch req.Kind {
	case store.TargetWebhook:
		if secret == "" && create {
			secret = "whsec_" + store.NewToken()
		}
	case store.TargetForward:
		if secret == "" && create {
			return "", badRequest("secret: a forward target needs the other server's token")
		}
	default:
		if secret != "" {
			return "", badRequest("secret: a %s target has none", req.Kind)
		}
	}
	if len(secret) > 1024 {
		return "", badRequest("secret: at most 1024 bytes")
	}
	return secret, nil
}

func (s *Server) createTarget(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req TargetRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	secret, err := checkTargetRequest(&req, true)
	if err != nil {
		return nil, err
	}
	if req.Kind == store.TargetCommand && !s.allowCommands {
		return nil, forbidden("kind command: command targets are disabled on this server (start it with VIGIL_ALLOW_COMMAND_TARGETS=1)")
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	var out store.Target
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		var err error
		out, err = tx.Delivery(p.Scope).CreateTarget(ctx, store.Target{AccountID: acct, Name: req.Name, Kind: req.Kind, Config: req.Config, Secret: secret})
		if err != nil {
			return err
		}
		return s.audit(ctx, tx, p, acct, "target.create", string(out.ID), map[string]any{"name": out.Name, "kind": out.Kind, "config": json.RawMessage(out.Config)})
	})
	if err != nil {
		return nil, err
	}
	return &Response{Status: http.StatusCreated, Header: http.Header{"Location": {"/v1/targets/" + string(out.ID)}},
		Body: CreatedTarget{Target: targetView(out), Secret: secret}}, nil
}

func (s *Server) getTarget(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (TargetView, error) {
		t, err := tx.Delivery(p.Scope).GetTarget(ctx, store.TargetID(pathID(r)))
		return targetView(t), err
	})
}

func (s *Server) listTargets(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	limit, err := intParam(r.URL.Query(), "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (TargetList, error) {
		ts, err := tx.Delivery(p.Scope).ListTargets(ctx, store.TargetID(r.URL.Query().Get("after")), int(limit))
		views, next := pageOf(ts, int(limit), targetView, func(t store.Target) string { return string(t.ID) })
		return TargetList{Targets: views, Next: next}, err
	})
}

func (s *Server) updateTarget(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req TargetRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	ctx := r.Context()
	var out store.Target
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(p.Scope)
		old, err := d.GetTarget(ctx, store.TargetID(pathID(r)))
		if err != nil {
			return err
		}
		if req.Kind == "" {
			req.Kind = old.Kind
		}
		if req.Kind != old.Kind {
			return badRequest("kind: a target cannot change kind (create another)")
		}
		if req.AccountID != "" && req.AccountID != old.AccountID {
			return badRequest("accountId: a target cannot move to another account")
		}
		secret, err := checkTargetRequest(&req, false)
		if err != nil {
			return err
		}
		old.Name, old.Config, old.Secret = req.Name, req.Config, secret
		if out, err = d.UpdateTarget(ctx, old); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, out.AccountID, "target.update", string(out.ID), map[string]any{"name": out.Name,
			"config": json.RawMessage(out.Config), "secretChanged": secret != ""})
	})
	return targetView(out), err
}

func (s *Server) deleteTarget(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	ctx := r.Context()
	id := store.TargetID(pathID(r))
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(p.Scope)
		old, err := d.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		if err := d.DeleteTarget(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, old.AccountID, "target.delete", string(id), map[string]any{"name": old.Name})
	})
	if err != nil {
		return nil, err
	}
	return map[string]string{"deleted": string(id)}, nil
}

func (s *Server) listDeliveries(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	before, err := intParam(q, "before", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (DeliveryList, error) {
		ds, err := tx.Delivery(p.Scope).Deliveries(ctx, store.TargetID(pathID(r)), before, int(limit))
		out := DeliveryList{Deliveries: append([]store.Delivery{}, ds...)}
		if len(ds) == int(limit) {
			out.Next = ds[len(ds)-1].ID
		}
		return out, err
	})
}

func (s *Server) listDeadLetters(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	q := r.URL.Query()
	limit, err := intParam(q, "limit", 100, 1, 1000)
	if err != nil {
		return nil, err
	}
	after, err := intParam(q, "after", 0, 0, 1<<62)
	if err != nil {
		return nil, err
	}
	ctx := r.Context()
	return viewValue(ctx, s.store, func(tx store.Tx) (DeadLetterList, error) {
		ds, err := tx.Delivery(p.Scope).DeadLetters(ctx, store.TargetID(pathID(r)), after, int(limit))
		out := DeadLetterList{DeadLetters: append([]store.DeadLetter{}, ds...)}
		if len(ds) == int(limit) {
			out.Next = ds[len(ds)-1].ID
		}
		return out, err
	})
}

func (s *Server) replayDeadLetters(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req ReplayRequest
	if err := decodeJSON(r, MaxJSONBody, &req); err != nil {
		return nil, err
	}
	ctx := r.Context()
	id := store.TargetID(pathID(r))
	var out ReplayAnswer
	err := s.store.InTx(ctx, func(tx store.Tx) error {
		d := tx.Delivery(p.Scope)
		t, err := d.GetTarget(ctx, id)
		if err != nil {
			return err
		}
		if out.Replaying, err = d.RequestReplay(ctx, id, req.IDs); err != nil {
			return err
		}
		return s.audit(ctx, tx, p, t.AccountID, "target.replay", string(id), map[string]any{"ids": req.IDs, "replaying": out.Replaying})
	})
	if err == nil {
		s.notify()
	}
	return out, err
}

// ingestEvents records events forwarded by another vigil server in the
// outbox of the caller's account (or accountId), each once: the envelope
// is kept whole, so its origin (account, region, id) travels with it.
func (s *Server) ingestEvents(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	acct, err := accountFor(p, model.AccountID(r.URL.Query().Get("accountId")))
	if err != nil {
		return nil, err
	}
	var req delivery.IngestRequest
	if err := decodeJSON(r, 16*MaxJSONBody, &req); err != nil {
		return nil, err
	}
	if len(req.Events) > maxIngest {
		return nil, badRequest("events: at most %d a request", maxIngest)
	}
	envs := make([]*ingested, 0, len(req.Events))
	for i, raw := range req.Events {
		var env ingested
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&env.Envelope); err != nil {
			return nil, badRequest("events[%d]: %v", i, err)
		}
		if err := env.Check(); err != nil {
			return nil, badRequest("events[%d]: %v", i, err)
		}
		if len(env.ID) > 128 {
			return nil, badRequest("events[%d]: id longer than 128 bytes", i)
		}
		if env.raw, err = env.Marshal(); err != nil {
			return nil, badRequest("events[%d]: %v", i, err)
		}
		envs = append(envs, &env)
	}
	ctx := r.Context()
	var out IngestAnswer
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		out = IngestAnswer{}
		var evs []model.Event
		for _, env := range envs {
			fresh, err := tx.Delivery(p.Scope).Ingested(ctx, acct, env.ID)
			if err != nil {
				return err
			}
			if !fresh {
				out.Duplicates++
				continue
			}
			out.Accepted++
			evs = append(evs, model.Event{AccountID: acct, Type: delivery.TypeForwarded, Subject: env.ID, Payload: env.raw})
		}
		if len(evs) == 0 {
			return nil
		}
		return tx.Outbox(p.Scope).Append(ctx, evs...)
	})
	return out, err
}

// ingested is a forwarded envelope and its normalised JSON.
type ingested struct {
	event.Envelope
	raw []byte
}

package api

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// AgentReport is the body of POST /v1/agent/report (authenticated with
// the agent's credential): the host's inventory and network facts.
type AgentReport struct {
	Hostname string `json:"hostname"`
	Version  string `json:"version,omitempty"`
	// Kernel is the running kernel release (uname -r); Machine the
	// hardware name (uname -m).
	Kernel    string             `json:"kernel,omitempty"`
	Machine   string             `json:"machine,omitempty"`
	Inventory *model.Inventory   `json:"inventory"`
	Host      exposure.HostFacts `json:"host"`
	// Errors are collection failures (an unreadable firewall, …): the
	// report is still used.
	Errors []string `json:"errors,omitempty"`
}

// AgentState is the last report of an agent as the server keeps it.
type AgentState struct {
	Hostname string             `json:"hostname"`
	Version  string             `json:"version,omitempty"`
	Kernel   string             `json:"kernel,omitempty"`
	Machine  string             `json:"machine,omitempty"`
	OS       *model.OS          `json:"os,omitempty"`
	Packages int                `json:"packages"`
	Host     exposure.HostFacts `json:"host"`
	Errors   []string           `json:"errors,omitempty"`
}

// ReportAccepted is the answer of POST /v1/agent/report.
type ReportAccepted struct {
	ResourceID model.ResourceID `json:"resourceId"`
	Hash       string           `json:"hash"`
	// Changed is true when the content differed from the last report: the
	// report was stored and a scan queued (JobID).
	Changed bool        `json:"changed"`
	JobID   model.JobID `json:"jobId,omitempty"`
}

// limits on agent reports.
const (
	maxSockets    = 65536
	maxInterfaces = 4096
	maxErrors     = 100
)

// ReportHash is the content hash of a report: its inventory (without the
// time it was indexed) and host facts. Agents use it to report on change;
// the server to decide whether to store and rescan.
func ReportHash(rep *AgentReport) (string, error) {
	h := sha256.New()
	enc := json.NewEncoder(h)
	if rep.Inventory != nil {
		inv := *rep.Inventory
		inv.IndexedAt = time.Time{}
		if err := enc.Encode(&inv); err != nil {
			return "", err
		}
	}
	if err := enc.Encode(struct {
		K, M string
		H    *exposure.HostFacts
	}{rep.Kernel, rep.Machine, &rep.Host}); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// agentOf authenticates the request's agent credential.
func (s *Server) agentOf(ctx context.Context, r *http.Request) (store.Agent, error) {
	secret, err := bearer(r)
	if err != nil {
		return store.Agent{}, err
	}
	return viewValue(ctx, s.store, func(tx store.Tx) (store.Agent, error) {
		a, err := tx.Agents(store.SystemScope()).Lookup(ctx, store.HashToken(secret))
		var nf *store.NotFoundError
		if errors.As(err, &nf) {
			return a, unauthenticated("unknown agent credential")
		}
		if err == nil && !a.Usable() {
			return a, unauthenticated("agent credential revoked")
		}
		return a, err
	})
}

func checkReport(rep *AgentReport) error {
	switch {
	case rep.Inventory == nil:
		return badRequest("inventory: required")
	case len(rep.Inventory.Packages) > maxInvPkgs:
		return badRequest("inventory: at most %d packages", maxInvPkgs)
	case len(rep.Host.Sockets) > maxSockets:
		return badRequest("host.sockets: at most %d", maxSockets)
	case len(rep.Host.Interfaces) > maxInterfaces:
		return badRequest("host.interfaces: at most %d", maxInterfaces)
	case len(rep.Errors) > maxErrors:
		return badRequest("errors: at most %d", maxErrors)
	}
	if fw := rep.Host.Firewall; fw != nil {
		n := 0
		for _, cs := range [][]exposure.FirewallChain{fw.Base, fw.Chains} {
			for _, c := range cs {
				n += len(c.Rules)
			}
		}
		if n > exposure.MaxFirewallRules {
			return badRequest("host.firewall: at most %d rules", exposure.MaxFirewallRules)
		}
	}
	return nil
}

func (s *Server) agentReport(r *http.Request) (any, error) {
	ctx := r.Context()
	a, err := s.agentOf(ctx, r)
	if err != nil {
		return nil, err
	}
	var rep AgentReport
	if err := decodeJSON(r, MaxInventoryBody, &rep); err != nil {
		return nil, err
	}
	if err := checkReport(&rep); err != nil {
		return nil, err
	}
	hash, err := ReportHash(&rep)
	if err != nil {
		return nil, err
	}
	sc := store.AccountScope(a.AccountID)
	out := ReportAccepted{ResourceID: a.ResourceID, Hash: hash}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		cur, err := tx.Agents(sc).Get(ctx, a.ID)
		if err != nil {
			return err
		}
		if !cur.Usable() {
			return unauthenticated("agent credential revoked")
		}
		if cur.ReportHash == hash {
			return tx.Agents(sc).Seen(ctx, a.ID, rep.Version)
		}
		res, err := tx.Resources(sc).Get(ctx, a.ResourceID)
		if err != nil {
			return err
		}
		inv := rep.Inventory
		inv.Target = model.Target{Kind: model.TargetHost, Name: res.Name}
		if inv.OS != nil {
			inv.OS.Kernel = rep.Kernel
		} else if rep.Kernel != "" {
			inv.OS = &model.OS{Kernel: rep.Kernel, Unknown: true}
		}
		if inv.IndexedAt.IsZero() {
			inv.IndexedAt = s.now()
		}
		// Staged: the scan queued below writes its package index.
		enc, err := store.EncodeForStage(inv)
		if err != nil {
			return err
		}
		if _, err := tx.Inventories(sc).Stage(ctx, res.ID, enc); err != nil {
			return err
		}
		rep.Host.Host = res.Name
		state, err := json.Marshal(AgentState{Hostname: rep.Hostname, Version: rep.Version, Kernel: rep.Kernel, Machine: rep.Machine,
			OS: inv.OS, Packages: len(inv.Packages), Host: rep.Host, Errors: rep.Errors})
		if err != nil {
			return err
		}
		if err := tx.Agents(sc).SaveReport(ctx, a.ID, hash, state); err != nil {
			return err
		}
		if err := tx.Agents(sc).Seen(ctx, a.ID, rep.Version); err != nil {
			return err
		}
		j, err := enqueueScan(ctx, tx, res, "agent")
		out.Changed, out.JobID = true, j.ID
		return err
	})
	if err != nil {
		return nil, err
	}
	if out.Changed {
		s.notify()
	}
	return out, nil
}

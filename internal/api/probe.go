package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/netip"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/probe"
	"github.com/vigilsec/vigil/internal/store"
)

// ProbeResults is the body of POST /v1/probe-results: what one run of
// `vigil probe TARGET --attach` saw.
type ProbeResults struct {
	AccountID model.AccountID `json:"accountId,omitempty"`
	// ResourceID names the HOST the target is (for hosts known only from
	// an uploaded network model); without it the hosts are those whose
	// agent reports the probed address on an interface.
	ResourceID model.ResourceID `json:"resourceId,omitempty"`
	Target     string           `json:"target"`
	// Addr is the address probed; Ports the ports tried (the --ports
	// spec: "22,80,8000-8100", "-" for all); Open the ports that accepted.
	Addr     string         `json:"addr"`
	Ports    string         `json:"ports"`
	Open     []probe.Result `json:"open"`
	Vantage  string         `json:"vantage"`
	ProbedAt time.Time      `json:"probedAt"`
}

// ProbeAttached is the answer of POST /v1/probe-results.
type ProbeAttached struct {
	// Resources are the hosts matched; Findings the NETWORK_REACHABILITY
	// findings the results were attached to.
	Resources []model.ResourceID `json:"resources"`
	Findings  []ProbeFinding     `json:"findings"`
	// Unexpected are open ports no open finding's range holds: the
	// network model does not predict them from the internet.
	Unexpected []int `json:"unexpected,omitempty"`
}

// ProbeFinding is one finding the probe's results were attached to.
type ProbeFinding struct {
	ID        model.FindingID  `json:"id"`
	Resource  model.ResourceID `json:"resourceId"`
	Ports     model.PortRange  `json:"openPortRange"`
	Open      []int            `json:"open"`
	Confirmed bool             `json:"confirmed"`
}

// addressesTag holds the addresses of a network-model host's interfaces
// (private, public, IPv6; space-separated, at most maxTagLen bytes), by
// which probe results find the host.
const addressesTag = "vigil:addresses"

// hostAddresses returns the addresses tag of each host of m.
func hostAddresses(m *exposure.Model) map[string]string {
	out := map[string]string{}
	for _, i := range m.Interfaces {
		if i.Host == "" {
			continue
		}
		for _, a := range slices.Concat(i.Private, i.Public, i.IPv6) {
			cur, s := out[i.Host], a.String()
			if slices.Contains(strings.Fields(cur), s) || len(cur)+1+len(s) > maxTagLen {
				continue
			}
			out[i.Host] = strings.TrimSpace(cur + " " + s)
		}
	}
	return out
}

// maxProbeOpen bounds the open ports of one probe result.
const maxProbeOpen = 65535

func (s *Server) probeRoutes() []Route {
	return []Route{{"POST", "/v1/probe-results", Write, s.attachProbe}}
}

// attachProbe attaches a probe's results as evidence to the open TCP
// NETWORK_REACHABILITY findings of the probed host whose open range holds
// a probed port; a finding with an open port among them is confirmed.
func (s *Server) attachProbe(r *http.Request) (any, error) {
	p := mustPrincipal(r)
	var req ProbeResults
	if err := decodeJSON(r, MaxInventoryBody, &req); err != nil {
		return nil, err
	}
	acct, err := accountFor(p, req.AccountID)
	if err != nil {
		return nil, err
	}
	addr, err := netip.ParseAddr(req.Addr)
	if err != nil {
		return nil, badRequest("addr: %v", err)
	}
	addr = addr.Unmap()
	ports, err := probe.ParsePorts(req.Ports)
	if err != nil {
		return nil, badRequest("%v", err)
	}
	if len(req.Open) > maxProbeOpen {
		return nil, badRequest("open: at most %d ports", maxProbeOpen)
	}
	open := map[int]*probe.Result{}
	for i := range req.Open {
		o := &req.Open[i]
		if _, ok := slices.BinarySearch(ports, o.Port); !ok {
			return nil, badRequest("open: port %d was not probed (ports %q)", o.Port, req.Ports)
		}
		open[o.Port] = o
	}
	if req.ProbedAt.IsZero() {
		req.ProbedAt = s.now()
	}
	req.Vantage = clipText(req.Vantage, 200)
	req.Target = clipText(req.Target, 300)
	sc := store.AccountScope(acct)
	ctx := r.Context()
	out := ProbeAttached{Resources: []model.ResourceID{}, Findings: []ProbeFinding{}}
	err = s.store.InTx(ctx, func(tx store.Tx) error {
		out = ProbeAttached{Resources: []model.ResourceID{}, Findings: []ProbeFinding{}}
		res, err := probedHosts(ctx, tx, sc, req.ResourceID, addr)
		if err != nil {
			return err
		}
		out.Resources = res
		covered := map[int]bool{}
		for _, id := range res {
			if err := s.attachTo(ctx, tx, sc, id, &req, ports, open, covered, &out); err != nil {
				return err
			}
		}
		for _, o := range req.Open {
			if !covered[o.Port] {
				out.Unexpected = append(out.Unexpected, o.Port)
			}
		}
		slices.Sort(out.Unexpected)
		return s.audit(ctx, tx, p, acct, "probe.attach", req.Addr, map[string]any{"vantage": req.Vantage, "findings": len(out.Findings)})
	})
	return out, err
}

// probedHosts returns the HOST resources the probed address is: the one
// named, else those whose agent's last report lists addr on an interface
// and the network-model hosts whose interfaces hold it.
func probedHosts(ctx context.Context, tx store.Tx, sc store.Scope, named model.ResourceID, addr netip.Addr) ([]model.ResourceID, error) {
	if named != "" {
		res, err := tx.Resources(sc).Get(ctx, named)
		if err != nil {
			return nil, err
		}
		if res.Type != model.ResourceHost {
			return nil, badRequest("resourceId: %s is a %s, not a HOST", named, res.Type)
		}
		return []model.ResourceID{res.ID}, nil
	}
	agents, err := tx.Agents(sc).List(ctx)
	if err != nil {
		return nil, err
	}
	var out []model.ResourceID
	for _, a := range agents {
		if slices.Contains(out, a.ResourceID) {
			continue
		}
		_, data, err := tx.Agents(sc).Report(ctx, a.ResourceID)
		var nf *store.NotFoundError
		if errors.As(err, &nf) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var st AgentState
		if err := json.Unmarshal(data, &st); err != nil {
			continue // a report of another shape holds no addresses
		}
		if hasAddr(st.Host.Interfaces, addr) {
			out = append(out, a.ResourceID)
		}
	}
	f := store.ResourceFilter{Type: model.ResourceHost, Limit: 1000}
	for {
		hosts, err := tx.Resources(sc).List(ctx, f)
		if err != nil {
			return nil, err
		}
		for _, h := range hosts {
			if v, ok := h.Tags[addressesTag]; ok && !slices.Contains(out, h.ID) && slices.ContainsFunc(strings.Fields(v), func(f string) bool {
				a, err := netip.ParseAddr(f)
				return err == nil && a.Unmap() == addr
			}) {
				out = append(out, h.ID)
			}
		}
		if len(hosts) < f.Limit {
			break
		}
		f.After = hosts[len(hosts)-1].ID
	}
	slices.Sort(out)
	return out, nil
}

// attachTo adds the evidence to the open TCP network findings of one host.
func (s *Server) attachTo(ctx context.Context, tx store.Tx, sc store.Scope, id model.ResourceID, req *ProbeResults,
	ports []int, open map[int]*probe.Result, covered map[int]bool, out *ProbeAttached) error {
	fs := tx.Findings(sc)
	states, err := fs.States(ctx, id)
	if err != nil {
		return err
	}
	var ids []model.FindingID
	for _, st := range states {
		if st.Status != model.StatusClosed && st.Package == "" {
			ids = append(ids, st.ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	found, err := fs.GetMany(ctx, ids)
	if err != nil {
		return err
	}
	var puts []model.Finding
	for _, f := range found {
		n := f.Network
		if f.Type != model.FindingNetworkReachability || n == nil || !strings.EqualFold(n.Protocol, "TCP") {
			continue
		}
		ev, openHere := evidenceFor(req, ports, open, n.Ports)
		if ev.Probed == 0 {
			continue
		}
		for _, p := range openHere {
			covered[p] = true
		}
		nd := *n
		nd.Evidence = append(slices.Clone(n.Evidence), ev)
		if len(nd.Evidence) > model.MaxProbeEvidence {
			nd.Evidence = nd.Evidence[len(nd.Evidence)-model.MaxProbeEvidence:]
		}
		nd.Confirmed = n.Confirmed || len(openHere) > 0
		f.Network = &nd
		f.UpdatedAt = s.now()
		puts = append(puts, f)
		out.Findings = append(out.Findings, ProbeFinding{ID: f.ID, Resource: id, Ports: n.Ports, Open: openHere, Confirmed: nd.Confirmed})
	}
	if len(puts) == 0 {
		return nil
	}
	return fs.Put(ctx, puts...)
}

// evidenceFor is what the probe saw of one port range, and the open ports
// in it.
func evidenceFor(req *ProbeResults, ports []int, open map[int]*probe.Result, rng model.PortRange) (model.ProbeEvidence, []int) {
	ev := model.ProbeEvidence{ProbedAt: req.ProbedAt.UTC(), Vantage: req.Vantage, Target: req.Target, Addr: req.Addr, Ports: []model.ProbePort{}}
	lo, _ := slices.BinarySearch(ports, rng.Begin)
	var openHere []int
	var closed []model.ProbePort
	for _, p := range ports[lo:] {
		if p > rng.End {
			break
		}
		ev.Probed++
		o := open[p]
		if o == nil {
			if len(closed) < model.MaxProbeClosed {
				closed = append(closed, model.ProbePort{Port: p})
			} else {
				ev.ClosedOmitted++
			}
			continue
		}
		openHere = append(openHere, p)
		pp := model.ProbePort{Port: p, Open: true}
		if sv := o.Service; sv != nil {
			pp.Service = sv.Name
			pp.Banner = clipText(strings.Join(slices.DeleteFunc([]string{sv.Banner, sv.Server, sv.TLSSubject}, func(s string) bool { return s == "" }), "; "), 300)
		}
		ev.Ports = append(ev.Ports, pp)
	}
	ev.Ports = append(ev.Ports, closed...)
	return ev, openHere
}

// hasAddr reports whether one of the interfaces carries addr.
func hasAddr(ifs []exposure.HostInterface, addr netip.Addr) bool {
	for _, i := range ifs {
		for _, a := range i.Addrs {
			if a.Addr().Unmap() == addr {
				return true
			}
		}
	}
	return false
}

// clipText cuts s to at most n bytes.
func clipText(s string, n int) string {
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "")
	}
	return s
}

package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/exposure"
	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// withExposure adds the network side of a host to the observations of its
// scan, when an agent reports for the host: NETWORK_REACHABILITY
// observations from the host firewall and listening sockets, and the
// exposure context of every package observation (raised when the
// package's process listens on an internet-reachable port, lowered when no
// port of the host is reachable). Findings of both kinds are reconciled
// together, so neither closes the other.
func (a *App) withExposure(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, obs []model.Observation) ([]model.Observation, error) {
	if res.Type != model.ResourceHost {
		return obs, nil
	}
	_, data, err := tx.Agents(sc).Report(ctx, res.ID)
	var nf *store.NotFoundError
	if errors.As(err, &nf) {
		return obs, nil
	}
	if err != nil {
		return nil, err
	}
	var st api.AgentState
	if err := json.Unmarshal(data, &st); err != nil {
		a.log.Warn("unreadable agent report; exposure skipped", "resource", res.ID, "err", err)
		return obs, nil
	}
	st.Host.Host = res.Name
	hr, err := exposure.AnalyzeHost(ctx, &st.Host)
	if err != nil {
		return nil, err
	}
	listeners := map[string][]string{}
	for _, se := range hr.Sockets {
		if se.Socket.Package == "" || !slices.Contains(se.Zones, exposure.KindInternet) {
			continue
		}
		l := string(se.Socket.Protocol) + " " + itoa(se.Socket.Port)
		if se.Socket.Process != "" {
			l += " (" + se.Socket.Process + ")"
		}
		if !slices.Contains(listeners[se.Socket.Package], l) {
			listeners[se.Socket.Package] = append(listeners[se.Socket.Package], l)
		}
	}
	finding.ApplyExposure(obs, len(hr.Findings) > 0, listeners)
	for _, f := range hr.Findings {
		obs = append(obs, f.Observation)
	}
	return obs, nil
}

func itoa(i int) string { return strconv.Itoa(i) }

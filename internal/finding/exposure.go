package finding

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// ExposedBoost is added to a network-vector vulnerability of a package
// whose own process listens on an internet-reachable port.
const ExposedBoost = 1.0

// exposureContext turns a package's network context into a ScoreContext.
func exposureContext(e *model.PackageExposure) ScoreContext {
	if e == nil {
		return ScoreContext{}
	}
	reachable := e.HostReachable
	return ScoreContext{NetworkExposed: &reachable, Listening: strings.Join(e.InternetListeners, ", ")}
}

// listeningAdjustment raises a network-vector vulnerability of a package
// listening on an internet-reachable port.
func listeningAdjustment(c model.CVSS, sc ScoreContext) []model.ScoreAdjustment {
	if sc.Listening == "" || !strings.Contains(c.Vector, "AV:N") {
		return nil
	}
	return []model.ScoreAdjustment{{Metric: "exposure",
		Reason: "the package's process listens on an internet-reachable port: " + sc.Listening, Delta: ExposedBoost}}
}

// ApplyExposure records the network context of a host on its package
// observations: every package learns whether the host is reachable at
// all, and packages whose processes listen on internet-reachable ports
// (listeners maps a package name to those ports) learn which.
func ApplyExposure(obs []model.Observation, hostReachable bool, listeners map[string][]string) {
	for i := range obs {
		p := obs[i].Package
		if p == nil {
			continue
		}
		p.Exposure = &model.PackageExposure{HostReachable: hostReachable, InternetListeners: listeners[p.Package.Name]}
	}
}

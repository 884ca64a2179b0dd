package finding

import (
	"fmt"
	"math"
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// Score adjustments, in score points.
const (
	// KEVBoost is added when the vulnerability is in CISA KEV.
	KEVBoost = 1.0
	// EPSSBoost is added when the EPSS score is at least EPSSThreshold.
	EPSSBoost     = 0.5
	EPSSThreshold = 0.5
	// UnexposedPenalty is subtracted from a network-vector vulnerability
	// on a resource with no open network path.
	UnexposedPenalty = 1.0
)

// ScoreContext is what the environment says about a finding's resource;
// the zero value knows nothing and adjusts for nothing.
type ScoreContext struct {
	// NetworkExposed is the network reachability of the resource, once
	// the exposure analysis provides it: false lowers the score of a
	// vulnerability with attack vector NETWORK; nil means unknown.
	NetworkExposed *bool
	// Listening, when set, says which internet-reachable ports the
	// vulnerable package's own process listens on: it raises the score of
	// a vulnerability with attack vector NETWORK (see exposure.go).
	Listening string
}

// Score computes the vigil score of a vulnerability: the highest CVSS base
// score (v3.x preferred, as Inspector does, else any version) adjusted for
// exploitation (KEV), exploit prediction (EPSS) and, when known, network
// exposure, each adjustment recorded with its reason. It returns nil when
// the vulnerability has no CVSS.
func Score(v *model.Vulnerability, sc ScoreContext) *model.ScoreDetails {
	best := -1
	for i, c := range v.CVSS {
		if best < 0 || better(c, v.CVSS[best]) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	c := v.CVSS[best]
	d := &model.ScoreDetails{Base: c.BaseScore, Version: c.Version, Vector: c.Vector, Source: c.Source}
	if v.KEV != nil {
		d.Adjustments = append(d.Adjustments, model.ScoreAdjustment{Metric: "exploitability",
			Reason: fmt.Sprintf("listed in CISA KEV since %s", v.KEV.DateAdded), Delta: KEVBoost})
	}
	if v.EPSS != nil && v.EPSS.Score >= EPSSThreshold {
		d.Adjustments = append(d.Adjustments, model.ScoreAdjustment{Metric: "epss",
			Reason: fmt.Sprintf("EPSS %.4g ≥ %.2g: exploitation likely", v.EPSS.Score, EPSSThreshold), Delta: EPSSBoost})
	}
	if sc.NetworkExposed != nil && !*sc.NetworkExposed && strings.Contains(c.Vector, "AV:N") {
		d.Adjustments = append(d.Adjustments, model.ScoreAdjustment{Metric: "attackVector",
			Reason: "attack vector NETWORK but no open network path to the resource", Delta: -UnexposedPenalty})
	}
	d.Adjustments = append(d.Adjustments, listeningAdjustment(c, sc)...)
	s := d.Base
	for _, a := range d.Adjustments {
		s += a.Delta
	}
	d.Score = math.Round(min(10, max(0, s))*10) / 10
	return d
}

// better reports whether a should be the base rather than b: v3.x over
// other versions, then the higher score.
func better(a, b model.CVSS) bool {
	av3, bv3 := strings.HasPrefix(a.Version, "3"), strings.HasPrefix(b.Version, "3")
	if av3 != bv3 {
		return av3
	}
	return a.BaseScore > b.BaseScore
}

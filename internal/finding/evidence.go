package finding

import "github.com/vigilsec/vigil/internal/model"

// keepEvidence carries the probe evidence of a stored network finding
// over to the finding as a rescan observed it (the analysis never
// produces evidence; vigil probe --attach adds it). It reports whether
// it changed cand.
func keepEvidence(old *model.Finding, cand *model.Finding) bool {
	if old.Network == nil || cand.Network == nil || (len(old.Network.Evidence) == 0 && !old.Network.Confirmed) {
		return false
	}
	n := *cand.Network
	n.Evidence, n.Confirmed = old.Network.Evidence, old.Network.Confirmed
	cand.Network = &n
	return true
}

package epss

import "github.com/vigilsec/vigil/internal/model"

// Lookup returns the scores keyed by CVE id; when a CVE appears on several
// rows the last one wins.
func (s *Scores) Lookup() map[string]model.EPSS {
	m := make(map[string]model.EPSS, len(s.Entries))
	for _, e := range s.Entries {
		m[e.CVE] = e
	}
	return m
}

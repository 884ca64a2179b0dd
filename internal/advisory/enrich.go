package advisory

import (
	"io"
	"os"

	"github.com/vigilsec/vigil/internal/advisory/epss"
	"github.com/vigilsec/vigil/internal/advisory/kev"
	"github.com/vigilsec/vigil/internal/advisory/nvd"
	"github.com/vigilsec/vigil/internal/model"
)

// enrichment holds the lookup maps of a snapshot's enrichment feeds.
type enrichment struct {
	kev  map[string]model.KEV
	epss map[string]model.EPSS
	nvd  map[string][]model.CVSS
	errs []error
}

func newEnrichment() *enrichment {
	return &enrichment{kev: map[string]model.KEV{}, epss: map[string]model.EPSS{}, nvd: map[string][]model.CVSS{}}
}

// enrichment loads the enrichment maps once.
func (s *Snapshot) enrichment() *enrichment {
	s.enrichOnce.Do(func() {
		e := newEnrichment()
		for _, f := range s.m.Feeds {
			spec := kindSpecs[f.Kind]
			if spec.load == nil {
				continue
			}
			if err := s.loadEnrichment(f.Name, spec, e); err != nil {
				e.errs = append(e.errs, &FeedError{Feed: f.Name, Err: err})
			}
		}
		s.enrich = e
	})
	return s.enrich
}

// loadEnrichment reads one enrichment blob from the handle opened with
// the snapshot.
func (s *Snapshot) loadEnrichment(name string, spec kindSpec, e *enrichment) error {
	s.mu.Lock()
	f, ok := s.enrichFiles[name]
	s.mu.Unlock()
	if !ok {
		return os.ErrClosed
	}
	_, err := spec.load(io.NewSectionReader(f, 0, 1<<62), e)
	return err
}

func loadBlob(path string, spec kindSpec, e *enrichment) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return spec.load(f, e)
}

// loadKEV reads a CISA KEV catalog.
func loadKEV(r io.Reader, e *enrichment) (int, error) {
	c, err := kev.Parse(r)
	if err != nil {
		return 0, err
	}
	for _, k := range c.Entries {
		e.kev[k.CVE] = k
	}
	return len(c.Entries), nil
}

// loadEPSS reads an EPSS daily file (gzip or plain).
func loadEPSS(r io.Reader, e *enrichment) (int, error) {
	sc, err := epss.Parse(r)
	if err != nil {
		return 0, err
	}
	for _, s := range sc.Entries {
		e.epss[s.CVE] = s
	}
	return len(sc.Entries), nil
}

// loadNVD reads the merged NVD API 2.0 response vigil stores; CVEs without
// any CVSS still count (they were asked for and need not be asked again).
func loadNVD(r io.Reader, e *enrichment) (int, error) {
	cves, err := nvd.Parse(r)
	if err != nil {
		return 0, err
	}
	for _, c := range cves {
		if len(c.CVSS) > 0 {
			e.nvd[c.ID] = c.CVSS
		}
	}
	return len(cves), nil
}

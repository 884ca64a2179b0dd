package advisory

import (
	"errors"
	"io"
	"os"

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
			if _, err := loadBlob(s.db.blobPath(f.Blob), spec, e); err != nil {
				e.errs = append(e.errs, &FeedError{Feed: f.Name, Err: err})
			}
		}
		s.enrich = e
	})
	return s.enrich
}

func loadBlob(path string, spec kindSpec, e *enrichment) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	return spec.load(f, e)
}

// errParserMissing marks an enrichment kind whose parser is not built yet.
var errParserMissing = errors.New("parser not available in this build")

func loadKEV(r io.Reader, e *enrichment) (int, error)  { return 0, errParserMissing }
func loadEPSS(r io.Reader, e *enrichment) (int, error) { return 0, errParserMissing }
func loadNVD(r io.Reader, e *enrichment) (int, error)  { return 0, errParserMissing }

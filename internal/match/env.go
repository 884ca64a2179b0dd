package match

import (
	"context"
	"iter"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/osv"
)

// Enricher supplies the data results are enriched with, by CVE id.
// *advisory.Snapshot satisfies it.
type Enricher interface {
	KEV(cve string) (model.KEV, bool)
	EPSS(cve string) (model.EPSS, bool)
	NVDCVSS(cve string) []model.CVSS
}

// RecordLoader loads a full record by id. When the Enricher given to Build
// implements it, matched vulnerabilities get their details, references and
// CWEs from the full record.
type RecordLoader interface {
	Record(ctx context.Context, id string) (*osv.Record, error)
}

// FeedNamer names the feed a record came from. When the Enricher given to
// Build implements it, evidence names the feed. It is asked once per record
// at build time (the persisted index keeps the answer), never at match time.
type FeedNamer interface {
	FeedOf(id string) string
}

// Snapshot is what Load needs of an advisory snapshot. *advisory.Snapshot
// satisfies it.
type Snapshot interface {
	Enricher
	RecordLoader
	FeedNamer
	ID() string
	// Dir is the snapshot's directory; Load keeps the persisted index there.
	Dir() string
	Records(ctx context.Context) iter.Seq2[*osv.Record, error]
}

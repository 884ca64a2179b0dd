package index

import (
	"runtime"
	"time"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/list"
	"github.com/vigilsec/vigil/internal/extract/osinfo"
)

// Options configure Index.
type Options struct {
	// Extractors to run; list.All() when nil.
	Extractors []extract.Extractor
	// Limits bound the scan; zero fields take extract.DefaultLimits.
	Limits extract.Limits
	// Timeout bounds the whole scan when positive; hitting it gives a
	// partial inventory with a "time" issue, not an error.
	Timeout time.Duration
	// CacheDir holds per-layer results; no cache when empty.
	CacheDir string
	// TempDir is where the scan's scratch directory is made; os.TempDir()
	// when empty. The scratch directory is removed at the end.
	TempDir string
	// Parallelism bounds the layers walked at once; GOMAXPROCS when zero.
	Parallelism int
	// SpillThreshold is the file size above which content goes to a
	// temporary file; fsx.DefaultSpillThreshold when zero.
	SpillThreshold int64
	// Now returns the time stamped on the inventory; time.Now when nil.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Extractors == nil {
		o.Extractors = list.All()
	}
	if o.Parallelism <= 0 {
		o.Parallelism = runtime.GOMAXPROCS(0)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// osFile reports whether a path is an OS release file.
func osFile(p string) bool { return osinfo.Required(p) }

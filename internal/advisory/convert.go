package advisory

import (
	"io"

	"github.com/vigilsec/vigil/internal/advisory/alpine"
	"github.com/vigilsec/vigil/internal/advisory/debian"
	"github.com/vigilsec/vigil/internal/osv"
)

// convertDebian converts a Debian security tracker DSA or DLA list.
func convertDebian(r io.Reader, feed string) ([]*osv.Record, error) {
	kind, err := debianKind(feed)
	if err != nil {
		return nil, err
	}
	return debian.ParseTrackerList(r, kind)
}

// checkAlpine verifies an Alpine secdb JSON file.
func checkAlpine(r io.Reader) (int, error) {
	recs, err := alpine.ParseSecDB(r)
	return len(recs), err
}

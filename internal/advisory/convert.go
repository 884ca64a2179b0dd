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

// convertAlpine converts an Alpine secdb JSON file.
func convertAlpine(r io.Reader, _ string) ([]*osv.Record, error) {
	return alpine.ParseSecDB(r)
}

package python

import "github.com/vigilsec/vigil/internal/extract"

// Extractors returns every extractor of this package, for the explicit
// list of extractors vigil runs.
func Extractors() []extract.Extractor {
	return []extract.Extractor{NewMetadata(), NewRequirements(), NewPoetryLock(), NewPipfileLock(), NewUVLock()}
}

package cargo

import (
	"fmt"
	"io"

	"github.com/vigilsec/vigil/internal/extract"
)

// maxLockSize bounds a Cargo.lock read when the input's limits give none.
const maxLockSize = 64 << 20

// readBounded reads the whole input, failing with a LimitError when it is
// larger than the file size limit.
func readBounded(in *extract.Input) ([]byte, error) {
	limit := int64(maxLockSize)
	if in.Limits != nil && in.Limits.MaxFileSize > 0 && in.Limits.MaxFileSize < limit {
		limit = in.Limits.MaxFileSize
	}
	if in.Reader == nil {
		return nil, fmt.Errorf("input has no reader")
	}
	b, err := io.ReadAll(io.LimitReader(in.Reader, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(b)) > limit {
		return nil, &extract.LimitError{Limit: "max-file-size", Path: in.Path, Value: limit}
	}
	return b, nil
}

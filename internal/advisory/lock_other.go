//go:build !unix

package advisory

import "context"

// lock is a no-op where flock is unavailable: concurrent updaters must be
// avoided by the operator there.
func (db *DB) lock(ctx context.Context, name string) (unlock func(), err error) {
	return func() {}, ctx.Err()
}

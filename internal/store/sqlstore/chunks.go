package sqlstore

import "runtime/debug"

// execChunks writes rows [0, n) in multi-row statements of at most size
// rows: build returns the values of rows [lo, hi), exec runs the
// statement of k rows with them. With more than one statement, each one's
// values are built on another goroutine while the one before executes, so
// that the transaction — which on SQLite holds the one writer — waits for
// the slower of the two rather than for both (encoding JSON, compressing
// and hashing take about a third of writing a finding or an event). The
// first error ends it; a panic in build is returned as a *PanicError.
func execChunks(n, size int, build func(lo, hi int) ([]any, error), exec func(k int, args []any) error) error {
	if n <= 0 {
		return nil
	}
	if n <= size {
		args, err := safeBuild(build, 0, n)
		if err != nil {
			return err
		}
		return exec(n, args)
	}
	chunks := make(chan builtChunk, 1)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		defer close(chunks)
		for lo := 0; lo < n; lo += size {
			hi := min(lo+size, n)
			args, err := safeBuild(build, lo, hi)
			select {
			case chunks <- builtChunk{k: hi - lo, args: args, err: err}:
			case <-stop:
				return
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range chunks {
		if c.err != nil {
			return c.err
		}
		if err := exec(c.k, c.args); err != nil {
			return err
		}
	}
	return nil
}

// builtChunk is the values of one statement of execChunks.
type builtChunk struct {
	k    int
	args []any
	err  error
}

// safeBuild calls build, turning a panic into an error (it may run on a
// goroutine of its own, where a panic would end the process).
func safeBuild(build func(lo, hi int) ([]any, error), lo, hi int) (args []any, err error) {
	defer func() {
		if v := recover(); v != nil {
			args, err = nil, &PanicError{Value: v, Stack: debug.Stack()}
		}
	}()
	return build(lo, hi)
}

package fsx

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/extract/list"
)

// walkPkgdb walks the shared package-database corpus with every extractor
// under limits l, and returns the result and the walk's duration.
func walkPkgdb(t *testing.T, l extract.Limits) (*Result, time.Duration) {
	t.Helper()
	d, err := NewDir("../../../shared/testdata/pkgdb")
	if err != nil {
		t.Fatal(err)
	}
	budget := NewBudget(l)
	start := time.Now()
	res, err := Walk(context.Background(), d, Options{Extractors: list.All(), Budget: budget})
	if err != nil {
		t.Fatal(err)
	}
	return res, time.Since(start)
}

// TestReadRateWalk walks a real tree at a small read rate: the walk takes
// at least the bytes it read divided by the rate (less the limiter's
// slack), and finds exactly what an unlimited walk finds.
func TestReadRateWalk(t *testing.T) {
	free, _ := walkPkgdb(t, extract.Limits{})
	if free.Stats.BytesRead < 64<<10 {
		t.Fatalf("corpus too small to pace: %d bytes read", free.Stats.BytesRead)
	}
	pkgs := 0
	for _, er := range free.Extractors {
		for _, ps := range er.Packages {
			pkgs += len(ps)
		}
	}
	if pkgs == 0 {
		t.Fatal("the corpus walk found no packages")
	}
	// About two seconds' worth of reading at this rate.
	rate := free.Stats.BytesRead / 2
	slow, elapsed := walkPkgdb(t, extract.Limits{ReadRate: rate})
	if diff := cmp.Diff(free.Stats, slow.Stats); diff != "" {
		t.Errorf("stats differ (-unlimited +limited):\n%s", diff)
	}
	if diff := cmp.Diff(free.Extractors, slow.Extractors); diff != "" {
		t.Errorf("inventory differs (-unlimited +limited):\n%s", diff)
	}
	if diff := cmp.Diff(free.Issues, slow.Issues); diff != "" {
		t.Errorf("issues differ (-unlimited +limited):\n%s", diff)
	}
	floor := time.Duration(float64(slow.Stats.BytesRead)/float64(rate)*float64(time.Second)) - rateSlack
	if elapsed < floor {
		t.Errorf("read %d bytes at %d B/s in %v, less than the %v the rate allows", slow.Stats.BytesRead, rate, elapsed, floor)
	}
	t.Logf("%d files, %d bytes read at %d B/s in %v (floor %v)", slow.Stats.FilesRead, slow.Stats.BytesRead, rate, elapsed, floor)
}

func TestRateLimiter(t *testing.T) {
	if NewRateLimiter(0) != nil || NewRateLimiter(-1) != nil {
		t.Error("a zero or negative rate must mean no limiter")
	}
	r := bytes.NewReader([]byte("abc"))
	if got := paced(context.Background(), r, nil); got != io.Reader(r) {
		t.Errorf("unlimited paced reader wraps: %T", got)
	}
	// A cancelled context ends the wait of a read far over the rate.
	lim := NewRateLimiter(1)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := lim.Wait(ctx, 1<<20); !errors.Is(err, context.Canceled) {
		t.Errorf("Wait after cancel = %v, want context.Canceled", err)
	}
	// Reads through the limiter are cut to rateChunk and return the
	// limiter's error with the bytes read.
	big := bytes.Repeat([]byte{'x'}, 3*rateChunk)
	pr := paced(ctx, bytes.NewReader(big), NewRateLimiter(1))
	n, err := pr.Read(make([]byte, len(big)))
	if n != rateChunk || !errors.Is(err, context.Canceled) {
		t.Errorf("Read = %d, %v; want %d, context.Canceled", n, err, rateChunk)
	}
}

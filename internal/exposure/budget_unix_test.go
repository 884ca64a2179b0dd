//go:build unix

package exposure

import (
	"context"
	"syscall"
	"testing"
	"time"
)

func cpuTime(t *testing.T) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		t.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// TestLargeModelWithinBudget guards the acceptance figure (5,000
// instances, 500 groups, 200 subnets in ≤ 10 s) in normal test runs. It
// checks CPU time, which a loaded shared machine does not inflate the way
// it inflates wall time; both are logged. Skipped with -short.
func TestLargeModelWithinBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("large model")
	}
	m := generateModel(5000, 500, 200)
	cpu0, start := cpuTime(t), time.Now()
	res, err := Analyze(context.Background(), m, Options{})
	if err != nil {
		t.Fatal(err)
	}
	wall, cpu := time.Since(start), cpuTime(t)-cpu0
	t.Logf("5000 instances, 500 groups, 200 subnets: %d findings in %v wall, %v CPU", len(res.Findings), wall, cpu)
	if cpu > 10*time.Second {
		t.Errorf("took %v of CPU, budget 10s", cpu)
	}
	if len(res.Findings) == 0 {
		t.Error("generated model yields no finding")
	}
}

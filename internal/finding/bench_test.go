package finding_test

import (
	"context"
	"fmt"
	"hash/fnv"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/finding"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
)

// cpuTime returns the CPU time (user + system) the process has used. The
// benchmarks report it per operation beside wall time, because on a shared
// machine wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// variant returns host i's inventory: the corpus host with about one
// package in ten left out, chosen by host, so hosts differ as real ones do.
func variant(inv *model.Inventory, i int) *model.Inventory {
	v := *inv
	v.Packages = make([]model.Package, 0, len(inv.Packages))
	for _, p := range inv.Packages {
		h := fnv.New32a()
		fmt.Fprintf(h, "%d\x00%s", i, p.Key())
		if h.Sum32()%10 != 0 {
			v.Packages = append(v.Packages, p)
		}
	}
	return &v
}

// BenchmarkReconcile measures one reconciliation of the corpus host's
// observations (about 300 findings) on SQLite: "new" creates them all on a
// fresh resource (findings and events written), "rescan" observes them
// again unchanged (lastObservedAt touched), "churn" alternates two
// inventories that differ by a tenth of their packages.
func BenchmarkReconcile(b *testing.B) {
	c := loadCorpus(b)
	obs := finding.ObservationsFromMatches(c.inv, c.matches)
	alt, err := (&scan.Engine{Index: c.ix}).Match(context.Background(), variant(c.inv, 1))
	if err != nil {
		b.Fatal(err)
	}
	altObs := finding.ObservationsFromMatches(c.inv, alt)
	ctx := context.Background()
	for _, mode := range []string{"new", "rescan", "churn"} {
		b.Run(mode, func(b *testing.B) {
			s := openSQLite(b)
			acct := newAccount(b, s, "acme")
			host := newResource(b, s, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: "host"})
			sc := store.AccountScope(acct.ID)
			now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
			i := 0
			reconcile := func(r model.Resource, o []model.Observation) {
				i++
				err := s.InTx(ctx, func(tx store.Tx) error {
					_, err := finding.Reconcile(ctx, tx, sc, r, fmt.Sprint("scan-", i), c.snapshot, o, now.Add(time.Duration(i)*time.Second))
					return err
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			reconcile(host, obs)
			b.ResetTimer()
			cpu0 := cpuTime()
			for b.Loop() {
				switch mode {
				case "new":
					b.StopTimer()
					r := newResource(b, s, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: fmt.Sprint("host-", i)})
					b.StartTimer()
					reconcile(r, obs)
				case "rescan":
					reconcile(host, obs)
				case "churn":
					if i%2 == 0 {
						reconcile(host, altObs)
					} else {
						reconcile(host, obs)
					}
				}
			}
			cpu := cpuTime() - cpu0
			b.ReportMetric(float64(len(obs)), "findings/op")
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "inventories/s")
			b.ReportMetric(float64(cpu.Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// BenchmarkPushConcurrent is the target: 1,000 host inventories
// (variants of the corpus host) pushed at once, each matched against the
// corpus advisories and reconciled in its own transaction by a pool of
// workers, on SQLite. It reports inventories per second (target ≥ 100).
func BenchmarkPushConcurrent(b *testing.B) {
	hosts, workers := 1000, 8
	if n, err := strconv.Atoi(os.Getenv("VIGIL_BENCH_HOSTS")); err == nil && n > 0 {
		hosts = n // a smaller run, for profiling
	}
	c := loadCorpus(b)
	ctx := context.Background()
	invs := make([]*model.Inventory, hosts)
	for i := range invs {
		invs[i] = variant(c.inv, i)
	}
	eng := &scan.Engine{Index: c.ix}
	findings := int64(0)
	var cpu time.Duration
	for b.Loop() {
		b.StopTimer()
		s := openSQLite(b)
		acct := newAccount(b, s, "acme")
		res := make([]model.Resource, hosts)
		err := s.InTx(ctx, func(tx store.Tx) error {
			for i := range res {
				var err error
				res[i], _, err = tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: fmt.Sprint("host-", i)})
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		cpu0 := cpuTime()
		var next atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, workers)
		now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1)) - 1
					if i >= hosts {
						return
					}
					inv := *invs[i] // Match may mark a copy partial
					ms, err := eng.Match(ctx, &inv)
					if err != nil {
						errs <- err
						return
					}
					obs := finding.ObservationsFromMatches(&inv, ms)
					err = s.InTx(ctx, func(tx store.Tx) error {
						d, err := finding.Reconcile(ctx, tx, store.AccountScope(acct.ID), res[i], fmt.Sprint("scan-", i), c.snapshot, obs, now)
						atomic.AddInt64(&findings, int64(d.Created))
						return err
					})
					if err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Wait()
		cpu += cpuTime() - cpu0
		close(errs)
		for err := range errs {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(hosts*b.N)/b.Elapsed().Seconds(), "inventories/s")
	b.ReportMetric(float64(findings)/float64(hosts*b.N), "findings/inventory")
	b.ReportMetric(float64(cpu.Microseconds())/1000/float64(hosts*b.N), "cpu-ms/inventory")
}

package storetest

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Bench runs the store benchmarks: the queue's enqueue+lease+ack cycle
// (serial and parallel), saving an inventory, and finding resources by
// package among 1,000 stored inventories, and the findings queries
// (BenchFindings).
func Bench(b *testing.B, nb NewBackend) {
	b.Run("QueueCycle", func(b *testing.B) { benchQueue(b, nb, false) })
	b.Run("QueueCycleParallel", func(b *testing.B) { benchQueue(b, nb, true) })
	b.Run("InventorySave", func(b *testing.B) { benchInventorySave(b, nb, 1) })
	b.Run("InventorySaveBatch10", func(b *testing.B) { benchInventorySave(b, nb, 10) })
	b.Run("ResourcesWithPackages", func(b *testing.B) { benchResourcesWithPackages(b, nb) })
	b.Run("Findings", func(b *testing.B) { BenchFindings(b, nb) })
}

func openBench(b *testing.B, nb NewBackend) store.Store {
	b.Helper()
	s, err := nb(b).Open(context.Background(), store.Options{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = s.Close() })
	return s
}

func benchQueue(b *testing.B, nb NewBackend, parallel bool) {
	ctx := context.Background()
	q := openBench(b, nb).Queue()
	cycle := func(worker string) error {
		if _, _, err := q.Enqueue(ctx, model.Job{Kind: "scan", Payload: []byte(`{"resource":"res-1"}`)}); err != nil {
			return err
		}
		l, err := q.Lease(ctx, worker, []model.JobKind{"scan"}, time.Minute)
		if err != nil {
			return err
		}
		if l == nil {
			return nil // another goroutine took it; it acks it
		}
		return q.Ack(ctx, l)
	}
	b.ResetTimer()
	start := time.Now()
	if !parallel {
		for b.Loop() {
			if err := cycle("w"); err != nil {
				b.Fatal(err)
			}
		}
	} else {
		var n atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			w := fmt.Sprintf("w%d", n.Add(1))
			for pb.Next() {
				if err := cycle(w); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "jobs/s")
}

// benchInventorySave saves the sample inventory for a new resource,
// batch resources per transaction; one op is one inventory.
func benchInventorySave(b *testing.B, nb NewBackend, batch int) {
	ctx := context.Background()
	s := openBench(b, nb)
	inv := SampleInventory(b)
	var acct model.AccountID
	err := s.InTx(ctx, func(tx store.Tx) error {
		sys := tx.Accounts(store.SystemScope())
		org, err := sys.CreateOrganization(ctx, "bench")
		if err != nil {
			return err
		}
		a, err := sys.Create(ctx, model.Account{Org: org.ID, Name: "bench"})
		acct = a.ID
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sc := store.AccountScope(acct)
	i := 0
	b.ResetTimer()
	var bytes int
	start := time.Now()
	for n := 0; n < b.N; n += batch {
		// New resources each time: the package index is written too.
		err := s.InTx(ctx, func(tx store.Tx) error {
			for range min(batch, b.N-n) {
				i++
				r, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct, Type: model.ResourceHost, Name: fmt.Sprintf("host-%d", i)})
				if err != nil {
					return err
				}
				res, err := tx.Inventories(sc).Save(ctx, r.ID, inv)
				if err != nil {
					return err
				}
				bytes = res.Info.Bytes
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "inventories/s")
	b.ReportMetric(float64(len(inv.Packages)), "packages/inv")
	b.ReportMetric(float64(bytes), "stored-bytes/inv")
}

func benchResourcesWithPackages(b *testing.B, nb NewBackend) {
	ctx := context.Background()
	s := openBench(b, nb)
	inv := SampleInventory(b)
	const hosts = 1000
	err := s.InTx(ctx, func(tx store.Tx) error {
		sys := tx.Accounts(store.SystemScope())
		org, err := sys.CreateOrganization(ctx, "bench")
		if err != nil {
			return err
		}
		a, err := sys.Create(ctx, model.Account{Org: org.ID, Name: "bench"})
		if err != nil {
			return err
		}
		sc := store.AccountScope(a.ID)
		for i := range hosts {
			r, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: a.ID, Type: model.ResourceHost, Name: fmt.Sprintf("host-%d", i)})
			if err != nil {
				return err
			}
			if i%10 != 0 {
				continue // one host in ten holds the sample packages
			}
			if _, err := tx.Inventories(sc).Save(ctx, r.ID, inv); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	refs := []store.PackageRef{{Ecosystem: "Ubuntu", Name: "openssl"}, {Ecosystem: "Ubuntu", Name: "glibc"}, {Ecosystem: "npm", Name: "absent"}}
	for b.Loop() {
		err := s.View(ctx, func(tx store.Tx) error {
			got, err := tx.Inventories(store.SystemScope()).ResourcesWithPackages(ctx, refs)
			if err == nil && len(got) != hosts/10 {
				err = fmt.Errorf("%d resources, want %d", len(got), hosts/10)
			}
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

package app

import (
	"archive/zip"
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/pprof"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/memtarget"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// BenchmarkRematchAfterUpdate measures the re-matching of N stored host
// inventories (N from VIGIL_BENCH_INVENTORIES, default 10,000; each the
// real node-app lockfile's packages) after an advisory update that touches
// one package (lodash), on SQLite. Each iteration is one full rematch.
// The collector runs against the server's default memory target
// (memtarget.Default), as in `vigil server`.
// VIGIL_BENCH_PROF=FILE writes a CPU profile of the rematch alone;
// VIGIL_BENCH_KEEP=DIR builds the store in DIR and leaves it there (to
// inspect with sqlite3).
func BenchmarkRematchAfterUpdate(b *testing.B) {
	n := 10000
	if v := os.Getenv("VIGIL_BENCH_INVENTORIES"); v != "" {
		n, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	if tu, err := memtarget.Start(memtarget.Default); err == nil {
		defer tu.Stop()
	}
	dir := b.TempDir()
	if d := os.Getenv("VIGIL_BENCH_KEEP"); d != "" {
		dir = d
	}
	const npm = npmFeed
	adv, db, _ := advisoriesWithoutLodash(b, dir)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	a, err := New(ctx, Config{DataDir: filepath.Join(dir, "data"), AdvisoryDir: adv, Workers: -1, NoBootstrap: true, Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	inv, err := scan.Inventory(ctx, scan.Request{Kind: model.TargetFS, Target: "../cli/testdata/node-app"}, scan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	var acct model.Account
	refs := make([]store.ResourceRef, 0, n)
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "bench")
		if err != nil {
			return err
		}
		acct, err = tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "bench", DelegatedAdmin: true})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	sc := store.AccountScope(acct.ID)
	for i := 0; i < n; i += 500 {
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			for j := i; j < min(n, i+500); j++ {
				res, _, err := tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost, Name: fmt.Sprintf("host-%05d", j)})
				if err != nil {
					return err
				}
				if _, err := tx.Inventories(sc).Save(ctx, res.ID, inv); err != nil {
					return err
				}
				refs = append(refs, store.ResourceRef{AccountID: acct.ID, ResourceID: res.ID})
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// The first snapshot's findings exist before the update.
	if err := a.rematch(ctx, refs, ""); err != nil {
		b.Fatal(err)
	}
	res, err := db.Import(ctx, npm, advisory.ImportOptions{})
	if err != nil {
		b.Fatal(err)
	}
	// The setup wrote hundreds of megabytes; copy them back into the
	// database file now, as a server would have long before an update
	// arrives, rather than in the measured rematch's background.
	if err := checkpointNow(filepath.Join(dir, "data", storeopen.SQLiteFile)); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		if pf := os.Getenv("VIGIL_BENCH_PROF"); pf != "" {
			stop := cpuProfile(b, pf)
			defer stop()
		}
		start, cpu0 := time.Now(), cpuTime()
		prs := make([]store.PackageRef, 0, len(res.Diff.Packages))
		for _, p := range res.Diff.Packages {
			prs = append(prs, store.PackageRef{Ecosystem: p.Ecosystem, Name: p.Name})
		}
		got, err := a.rematchPackages(ctx, prs, res.Snapshot)
		if err != nil {
			b.Fatal(err)
		}
		if got != n {
			b.Fatalf("%d inventories rematched, want %d (diff %v)", got, n, res.Diff.Packages)
		}
		b.ReportMetric(time.Since(start).Seconds(), "s/rematch")
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s/rematch")
		b.ReportMetric(float64(n)/time.Since(start).Seconds(), "inventories/s")
	}
}

// lodashRecord is the npm advisory record (lodash's CVE-2021-23337) that
// the rematch tests leave out of the first snapshot, so that an update
// adding it back (npmFeed) touches one package of every host.
const lodashRecord = "GHSA-35jh-r3h4-6jhm.json"

// npmFeed is the corpus's npm feed, lodashRecord in it.
const npmFeed = testdataDir + "/osv/npm/all.zip"

// advisoriesWithoutLodash makes an advisory directory in dir whose
// current snapshot holds npmFeed without lodashRecord (left in
// dir/reduced.zip), then the feeds extra, and returns its path, a handle
// on it and the first import's result.
func advisoriesWithoutLodash(tb testing.TB, dir string, extra ...string) (string, *advisory.DB, *advisory.UpdateResult) {
	tb.Helper()
	ctx := context.Background()
	reduced := filepath.Join(dir, "reduced.zip")
	if err := zipWithout(npmFeed, reduced, lodashRecord); err != nil {
		tb.Fatal(err)
	}
	adv := filepath.Join(dir, "advisories")
	db, err := advisory.Open(adv)
	if err != nil {
		tb.Fatal(err)
	}
	first, err := db.Import(ctx, reduced, advisory.ImportOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	for _, p := range extra {
		if _, err := db.Import(ctx, p, advisory.ImportOptions{}); err != nil {
			tb.Fatal(err)
		}
	}
	return adv, db, first
}

// zipWithout copies the zip archive src to dst without the entry skip.
func zipWithout(src, dst, skip string) error {
	zr, err := zip.OpenReader(src)
	if err != nil {
		return err
	}
	defer zr.Close()
	f, err := os.Create(dst)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, e := range zr.File {
		if e.Name == skip {
			continue
		}
		w, err := zw.Create(e.Name)
		if err != nil {
			return err
		}
		r, err := e.Open()
		if err != nil {
			return err
		}
		_, err = io.Copy(w, r)
		r.Close()
		if err != nil {
			return err
		}
	}
	return zw.Close()
}

// cpuTime returns the CPU time (user + system) the process has used: on a
// shared machine wall time measures the neighbours too.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuProfile starts a CPU profile to path and returns what stops it.
func cpuProfile(b *testing.B, path string) func() {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		b.Fatal(err)
	}
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
	}
}

// checkpointNow copies the WAL of the SQLite database at path back into
// it with a PASSIVE checkpoint, as the server's background checkpointer
// does, and checks that it copied everything. (A TRUNCATE checkpoint
// would also rewrite the WAL header, which makes the store's writer drop
// its whole page cache at its next transaction, something a server's own
// checkpoints never cause: the writer restarts the WAL itself.)
func checkpointNow(path string) error {
	db, err := sql.Open("sqlite", path)
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, log, done int
	if err := db.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &log, &done); err != nil {
		return err
	}
	if busy != 0 || done != log {
		return fmt.Errorf("checkpoint: busy %d, %d of %d WAL frames copied", busy, done, log)
	}
	return nil
}

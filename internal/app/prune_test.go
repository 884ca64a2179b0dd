package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// maintenanceApp starts an app without workers, bootstrap or advisories
// in a temporary directory, for maintainOnce; cfg gives the rest.
func maintenanceApp(t *testing.T, cfg Config) *App {
	t.Helper()
	dir := t.TempDir()
	if _, err := advisory.Open(filepath.Join(dir, "advisories")); err != nil {
		t.Fatal(err)
	}
	cfg.DataDir, cfg.AdvisoryDir, cfg.Workers, cfg.NoBootstrap = filepath.Join(dir, "data"), filepath.Join(dir, "advisories"), -1, true
	a, err := New(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a
}

// TestPruneEvents: the maintenance round deletes events older than the
// event retention (no delivery target holds them back here) and keeps the
// newer ones.
func TestPruneEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	a := maintenanceApp(t, Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: func() time.Time { return now },
		EventRetention: 7 * 24 * time.Hour})
	appendEvent := func(subject string) {
		t.Helper()
		err := a.store.InTx(ctx, func(tx store.Tx) error {
			return tx.Outbox(store.SystemScope()).Append(ctx, model.Event{Type: "t", Subject: subject})
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	appendEvent("old")
	now = now.Add(6 * 24 * time.Hour)
	appendEvent("new")
	now = now.Add(2 * 24 * time.Hour) // "old" is 8 days old, "new" 2
	a.maintainOnce(ctx)
	var left []string
	err := a.store.View(ctx, func(tx store.Tx) error {
		evs, err := tx.Outbox(store.SystemScope()).List(ctx, 0, 10)
		for _, e := range evs {
			left = append(left, e.Subject)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(left) != 1 || left[0] != "new" {
		t.Errorf("events left after maintenance = %q, want [new]", left)
	}
}

// TestPruneDicts: the maintenance round deletes the findings' content
// dictionaries no finding names, once a day: a finding rewritten with a
// new version of its advisory leaves its old dictionary unnamed, which
// stays until a day after the app started, then goes.
func TestPruneDicts(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var logs strings.Builder
	a := maintenanceApp(t, Config{Logger: slog.New(slog.NewTextHandler(&logs, nil)), Now: func() time.Time { return now }})
	var acct model.Account
	err := a.store.InTx(ctx, func(tx store.Tx) error {
		org, err := tx.Accounts(store.SystemScope()).CreateOrganization(ctx, "org")
		if err != nil {
			return err
		}
		acct, err = tx.Accounts(store.SystemScope()).Create(ctx, model.Account{Org: org.ID, Name: "a"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	f := model.Finding{ID: "fnd-dict", AccountID: acct.ID, Type: model.FindingPackageVulnerability, CheckID: "CVE-2025-1",
		Description: strings.Repeat("An advisory's description, long enough to be worth a dictionary. ", 4),
		Severity:    model.SeverityHigh, Status: model.StatusActive, FirstObservedAt: now, LastObservedAt: now, UpdatedAt: now,
		Resource: model.FindingResource{ID: "res-1", Type: model.ResourceHost, Name: "h"},
		Package: &model.PackageVulnerabilityDetails{VulnerabilityID: "CVE-2025-1",
			VulnerablePackages: []model.VulnerablePackage{{Ecosystem: "PyPI", Name: "p", Version: "1"}}}}
	put := func(f model.Finding) {
		t.Helper()
		if err := a.store.InTx(ctx, func(tx store.Tx) error { return tx.Findings(store.SystemScope()).Put(ctx, f) }); err != nil {
			t.Fatal(err)
		}
	}
	put(f)
	f.Description += " Updated."
	f.Package.Modified = now
	put(f) // the first dictionary is named by no finding now
	now = now.Add(time.Hour)
	a.maintainOnce(ctx)
	if strings.Contains(logs.String(), "dictionaries pruned") {
		t.Fatalf("dictionaries pruned an hour after the start:\n%s", logs.String())
	}
	now = now.Add(24 * time.Hour)
	a.maintainOnce(ctx)
	if !strings.Contains(logs.String(), "dictionaries pruned") || !strings.Contains(logs.String(), "count=1") {
		t.Errorf("no dictionary pruned a day after the start:\n%s", logs.String())
	}
	var left int
	err = a.store.InTx(ctx, func(tx store.Tx) error {
		left, err = tx.Findings(store.SystemScope()).PruneDictionaries(ctx)
		return err
	})
	if err != nil || left != 0 {
		t.Errorf("PruneDictionaries after the maintenance round = %d, %v; want 0", left, err)
	}
}

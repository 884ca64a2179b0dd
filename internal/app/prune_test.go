package app

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// TestPruneEvents: the maintenance round deletes events older than the
// event retention (no delivery target holds them back here) and keeps the
// newer ones.
func TestPruneEvents(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := advisory.Open(filepath.Join(dir, "advisories")); err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	a, err := New(ctx, Config{DataDir: filepath.Join(dir, "data"), AdvisoryDir: filepath.Join(dir, "advisories"), Workers: -1,
		NoBootstrap: true, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: clock, EventRetention: 7 * 24 * time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
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
	err = a.store.View(ctx, func(tx store.Tx) error {
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

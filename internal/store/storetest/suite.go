package storetest

import (
	"context"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Backend is one empty database of an implementation.
type Backend interface {
	// Open opens (and migrates) the backend's database; every call opens
	// the same database.
	Open(ctx context.Context, opts store.Options) (store.Store, error)
	// Exec runs raw SQL on the database (to fake a newer schema).
	Exec(ctx context.Context, sql string) error
	// QueryInt runs a raw query whose one row is one integer (to inspect
	// what a migration left).
	QueryInt(ctx context.Context, sql string) (int64, error)
}

// NewBackend returns a fresh, empty database that is removed when tb ends.
type NewBackend func(tb testing.TB) Backend

// Clock is a fake clock for store.Options.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at a fixed instant.
func NewClock() *Clock { return &Clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Run runs the whole conformance suite.
func Run(t *testing.T, nb NewBackend) {
	tests := []struct {
		name string
		fn   func(t *testing.T, nb NewBackend)
	}{
		{"Migrations", testMigrations},
		{"Isolation", testIsolation},
		{"DelegatedAdmin", testDelegatedAdmin},
		{"Tokens", testTokens},
		{"Resources", testResources},
		{"ResourcesConcurrentUpsert", testResourcesConcurrentUpsert},
		{"Inventory", testInventory},
		{"StagedInventory", testStagedInventory},
		{"ResourcesWithPackages", testResourcesWithPackages},
		{"Outbox", testOutbox},
		{"OutboxManyEvents", testOutboxMany},
		{"OutboxConcurrent", testOutboxConcurrent},
		{"OutboxTogether", testOutboxTogether},
		{"InTxGrouped", testInTxGrouped},
		{"InTxGroupedPanic", testInTxGroupedPanic},
		{"Audit", testAudit},
		{"QueueBasics", testQueueBasics},
		{"QueueExclusive", testQueueExclusive},
		{"QueueExpiry", testQueueExpiry},
		{"QueueNackBackoff", testQueueNack},
		{"QueueDeadLetter", testQueueDead},
		{"QueueDedupe", testQueueDedupe},
		{"QueueRelease", testQueueRelease},
		{"QueueLeaseBatch", testQueueLeaseBatch},
		{"FindingsPutGet", testFindingsPutGet},
		{"FindingsFilters", testFindingsFilters},
		{"FindingsSortPaging", testFindingsSortPaging},
		{"FindingsAggregate", testFindingsAggregate},
		{"FindingsPurge", testFindingsPurge},
		{"FindingDicts", testFindingDicts},
		{"FindingDictsConcurrentPrune", testFindingDictsConcurrentPrune},
		{"FindingLegacyContent", testFindingLegacyContent},
		{"SuppressionRules", testSuppressionRules},
		{"FindingLifecycle", testFindingLifecycle},
		{"FindingTransaction", testFindingTransaction},
		{"FindingSuppression", testFindingSuppression},
		{"ScanConfig", testScanConfig},
		{"Agents", testAgents},
		{"Delivery", testDelivery}, {"DeliveryCounts", testDeliveryCounts},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, nb) })
	}
}

// env is an open store with two accounts in one organisation (A is the
// delegated admin) and one account in another organisation (C).
type env struct {
	s       store.Store
	be      Backend
	clock   *Clock
	org     model.Organization
	a, b, c model.Account
}

func setup(t *testing.T, nb NewBackend) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{clock: NewClock(), be: nb(t)}
	s, err := e.be.Open(ctx, store.Options{Clock: e.clock.Now, Logger: quiet})
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	e.s = s
	err = s.InTx(ctx, func(tx store.Tx) error {
		accts := tx.Accounts(store.SystemScope())
		if e.org, err = accts.CreateOrganization(ctx, "acme"); err != nil {
			return err
		}
		other, err := accts.CreateOrganization(ctx, "other")
		if err != nil {
			return err
		}
		if e.a, err = accts.Create(ctx, model.Account{Org: e.org.ID, Name: "admin", DelegatedAdmin: true}); err != nil {
			return err
		}
		if e.b, err = accts.Create(ctx, model.Account{Org: e.org.ID, Name: "member"}); err != nil {
			return err
		}
		e.c, err = accts.Create(ctx, model.Account{Org: other.ID, Name: "stranger"})
		return err
	})
	if err != nil {
		t.Fatalf("setup: %v", err)
	}
	return e
}

// tx runs fn in a write transaction and fails the test on error.
func (e *env) tx(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := e.s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// view runs fn in a read-only transaction and fails the test on error.
func (e *env) view(t *testing.T, fn func(tx store.Tx) error) {
	t.Helper()
	if err := e.s.View(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

// quiet discards the stores' log output in tests and benchmarks.
var quiet = slog.New(slog.DiscardHandler)

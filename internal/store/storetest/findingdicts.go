package storetest

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testFindingDicts checks the compression of package findings with
// dictionaries of their vulnerabilities' details: findings of two accounts
// that share vulnerabilities read back as written, share one stored
// dictionary per vulnerability, take a fraction of their content's size,
// and no dictionary holds a resource's or a package's data.
func testFindingDicts(t *testing.T, nb NewBackend) {
	e := setup(t, nb)
	ctx := context.Background()
	description := strings.Repeat("A crafted request makes the parser read past the end of its buffer. ", 12)
	var written []model.Finding
	e.tx(t, func(tx store.Tx) error {
		for ai, acct := range []model.Account{e.a, e.b} {
			for h := range 5 {
				r, _, err := tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost,
					Name: fmt.Sprintf("secret-host-%d-%d", ai, h), Tags: map[string]string{"Owner": "team-private"}})
				if err != nil {
					return err
				}
				for v := range 4 {
					f := synthFinding(v, r, e.clock.Now())
					f.ID = model.FindingID(fmt.Sprintf("fnd-dict-%d-%d-%d", ai, h, v))
					f.CheckID = fmt.Sprintf("CVE-2025-%04d", v)
					f.Description = fmt.Sprintf("%s (%d)", description, v)
					f.Remediation = model.Remediation{Text: "Upgrade private-pkg to 9.9", URL: "https://osv.dev/vulnerability/" + f.CheckID}
					f.Package.VulnerabilityID = f.CheckID
					f.Package.Source, f.Package.SourceURL = "osv/PyPI", f.Remediation.URL
					f.Package.ReferenceURLs = []string{"https://example.org/advisories/" + f.CheckID, "https://example.org/fix/" + f.CheckID}
					f.Package.Published = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
					f.Package.VulnerablePackages[0].Name = "private-pkg"
					f.Package.VulnerablePackages[0].FilePath = "/srv/secret-path/requirements.txt"
					written = append(written, f)
				}
			}
		}
		return tx.Findings(store.SystemScope()).Put(ctx, written...)
	})
	var got []model.Finding
	e.view(t, func(tx store.Tx) error {
		var err error
		got, err = tx.Findings(store.SystemScope()).GetMany(ctx, idsOf(written))
		return err
	})
	want := slices.Clone(written)
	slices.SortFunc(want, func(a, b model.Finding) int { return strings.Compare(string(a.ID), string(b.ID)) })
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("findings read back (-want +got):\n%s", diff)
	}
	// One dictionary per vulnerability, shared by both accounts.
	e.count(t, `SELECT COUNT(*) FROM finding_dicts`, 4)
	// A content takes a fraction of its size (what is left is the
	// finding's own: resource, package, scores).
	content := len(written[0].ContentJSON())
	n, err := e.be.QueryInt(ctx, `SELECT MAX(length(data)) FROM findings`)
	if err != nil || int(n)*4 > content {
		t.Errorf("largest finding data: %d bytes, %v; want under a quarter of a content's %d", n, err, content)
	}
	for _, private := range []string{"secret-host", "team-private", "private-pkg", "secret-path"} {
		e.count(t, `SELECT COUNT(*) FROM finding_dicts WHERE data LIKE '%`+private+`%'`, 0)
	}

	// Pruning: nothing while every dictionary is named; then vulnerability
	// 0's findings are closed and purged, and vulnerability 1's rewritten
	// with a new version of its advisory (a new dictionary): the two
	// dictionaries no finding names go, the rest stay and still decode.
	prune := func(sc store.Scope) (int, error) {
		var n int
		err := e.s.InTx(ctx, func(tx store.Tx) error {
			var err error
			n, err = tx.Findings(sc).PruneDictionaries(ctx)
			return err
		})
		return n, err
	}
	if n, err := prune(store.SystemScope()); err != nil || n != 0 {
		t.Errorf("PruneDictionaries with every dictionary in use = %d, %v; want 0", n, err)
	}
	var rewritten []model.Finding
	e.tx(t, func(tx store.Tx) error {
		for _, f := range written {
			switch f.CheckID {
			case "CVE-2025-0000":
				f.Status, f.Suppression, f.ClosedAt, f.ClosedReason = model.StatusClosed, nil, e.clock.Now().Add(-48*time.Hour), model.ClosedFixed
			case "CVE-2025-0001":
				f.Description += " Updated."
				f.Package.Modified = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
				rewritten = append(rewritten, f)
			default:
				continue
			}
			if err := tx.Findings(store.SystemScope()).Put(ctx, f); err != nil {
				return err
			}
		}
		_, err := tx.Findings(store.SystemScope()).Purge(ctx, e.clock.Now().Add(-time.Hour))
		return err
	})
	e.count(t, `SELECT COUNT(*) FROM finding_dicts`, 5)
	if _, err := prune(store.AccountScope(e.a.ID)); err == nil {
		t.Error("PruneDictionaries in an account's scope: no error")
	}
	if n, err := prune(store.SystemScope()); err != nil || n != 2 {
		t.Errorf("PruneDictionaries = %d, %v; want the 2 no finding names", n, err)
	}
	e.count(t, `SELECT COUNT(*) FROM finding_dicts`, 3)
	e.view(t, func(tx store.Tx) error {
		got, err := tx.Findings(store.SystemScope()).Get(ctx, rewritten[0].ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(rewritten[0], got); diff != "" {
			t.Errorf("a rewritten finding after pruning (-want +got):\n%s", diff)
		}
		return nil
	})
}

// testFindingDictsConcurrentPrune: a transaction writes a finding with a
// dictionary that is stored but named by no committed finding (the
// finding's earlier version), and a pruner runs before it commits. The
// pruner must not delete the dictionary under it: on PostgreSQL, where
// the two run at once, it gives up (*store.BusyError) while a writer
// relies on stored dictionaries; on SQLite it waits for the one writer.
func testFindingDictsConcurrentPrune(t *testing.T, nb NewBackend) {
	e := setup(t, nb)
	ctx := context.Background()
	var r model.Resource
	e.tx(t, func(tx store.Tx) error {
		var err error
		r, _, err = tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: e.a.ID, Type: model.ResourceHost, Name: "h"})
		return err
	})
	version := func(v int) model.Finding {
		f := synthFinding(1, r, e.clock.Now())
		f.Description = fmt.Sprintf("Version %d of the advisory: %s", v, strings.Repeat("details ", 20))
		f.Package.Modified = time.Date(2025, 1, v, 0, 0, 0, 0, time.UTC)
		return f
	}
	put := func(tx store.Tx, v int) error { return tx.Findings(store.SystemScope()).Put(ctx, version(v)) }
	e.tx(t, func(tx store.Tx) error { return put(tx, 1) })
	e.tx(t, func(tx store.Tx) error { return put(tx, 2) }) // version 1's dictionary is now named by nothing
	pruned := make(chan error, 1)
	e.tx(t, func(tx store.Tx) error {
		if err := put(tx, 1); err != nil { // relies on the stored dictionary
			return err
		}
		go func() {
			pruned <- e.s.InTx(ctx, func(tx store.Tx) error {
				_, err := tx.Findings(store.SystemScope()).PruneDictionaries(ctx)
				return err
			})
		}()
		select {
		case err := <-pruned: // not waiting for this transaction
			pruned <- err
		case <-time.After(300 * time.Millisecond):
		}
		return nil
	})
	var busy *store.BusyError
	if err := <-pruned; err != nil && !errors.As(err, &busy) {
		t.Fatal(err)
	}
	if n := e.danglingDicts(t); n != 0 {
		t.Errorf("%d findings name a dictionary that was pruned", n)
	}
	// With no writer about, pruning goes through: version 2's
	// dictionary goes, version 1's stays.
	e.tx(t, func(tx store.Tx) error {
		_, err := tx.Findings(store.SystemScope()).PruneDictionaries(ctx)
		return err
	})
	e.count(t, `SELECT COUNT(*) FROM finding_dicts`, 1)
	if n := e.danglingDicts(t); n != 0 {
		t.Errorf("%d findings name a dictionary that was pruned", n)
	}
}

// danglingDicts counts the findings whose data names a dictionary
// finding_dicts lacks (in SQLite's SQL, else PostgreSQL's).
func (e *env) danglingDicts(t *testing.T) int {
	t.Helper()
	for _, q := range []string{
		`SELECT COUNT(*) FROM findings WHERE substr(data, 1, 2) = X'0001' AND lower(hex(substr(data, 3, 16))) NOT IN (SELECT id FROM finding_dicts)`,
		`SELECT COUNT(*) FROM findings WHERE substring(data from 1 for 2) = '\x0001'::bytea AND encode(substring(data from 3 for 16), 'hex') NOT IN (SELECT id FROM finding_dicts)`,
	} {
		if n, err := e.be.QueryInt(context.Background(), q); err == nil {
			return int(n)
		}
	}
	t.Fatal("no dialect's query counts the dangling dictionaries")
	return 0
}

// testFindingLegacyContent: a finding whose data column is a plain S2
// block (as every finding written before migration 016 has) reads as it
// did, beside findings compressed with dictionaries.
func testFindingLegacyContent(t *testing.T, nb NewBackend) {
	e := setup(t, nb)
	ctx := context.Background()
	fx := fillFindings(t, e, 6)
	legacy := fx.findings[2]
	block := hex.EncodeToString(s2.Encode(nil, legacy.ContentJSON()))
	set := func(q string) error { return e.be.Exec(ctx, q) }
	if err := set(`UPDATE findings SET data = X'` + block + `' WHERE id = '` + string(legacy.ID) + `'`); err != nil {
		if err := set(`UPDATE findings SET data = '\x` + block + `'::bytea WHERE id = '` + string(legacy.ID) + `'`); err != nil {
			t.Fatal(err)
		}
	}
	e.count(t, `SELECT COUNT(*) FROM findings WHERE length(data) = `+fmt.Sprint(len(block)/2), 1)
	e.view(t, func(tx store.Tx) error {
		got, err := tx.Findings(store.SystemScope()).Get(ctx, legacy.ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(legacy, got); diff != "" {
			t.Errorf("a legacy row (-want +got):\n%s", diff)
		}
		all, err := tx.Findings(store.SystemScope()).GetMany(ctx, idsOf(fx.findings))
		if err != nil {
			return err
		}
		want := slices.Clone(fx.findings)
		slices.SortFunc(want, func(a, b model.Finding) int { return strings.Compare(string(a.ID), string(b.ID)) })
		if diff := gocmp.Diff(want, all); diff != "" {
			t.Errorf("legacy and dictionary rows together (-want +got):\n%s", diff)
		}
		return nil
	})
}

func idsOf(fs []model.Finding) []model.FindingID {
	out := make([]model.FindingID, len(fs))
	for i := range fs {
		out[i] = fs[i].ID
	}
	return out
}

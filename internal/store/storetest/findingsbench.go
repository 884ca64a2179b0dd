package storetest

import (
	"context"
	"fmt"
	"testing"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// BenchFindings runs the findings query benchmarks over 20,000 findings of
// 200 resources in two accounts: the first page of a filtered, sorted
// listing, a page deep in the listing (by cursor), a count and an
// aggregation by package.
func BenchFindings(b *testing.B, nb NewBackend) {
	ctx := context.Background()
	s := openBench(b, nb)
	e := &env{s: s, clock: NewClock()}
	var acct [2]model.Account
	err := s.InTx(ctx, func(tx store.Tx) error {
		accts := tx.Accounts(store.SystemScope())
		org, err := accts.CreateOrganization(ctx, "bench")
		if err != nil {
			return err
		}
		for i := range acct {
			if acct[i], err = accts.Create(ctx, model.Account{Org: org.ID, Name: fmt.Sprint("a", i)}); err != nil {
				return err
			}
		}
		var batch []model.Finding
		for r := range 200 {
			res, _, err := tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: acct[r%2].ID, Type: model.ResourceHost,
				Name: fmt.Sprint("host-", r), Tags: map[string]string{"Env": []string{"Prod", "Dev"}[r%2]}})
			if err != nil {
				return err
			}
			for i := range 100 {
				f := synthFinding(r*100+i, res, e.clock.Now())
				batch = append(batch, f)
			}
		}
		return tx.Findings(store.SystemScope()).Put(ctx, batch...)
	})
	if err != nil {
		b.Fatal(err)
	}
	sc := store.AccountScope(acct[0].ID)
	critical := model.FindingFilter{
		Status:   []model.StringFilter{{Comparison: model.CompareEquals, Value: "ACTIVE"}},
		Severity: []model.StringFilter{{Comparison: model.CompareEquals, Value: "CRITICAL"}, {Comparison: model.CompareEquals, Value: "HIGH"}},
	}
	byPackage := model.FindingFilter{PackageName: []model.StringFilter{{Comparison: model.CompareEquals, Value: "lodash"}}}
	run := func(name string, fn func(tx store.Tx) error) {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if err := s.View(ctx, fn); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	run("ListFirstPage", func(tx store.Tx) error {
		_, _, err := tx.Findings(sc).List(ctx, critical, store.FindingSort{}, "", 100)
		return err
	})
	var deep string
	if err := s.View(ctx, func(tx store.Tx) error {
		cur := ""
		for range 10 {
			_, next, err := tx.Findings(sc).List(ctx, model.FindingFilter{}, store.FindingSort{Field: store.SortScore, Order: store.Desc}, cur, 100)
			if err != nil {
				return err
			}
			cur = next
		}
		deep = cur
		return nil
	}); err != nil {
		b.Fatal(err)
	}
	run("ListPage11ByScore", func(tx store.Tx) error {
		_, _, err := tx.Findings(sc).List(ctx, model.FindingFilter{}, store.FindingSort{Field: store.SortScore, Order: store.Desc}, deep, 100)
		return err
	})
	run("ListByPackage", func(tx store.Tx) error {
		_, _, err := tx.Findings(sc).List(ctx, byPackage, store.FindingSort{}, "", 100)
		return err
	})
	run("Count", func(tx store.Tx) error {
		_, err := tx.Findings(sc).Count(ctx, critical)
		return err
	})
	run("AggregatePackage", func(tx store.Tx) error {
		_, err := tx.Findings(sc).Aggregate(ctx, model.AggregatePackage, model.FindingFilter{}, 100)
		return err
	})
}

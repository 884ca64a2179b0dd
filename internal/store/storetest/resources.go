package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func testResources(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	e.tx(t, func(tx store.Tx) error {
		rs := tx.Resources(sb)
		now := e.clock.Now()
		img := model.Resource{AccountID: e.b.ID, Type: model.ResourceImage, Name: "registry.example/app", Digest: "sha256:aaa", Tags: map[string]string{"Env": "Prod", "Team": "web"}}
		got, res, err := rs.Upsert(ctx, img)
		if err != nil {
			return err
		}
		want := img
		want.ID, want.CreatedAt, want.UpdatedAt = got.ID, now, now
		want.Coverage = model.Coverage{Status: model.CoverageInactive, Reason: model.ReasonPendingInitialScan}
		if diff := cmp.Diff(want, got); diff != "" || !res.Created || res.DigestChanged {
			t.Errorf("create: result %+v (-want +got):\n%s", res, diff)
		}
		e.clock.Advance(time.Minute)
		// Same digest: nothing to rescan.
		_, res, err = rs.Upsert(ctx, img)
		if err != nil || res.Created || res.DigestChanged {
			t.Errorf("same digest: %+v, %v", res, err)
		}
		// New digest and tags.
		img.Digest, img.Tags = "sha256:bbb", map[string]string{"Env": "Dev"}
		upd, res, err := rs.Upsert(ctx, img)
		if err != nil || res.Created || !res.DigestChanged || upd.ID != got.ID || upd.Digest != "sha256:bbb" {
			t.Errorf("new digest: %+v %+v, %v", upd, res, err)
		}
		host, _, err := rs.Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1", Tags: map[string]string{"Env": "Prod"}})
		if err != nil {
			return err
		}
		byTag, err := rs.List(ctx, store.ResourceFilter{Tags: map[string]string{"Env": "Prod"}})
		if err != nil {
			return err
		}
		if len(byTag) != 1 || byTag[0].ID != host.ID {
			t.Errorf("List Env=Prod = %v, want only %s", byTag, host.ID)
		}
		scanned := e.clock.Now()
		cov, err := rs.SetCoverage(ctx, host.ID, model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: scanned})
		if err != nil {
			return err
		}
		if diff := cmp.Diff(model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful, LastScannedAt: scanned}, cov.Coverage); diff != "" {
			t.Errorf("coverage (-want +got):\n%s", diff)
		}
		active, err := rs.List(ctx, store.ResourceFilter{Status: model.CoverageActive})
		if err != nil || len(active) != 1 || active[0].ID != host.ID {
			t.Errorf("List ACTIVE = %v, %v", active, err)
		}
		imgs, err := rs.List(ctx, store.ResourceFilter{Type: model.ResourceImage})
		if err != nil || len(imgs) != 1 || imgs[0].ID != got.ID {
			t.Errorf("List IMAGE = %v, %v", imgs, err)
		}
		// Cursor pagination.
		p1, err := rs.List(ctx, store.ResourceFilter{Limit: 1})
		if err != nil || len(p1) != 1 {
			t.Fatalf("page 1 = %v, %v", p1, err)
		}
		p2, err := rs.List(ctx, store.ResourceFilter{Limit: 1, After: p1[0].ID})
		if err != nil || len(p2) != 1 || p2[0].ID <= p1[0].ID {
			t.Errorf("page 2 = %v, %v", p2, err)
		}
		tagged, err := rs.SetTags(ctx, host.ID, map[string]string{"Env": "Dev"})
		if err != nil || tagged.Tags["Env"] != "Dev" {
			t.Errorf("SetTags = %+v, %v", tagged, err)
		}
		if byTag, _ = rs.List(ctx, store.ResourceFilter{Tags: map[string]string{"Env": "Prod"}}); len(byTag) != 0 {
			t.Errorf("List Env=Prod after retag = %v", byTag)
		}
		if err := rs.Delete(ctx, host.ID); err != nil {
			return err
		}
		_, err = rs.Get(ctx, host.ID)
		wantNotFound(t, "Get after Delete", err)
		_, _, err = rs.Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: "VM", Name: "x"})
		if err == nil {
			t.Error("unknown resource type accepted")
		}
		return nil
	})
}

// testResourcesConcurrentUpsert registers the same resource from several
// transactions at once: one resource results, and every call succeeds.
func testResourcesConcurrentUpsert(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ids := map[model.ResourceID]int{}
	created := 0
	for i := range 8 {
		wg.Go(func() {
			err := e.s.InTx(ctx, func(tx store.Tx) error {
				r, res, err := tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceImage, Name: "registry.example/app", Digest: fmt.Sprintf("sha256:%d", i)})
				if err != nil {
					return err
				}
				mu.Lock()
				ids[r.ID]++
				if res.Created {
					created++
				}
				mu.Unlock()
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if len(ids) != 1 || created != 1 {
		t.Errorf("ids %v, created %d; want one resource created once", ids, created)
	}
}

func testAudit(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	e.tx(t, func(tx store.Tx) error {
		for _, a := range []model.AccountID{e.a.ID, e.b.ID, e.a.ID} {
			if _, err := tx.Audit(store.AccountScope(a)).Append(ctx, model.AuditEntry{AccountID: a, Actor: "system", Action: "scanconfig.update", Detail: []byte(`{"x":1}`)}); err != nil {
				return err
			}
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		got, err := tx.Audit(store.AccountScope(e.a.ID)).List(ctx, 0, 10)
		if err != nil {
			return err
		}
		if len(got) != 2 || got[0].ID >= got[1].ID || string(got[0].Detail) != `{"x":1}` || !got[0].At.Equal(e.clock.Now()) {
			t.Errorf("audit of A = %+v", got)
		}
		all, err := tx.Audit(store.SystemScope()).List(ctx, got[0].ID, 10)
		if err != nil || len(all) != 2 {
			t.Errorf("audit after first = %v, %v", all, err)
		}
		return nil
	})
}

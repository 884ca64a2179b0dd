package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testAgents covers enrollment tokens (use limits, expiry, revocation),
// enrollment, credential lookup and revocation, reports, and isolation
// between accounts.
func testAgents(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb, sc := store.AccountScope(e.b.ID), store.AccountScope(e.c.ID)
	enrollSecret, credA, credB := store.NewToken(), store.NewToken(), store.NewToken()
	var tok store.EnrollmentToken
	var agA store.Agent
	e.tx(t, func(tx store.Tx) error {
		var err error
		tok, err = tx.Agents(sb).CreateEnrollmentToken(ctx, store.EnrollmentToken{AccountID: e.b.ID, Name: "fleet", Hash: store.HashToken(enrollSecret), MaxUses: 2})
		if err != nil {
			return err
		}
		_, err = tx.Agents(sc).CreateEnrollmentToken(ctx, store.EnrollmentToken{AccountID: e.b.ID, Name: "x", Hash: store.HashToken("z")})
		var se *store.ScopeError
		if !errors.As(err, &se) {
			t.Errorf("token for another account: got %v, want *store.ScopeError", err)
		}
		_, err = tx.Agents(sb).CreateEnrollmentToken(ctx, store.EnrollmentToken{AccountID: e.b.ID, Name: "dup", Hash: store.HashToken(enrollSecret)})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("duplicate secret: got %v, want *store.ConflictError", err)
		}
		res, _, err := tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1"})
		if err != nil {
			return err
		}
		found, err := tx.Agents(store.SystemScope()).LookupEnrollmentToken(ctx, store.HashToken(enrollSecret))
		if err != nil {
			return err
		}
		if diff := cmp.Diff(tok, found); diff != "" {
			t.Errorf("LookupEnrollmentToken (-want +got):\n%s", diff)
		}
		agA, err = tx.Agents(sb).Enroll(ctx, tok.ID, store.Agent{AccountID: e.b.ID, Hostname: "web-1", ResourceID: res.ID, Hash: store.HashToken(credA)})
		if err != nil {
			return err
		}
		if _, err := tx.Agents(sb).Enroll(ctx, tok.ID, store.Agent{AccountID: e.b.ID, Hostname: "web-2", ResourceID: res.ID, Hash: store.HashToken(credB)}); err != nil {
			return err
		}
		// The third use exceeds MaxUses.
		_, err = tx.Agents(sb).Enroll(ctx, tok.ID, store.Agent{AccountID: e.b.ID, Hostname: "web-3", ResourceID: res.ID, Hash: store.HashToken("3")})
		var ie *store.InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("enroll beyond max uses: got %v, want *store.InvalidError", err)
		}
		return nil
	})
	e.view(t, func(tx store.Tx) error {
		got, err := tx.Agents(store.SystemScope()).Lookup(ctx, store.HashToken(credA))
		if err != nil {
			return err
		}
		if diff := cmp.Diff(agA, got); diff != "" {
			t.Errorf("Lookup (-want +got):\n%s", diff)
		}
		_, err = tx.Agents(store.SystemScope()).Lookup(ctx, store.HashToken("wrong"))
		wantNotFound(t, "Lookup wrong credential", err)
		_, err = tx.Agents(sc).Get(ctx, agA.ID)
		wantNotFound(t, "Get from another organisation", err)
		list, err := tx.Agents(sc).List(ctx)
		if err != nil || len(list) != 0 {
			t.Errorf("List from another organisation: %d agents, %v", len(list), err)
		}
		list, err = tx.Agents(sb).List(ctx)
		if err != nil || len(list) != 2 {
			t.Errorf("List: %d agents, %v; want 2", len(list), err)
		}
		toks, err := tx.Agents(sb).EnrollmentTokens(ctx)
		if err != nil || len(toks) != 1 || toks[0].Uses != 2 || toks[0].Usable(e.clock.Now()) {
			t.Errorf("EnrollmentTokens: %+v, %v; want one used-up token", toks, err)
		}
		_, _, err = tx.Agents(sb).Report(ctx, agA.ResourceID)
		wantNotFound(t, "Report before any", err)
		return nil
	})
	e.clock.Advance(time.Minute)
	e.tx(t, func(tx store.Tx) error {
		if err := tx.Agents(sb).SaveReport(ctx, agA.ID, "h1", []byte(`{"a":1}`)); err != nil {
			return err
		}
		wantNotFound(t, "SaveReport from another organisation", tx.Agents(sc).SaveReport(ctx, agA.ID, "h2", []byte(`{}`)))
		return tx.Agents(sb).Seen(ctx, agA.ID, "v1.2.3")
	})
	e.view(t, func(tx store.Tx) error {
		a, data, err := tx.Agents(sb).Report(ctx, agA.ResourceID)
		if err != nil {
			return err
		}
		want := agA
		want.ReportHash, want.ReportedAt, want.LastSeenAt, want.Version = "h1", e.clock.Now().UTC(), e.clock.Now().UTC(), "v1.2.3"
		if diff := cmp.Diff(want, a); diff != "" {
			t.Errorf("Report agent (-want +got):\n%s", diff)
		}
		if string(data) != `{"a":1}` {
			t.Errorf("Report data = %s", data)
		}
		return nil
	})
	e.clock.Advance(time.Minute)
	e.tx(t, func(tx store.Tx) error {
		_, err := tx.Agents(sc).Revoke(ctx, agA.ID)
		wantNotFound(t, "Revoke from another organisation", err)
		a, err := tx.Agents(sb).Revoke(ctx, agA.ID)
		if err != nil {
			return err
		}
		first := a.RevokedAt
		e.clock.Advance(time.Second)
		if a, err = tx.Agents(sb).Revoke(ctx, agA.ID); err != nil {
			return err
		}
		if a.Usable() || !a.RevokedAt.Equal(first) {
			t.Errorf("revoked twice: usable %v, revokedAt %v want %v", a.Usable(), a.RevokedAt, first)
		}
		et, err := tx.Agents(sb).RevokeEnrollmentToken(ctx, tok.ID)
		if err != nil {
			return err
		}
		if et.RevokedAt.IsZero() {
			t.Error("enrollment token not revoked")
		}
		return nil
	})
}

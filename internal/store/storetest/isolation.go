package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

func wantNotFound(t *testing.T, what string, err error) {
	t.Helper()
	var nf *store.NotFoundError
	if !errors.As(err, &nf) {
		t.Errorf("%s: got %v, want *store.NotFoundError", what, err)
	}
}

func wantScope(t *testing.T, what string, err error) {
	t.Helper()
	var se *store.ScopeError
	if !errors.As(err, &se) {
		t.Errorf("%s: got %v, want *store.ScopeError", what, err)
	}
}

// testIsolation fills account B and reads through the scopes of C and of
// nobody: every read method must find nothing and every write must fail.
func testIsolation(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	secret := store.NewToken()
	var res model.Resource
	var tok model.Token
	inv := sampleInventory(t)
	e.tx(t, func(tx store.Tx) error {
		sb := store.AccountScope(e.b.ID)
		var err error
		if tok, err = tx.Tokens(sb).Create(ctx, model.Token{AccountID: e.b.ID, Name: "ci", Role: model.RoleMember, Hash: store.HashToken(secret)}); err != nil {
			return err
		}
		if res, _, err = tx.Resources(sb).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1", Tags: map[string]string{"Env": "Prod"}}); err != nil {
			return err
		}
		if _, err = tx.Inventories(sb).Save(ctx, res.ID, inv); err != nil {
			return err
		}
		if err = tx.Outbox(sb).Append(ctx, model.Event{AccountID: e.b.ID, Type: "resource.registered", Subject: string(res.ID)}); err != nil {
			return err
		}
		_, err = tx.Audit(sb).Append(ctx, model.AuditEntry{AccountID: e.b.ID, Actor: string(tok.ID), Action: "token.create", Target: string(tok.ID)})
		return err
	})
	for name, sc := range map[string]store.Scope{"other account": store.AccountScope(e.c.ID), "zero scope": {}} {
		t.Run(name, func(t *testing.T) {
			e.view(t, func(tx store.Tx) error {
				_, err := tx.Accounts(sc).Get(ctx, e.b.ID)
				wantNotFound(t, "Accounts.Get", err)
				_, err = tx.Accounts(sc).GetOrganization(ctx, e.org.ID)
				wantNotFound(t, "Accounts.GetOrganization", err)
				_, err = tx.Accounts(sc).ScopeOf(ctx, e.b.ID)
				wantNotFound(t, "Accounts.ScopeOf", err)
				accts, err := tx.Accounts(sc).List(ctx, e.org.ID)
				if err != nil || len(accts) != 0 {
					t.Errorf("Accounts.List = %v, %v; want none", accts, err)
				}
				_, err = tx.Tokens(sc).Get(ctx, tok.ID)
				wantNotFound(t, "Tokens.Get", err)
				_, err = tx.Tokens(sc).Lookup(ctx, store.HashToken(secret))
				wantNotFound(t, "Tokens.Lookup", err)
				toks, err := tx.Tokens(sc).List(ctx)
				if err != nil || len(toks) != 0 {
					t.Errorf("Tokens.List = %v, %v; want none", toks, err)
				}
				_, err = tx.Resources(sc).Get(ctx, res.ID)
				wantNotFound(t, "Resources.Get", err)
				_, err = tx.Resources(sc).Find(ctx, e.b.ID, res.Type, res.Name)
				wantNotFound(t, "Resources.Find", err)
				rs, err := tx.Resources(sc).List(ctx, store.ResourceFilter{})
				if err != nil || len(rs) != 0 {
					t.Errorf("Resources.List = %v, %v; want none", rs, err)
				}
				rs, err = tx.Resources(sc).List(ctx, store.ResourceFilter{Tags: map[string]string{"Env": "Prod"}})
				if err != nil || len(rs) != 0 {
					t.Errorf("Resources.List by tag = %v, %v; want none", rs, err)
				}
				_, _, err = tx.Inventories(sc).Load(ctx, res.ID)
				wantNotFound(t, "Inventories.Load", err)
				_, err = tx.Inventories(sc).Info(ctx, res.ID)
				wantNotFound(t, "Inventories.Info", err)
				refs, err := tx.Inventories(sc).ResourcesWithPackages(ctx, []store.PackageRef{{Ecosystem: "Ubuntu", Name: "libc6"}})
				if err != nil || len(refs) != 0 {
					t.Errorf("ResourcesWithPackages = %v, %v; want none", refs, err)
				}
				evs, err := tx.Outbox(sc).List(ctx, 0, 100)
				if err != nil || len(evs) != 0 {
					t.Errorf("Outbox.List = %v, %v; want none", evs, err)
				}
				aud, err := tx.Audit(sc).List(ctx, 0, 100)
				if err != nil || len(aud) != 0 {
					t.Errorf("Audit.List = %v, %v; want none", aud, err)
				}
				return nil
			})
			// Writes through the wrong scope change nothing.
			err := e.s.InTx(ctx, func(tx store.Tx) error {
				_, err := tx.Resources(sc).SetCoverage(ctx, res.ID, model.Coverage{Status: model.CoverageActive, Reason: model.ReasonSuccessful})
				wantNotFound(t, "Resources.SetCoverage", err)
				_, err = tx.Resources(sc).SetTags(ctx, res.ID, nil)
				wantNotFound(t, "Resources.SetTags", err)
				wantNotFound(t, "Resources.Delete", tx.Resources(sc).Delete(ctx, res.ID))
				_, err = tx.Inventories(sc).Save(ctx, res.ID, inv)
				wantNotFound(t, "Inventories.Save", err)
				wantNotFound(t, "Inventories.Delete", tx.Inventories(sc).Delete(ctx, res.ID))
				_, err = tx.Tokens(sc).Revoke(ctx, tok.ID)
				wantNotFound(t, "Tokens.Revoke", err)
				wantNotFound(t, "Tokens.Touch", tx.Tokens(sc).Touch(ctx, tok.ID, 0))
				_, _, err = tx.Resources(sc).Upsert(ctx, model.Resource{AccountID: e.b.ID, Type: model.ResourceHost, Name: "web-1", Digest: "sha256:x"})
				wantScope(t, "Resources.Upsert", err)
				_, err = tx.Tokens(sc).Create(ctx, model.Token{AccountID: e.b.ID, Name: "x", Role: model.RoleAdmin, Hash: store.HashToken("x")})
				wantScope(t, "Tokens.Create", err)
				wantScope(t, "Outbox.Append", tx.Outbox(sc).Append(ctx, model.Event{AccountID: e.b.ID, Type: "x"}))
				_, err = tx.Audit(sc).Append(ctx, model.AuditEntry{AccountID: e.b.ID, Actor: "x", Action: "x"})
				wantScope(t, "Audit.Append", err)
				_, err = tx.Accounts(sc).Create(ctx, model.Account{Org: e.org.ID, Name: "sneaky"})
				wantScope(t, "Accounts.Create", err)
				_, err = tx.Accounts(sc).CreateOrganization(ctx, "sneaky")
				wantScope(t, "Accounts.CreateOrganization", err)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		})
	}
	// The owner still sees everything, unchanged.
	e.view(t, func(tx store.Tx) error {
		sb := store.AccountScope(e.b.ID)
		got, err := tx.Resources(sb).Get(ctx, res.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(res, got); diff != "" {
			t.Errorf("resource changed through another scope (-want +got):\n%s", diff)
		}
		tk, err := tx.Tokens(sb).Get(ctx, tok.ID)
		if err != nil {
			return err
		}
		if !tk.Usable(e.clock.Now()) || !tk.LastUsedAt.IsZero() {
			t.Errorf("token changed through another scope: %+v", tk)
		}
		if _, _, err := tx.Inventories(sb).Load(ctx, res.ID); err != nil {
			t.Errorf("inventory: %v", err)
		}
		return nil
	})
}

func testDelegatedAdmin(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	e.tx(t, func(tx store.Tx) error {
		sys := tx.Accounts(store.SystemScope())
		admin, err := sys.ScopeOf(ctx, e.a.ID)
		if err != nil {
			return err
		}
		want := []model.AccountID{e.a.ID, e.b.ID}
		slices.Sort(want)
		if diff := cmp.Diff(want, admin.Accounts()); diff != "" {
			t.Errorf("admin scope (-want +got):\n%s", diff)
		}
		if admin.Allows(e.c.ID) {
			t.Error("admin scope reaches another organisation")
		}
		member, err := sys.ScopeOf(ctx, e.b.ID)
		if err != nil {
			return err
		}
		if member.Allows(e.a.ID) || !member.Allows(e.b.ID) {
			t.Errorf("member scope = %v", member.Accounts())
		}
		// The delegated admin may add a member; a member may not.
		if _, err := tx.Accounts(admin).Create(ctx, model.Account{Org: e.org.ID, Name: "new"}); err != nil {
			t.Errorf("admin creates account: %v", err)
		}
		_, err = tx.Accounts(member).Create(ctx, model.Account{Org: e.org.ID, Name: "new2"})
		wantScope(t, "member creates account", err)
		// A second delegated admin is a conflict.
		_, err = sys.Create(ctx, model.Account{Org: e.org.ID, Name: "admin2", DelegatedAdmin: true})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("second delegated admin: got %v, want *store.ConflictError", err)
		}
		return nil
	})
}

func testTokens(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sb := store.AccountScope(e.b.ID)
	secret := store.NewToken()
	var tok model.Token
	e.tx(t, func(tx store.Tx) error {
		var err error
		tok, err = tx.Tokens(sb).Create(ctx, model.Token{AccountID: e.b.ID, Name: "ci", Role: model.RoleReadOnly, Hash: store.HashToken(secret)})
		if err != nil {
			return err
		}
		_, err = tx.Tokens(sb).Create(ctx, model.Token{AccountID: e.b.ID, Name: "dup", Role: model.RoleReadOnly, Hash: store.HashToken(secret)})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("duplicate secret: got %v, want *store.ConflictError", err)
		}
		_, err = tx.Tokens(sb).Create(ctx, model.Token{AccountID: e.b.ID, Name: "bad", Role: "root", Hash: store.HashToken("y")})
		var ie *store.InvalidError
		if !errors.As(err, &ie) {
			t.Errorf("bad role: got %v, want *store.InvalidError", err)
		}
		return nil
	})
	e.tx(t, func(tx store.Tx) error {
		got, err := tx.Tokens(store.SystemScope()).Lookup(ctx, store.HashToken(secret))
		if err != nil {
			return err
		}
		if diff := cmp.Diff(tok, got); diff != "" {
			t.Errorf("Lookup (-want +got):\n%s", diff)
		}
		_, err = tx.Tokens(store.SystemScope()).Lookup(ctx, store.HashToken("wrong"))
		wantNotFound(t, "Lookup wrong secret", err)
		// Touch writes once per interval.
		if err := tx.Tokens(store.SystemScope()).Touch(ctx, tok.ID, time.Minute); err != nil {
			return err
		}
		first := e.clock.Now()
		e.clock.Advance(time.Second)
		if err := tx.Tokens(store.SystemScope()).Touch(ctx, tok.ID, time.Minute); err != nil {
			return err
		}
		got, _ = tx.Tokens(sb).Get(ctx, tok.ID)
		if !got.LastUsedAt.Equal(first) {
			t.Errorf("LastUsedAt = %v, want %v (throttled)", got.LastUsedAt, first)
		}
		e.clock.Advance(2 * time.Minute)
		if err := tx.Tokens(store.SystemScope()).Touch(ctx, tok.ID, time.Minute); err != nil {
			return err
		}
		got, _ = tx.Tokens(sb).Get(ctx, tok.ID)
		if !got.LastUsedAt.Equal(e.clock.Now()) {
			t.Errorf("LastUsedAt = %v, want %v", got.LastUsedAt, e.clock.Now())
		}
		revoked, err := tx.Tokens(sb).Revoke(ctx, tok.ID)
		if err != nil {
			return err
		}
		if revoked.Usable(e.clock.Now()) || !revoked.RevokedAt.Equal(e.clock.Now()) {
			t.Errorf("revoked token = %+v", revoked)
		}
		e.clock.Advance(time.Hour)
		again, err := tx.Tokens(sb).Revoke(ctx, tok.ID)
		if err != nil {
			return err
		}
		if !again.RevokedAt.Equal(revoked.RevokedAt) {
			t.Errorf("second revoke moved RevokedAt to %v", again.RevokedAt)
		}
		got, err = tx.Tokens(store.SystemScope()).Lookup(ctx, store.HashToken(secret))
		if err != nil || got.Usable(e.clock.Now()) {
			t.Errorf("Lookup after revoke = %+v, %v; want a found, unusable token", got, err)
		}
		return nil
	})
}

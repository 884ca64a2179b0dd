package app

import (
	"context"
	"fmt"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// bootstrap creates the organisation, its delegated-admin account and an
// admin token when the store holds no account, in one transaction. It
// returns nil when the store was not empty. secret is the token to create;
// a random one when empty.
func bootstrap(ctx context.Context, st store.Store, secret string) (*Bootstrap, error) {
	var out *Bootstrap
	err := st.InTx(ctx, func(tx store.Tx) error {
		sys := store.SystemScope()
		as, err := tx.Accounts(sys).List(ctx, "")
		if err != nil || len(as) > 0 {
			return err
		}
		org, err := tx.Accounts(sys).CreateOrganization(ctx, "default")
		if err != nil {
			return err
		}
		acct, err := tx.Accounts(sys).Create(ctx, model.Account{Org: org.ID, Name: "admin", DelegatedAdmin: true})
		if err != nil {
			return err
		}
		if secret == "" {
			secret = store.NewToken()
		}
		tok, err := tx.Tokens(sys).Create(ctx, model.Token{AccountID: acct.ID, Name: "bootstrap", Role: model.RoleAdmin, Hash: store.HashToken(secret)})
		if err != nil {
			return err
		}
		if _, err := tx.Audit(sys).Append(ctx, model.AuditEntry{AccountID: acct.ID, Actor: "system", Action: "bootstrap", Target: string(tok.ID)}); err != nil {
			return err
		}
		out = &Bootstrap{Organization: org.ID, Account: acct.ID, TokenID: tok.ID, Token: secret}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// announce prints the bootstrap result once; a token given by the operator
// is not echoed.
func (a *App) announce() {
	b := a.boot
	fmt.Fprintf(a.cfg.Out, "vigil: first start: created organisation %s and its admin account %s\n", b.Organization, b.Account)
	if a.cfg.BootstrapToken != "" {
		fmt.Fprintf(a.cfg.Out, "vigil: admin token %s is the one given in VIGIL_BOOTSTRAP_TOKEN\n", b.TokenID)
		return
	}
	fmt.Fprintf(a.cfg.Out, "vigil: admin token (shown once, store it now): %s\n", b.Token)
}

package sqlstore

import (
	"context"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type accounts struct {
	t  *tx
	sc store.Scope
}

func (a *accounts) CreateOrganization(ctx context.Context, name string) (model.Organization, error) {
	if err := a.t.writable(); err != nil {
		return model.Organization{}, err
	}
	if !a.sc.All() {
		return model.Organization{}, &store.ScopeError{Kind: "organization"}
	}
	if name == "" {
		return model.Organization{}, &store.InvalidError{Field: "name", Reason: "empty"}
	}
	o := model.Organization{ID: model.OrganizationID(store.NewID("org")), Name: name, CreatedAt: a.t.s.now()}
	_, err := a.t.c.Exec(ctx, `INSERT INTO organizations (id, name, created_at) VALUES (?, ?, ?)`,
		string(o.ID), o.Name, micro(o.CreatedAt))
	return o, err
}

func (a *accounts) GetOrganization(ctx context.Context, id model.OrganizationID) (model.Organization, error) {
	args := []any{string(id)}
	cond := ""
	if !a.sc.All() {
		// Visible when one of its accounts is in scope.
		var sub string
		sub, args = scopeCond(a.sc, "id", args)
		cond = " AND EXISTS (SELECT 1 FROM accounts WHERE org_id = organizations.id" + sub + ")"
	}
	var o model.Organization
	var created int64
	err := a.t.c.QueryRow(ctx, `SELECT id, name, created_at FROM organizations WHERE id = ?`+cond, args...).
		Scan(&o.ID, &o.Name, &created)
	if err != nil {
		return o, notFound(err, "organization", string(id))
	}
	o.CreatedAt = fromMicro(created)
	return o, nil
}

func (a *accounts) Create(ctx context.Context, acct model.Account) (model.Account, error) {
	if err := a.t.writable(); err != nil {
		return acct, err
	}
	if acct.Name == "" {
		return acct, &store.InvalidError{Field: "name", Reason: "empty"}
	}
	if !a.sc.All() {
		// Only the organisation's delegated admin may add accounts.
		args := []any{string(acct.Org)}
		cond, args := scopeCond(a.sc, "id", args)
		var n int
		if err := a.t.c.QueryRow(ctx, `SELECT COUNT(*) FROM accounts WHERE org_id = ? AND delegated_admin`+cond, args...).Scan(&n); err != nil {
			return acct, err
		}
		if n == 0 {
			return acct, &store.ScopeError{Kind: "account", Account: string(acct.Org)}
		}
	}
	if acct.ID == "" {
		acct.ID = model.AccountID(store.NewID("acct"))
	}
	acct.CreatedAt = a.t.s.now()
	var one int
	if err := a.t.c.QueryRow(ctx, `SELECT 1 FROM organizations WHERE id = ?`, string(acct.Org)).Scan(&one); err != nil {
		return acct, notFound(err, "organization", string(acct.Org))
	}
	err := a.t.execGuarded(ctx, `INSERT INTO accounts (id, org_id, name, delegated_admin, created_at) VALUES (?, ?, ?, ?, ?)`,
		string(acct.ID), string(acct.Org), acct.Name, acct.DelegatedAdmin, micro(acct.CreatedAt))
	if err != nil && a.t.s.d.IsUnique(err) {
		return acct, &store.ConflictError{Kind: "account", ID: string(acct.ID), Reason: "duplicate id or second delegated admin"}
	}
	return acct, err
}

const accountCols = `id, org_id, name, delegated_admin, created_at`

func scanAccount(r Row) (model.Account, error) {
	var a model.Account
	var created int64
	err := r.Scan(&a.ID, &a.Org, &a.Name, &a.DelegatedAdmin, &created)
	a.CreatedAt = fromMicro(created)
	return a, err
}

func (a *accounts) Get(ctx context.Context, id model.AccountID) (model.Account, error) {
	cond, args := scopeCond(a.sc, "id", []any{string(id)})
	acct, err := scanAccount(a.t.c.QueryRow(ctx, `SELECT `+accountCols+` FROM accounts WHERE id = ?`+cond, args...))
	return acct, notFound(err, "account", string(id))
}

func (a *accounts) List(ctx context.Context, org model.OrganizationID) ([]model.Account, error) {
	q := `SELECT ` + accountCols + ` FROM accounts WHERE 1 = 1`
	var args []any
	if org != "" {
		q += ` AND org_id = ?`
		args = append(args, string(org))
	}
	cond, args := scopeCond(a.sc, "id", args)
	rows, err := a.t.c.Query(ctx, q+cond+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Account
	for rows.Next() {
		acct, err := scanAccount(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, acct)
	}
	return out, rows.Err()
}

func (a *accounts) ScopeOf(ctx context.Context, id model.AccountID) (store.Scope, error) {
	acct, err := a.Get(ctx, id)
	if err != nil {
		return store.Scope{}, err
	}
	if !acct.DelegatedAdmin {
		return store.AccountScope(acct.ID), nil
	}
	rows, err := a.t.c.Query(ctx, `SELECT id FROM accounts WHERE org_id = ?`, string(acct.Org))
	if err != nil {
		return store.Scope{}, err
	}
	defer rows.Close()
	var ids []model.AccountID
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return store.Scope{}, err
		}
		ids = append(ids, model.AccountID(s))
	}
	return store.AccountScope(ids...), rows.Err()
}

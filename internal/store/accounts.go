package store

import (
	"context"

	"github.com/vigilsec/vigil/internal/model"
)

// AccountStore holds organisations and accounts. Reads return only
// accounts in the scope. Creating organisations needs the system scope;
// creating accounts needs the system scope or a scope holding the
// organisation's delegated-admin account.
type AccountStore interface {
	CreateOrganization(ctx context.Context, name string) (model.Organization, error)
	GetOrganization(ctx context.Context, id model.OrganizationID) (model.Organization, error)
	// Create adds an account to an organisation. ID is generated when
	// empty. At most one account per organisation is delegated admin
	// (*ConflictError otherwise).
	Create(ctx context.Context, a model.Account) (model.Account, error)
	Get(ctx context.Context, id model.AccountID) (model.Account, error)
	// List returns the scope's accounts of org ("" for every
	// organisation), ordered by id.
	List(ctx context.Context, org model.OrganizationID) ([]model.Account, error)
	// ScopeOf returns the scope a request authenticated as account id
	// gets: the whole organisation for a delegated admin, else the account
	// alone.
	ScopeOf(ctx context.Context, id model.AccountID) (Scope, error)
}

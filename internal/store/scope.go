package store

import (
	"slices"

	"github.com/vigilsec/vigil/internal/model"
)

// Scope is the set of accounts a sub-store may see. The zero Scope sees
// nothing.
type Scope struct {
	all      bool
	accounts []model.AccountID
}

// AccountScope returns a scope over the given accounts.
func AccountScope(ids ...model.AccountID) Scope {
	s := Scope{accounts: slices.Clone(ids)}
	slices.Sort(s.accounts)
	s.accounts = slices.Compact(s.accounts)
	return s
}

// SystemScope returns the scope of the server's own machinery: every
// account. Never build it from a request.
func SystemScope() Scope { return Scope{all: true} }

// All reports whether s is the system scope.
func (s Scope) All() bool { return s.all }

// Accounts returns the accounts of a non-system scope, sorted.
func (s Scope) Accounts() []model.AccountID { return slices.Clone(s.accounts) }

// Empty reports whether s sees nothing.
func (s Scope) Empty() bool { return !s.all && len(s.accounts) == 0 }

// Allows reports whether s includes account id.
func (s Scope) Allows(id model.AccountID) bool {
	if s.all {
		return true
	}
	_, ok := slices.BinarySearch(s.accounts, id)
	return ok
}

package finding

import (
	"context"
	"slices"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// ruleCache reads the suppression rules in force for each account once.
type ruleCache struct {
	tx     store.Tx
	now    time.Time
	admins map[model.OrganizationID]model.AccountID
	rules  map[model.AccountID][]model.SuppressionRule
}

func newRuleCache(tx store.Tx, now time.Time) *ruleCache {
	return &ruleCache{tx: tx, now: now, admins: map[model.OrganizationID]model.AccountID{},
		rules: map[model.AccountID][]model.SuppressionRule{}}
}

// forAccount returns the SUPPRESS rules in force at the cache's time for
// the findings of acct: its own and its organisation's delegated admin's,
// ordered by id.
func (c *ruleCache) forAccount(ctx context.Context, acct model.AccountID) ([]model.SuppressionRule, error) {
	if rs, ok := c.rules[acct]; ok {
		return rs, nil
	}
	sys := store.SystemScope()
	owners := []model.AccountID{acct}
	a, err := c.tx.Accounts(sys).Get(ctx, acct)
	if err != nil {
		return nil, err
	}
	admin, ok := c.admins[a.Org]
	if !ok {
		all, err := c.tx.Accounts(sys).List(ctx, a.Org)
		if err != nil {
			return nil, err
		}
		for _, m := range all {
			if m.DelegatedAdmin {
				admin = m.ID
			}
		}
		c.admins[a.Org] = admin
	}
	if admin != "" && admin != acct {
		owners = append(owners, admin)
	}
	var out []model.SuppressionRule
	rs := c.tx.SuppressionRules(store.AccountScope(owners...))
	var after model.SuppressionRuleID
	for {
		page, err := rs.List(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if r.ActiveAt(c.now) {
				out = append(out, r)
			}
		}
		if len(page) < 1000 {
			break
		}
		after = page[len(page)-1].ID
	}
	slices.SortFunc(out, func(a, b model.SuppressionRule) int {
		switch {
		case a.ID < b.ID:
			return -1
		case a.ID > b.ID:
			return 1
		}
		return 0
	})
	c.rules[acct] = out
	return out, nil
}

// reach returns the accounts a rule of owner applies to, within sc: the
// owner, and for an organisation's delegated admin every member.
func (c *ruleCache) reach(ctx context.Context, owner model.AccountID, sc store.Scope) (store.Scope, error) {
	sys := store.SystemScope()
	a, err := c.tx.Accounts(sys).Get(ctx, owner)
	if err != nil {
		return store.Scope{}, err
	}
	ids := []model.AccountID{owner}
	if a.DelegatedAdmin {
		members, err := c.tx.Accounts(sys).List(ctx, a.Org)
		if err != nil {
			return store.Scope{}, err
		}
		ids = ids[:0]
		for _, m := range members {
			ids = append(ids, m.ID)
		}
	}
	var in []model.AccountID
	for _, id := range ids {
		if sc.Allows(id) {
			in = append(in, id)
		}
	}
	return store.AccountScope(in...), nil
}

// applyRule sets f's status from the first rule that matches it: SUPPRESSED
// with the rule, else ACTIVE.
func applyRule(f *model.Finding, rules []model.SuppressionRule) {
	for i := range rules {
		r := &rules[i]
		if r.Filter.Matches(f) {
			f.Status = model.StatusSuppressed
			f.Suppression = &model.FindingSuppression{RuleID: r.ID, Reason: r.Reason, ExpiresAt: r.ExpiresAt}
			return
		}
	}
	f.Status = model.StatusActive
	f.Suppression = nil
}

// ApplySuppressionRules re-evaluates the suppression rules in force at now
// against the open findings of the scope: a finding a rule now matches
// becomes SUPPRESSED ("finding.suppressed"); a suppressed finding whose
// rule expired, was deleted or no longer matches becomes ACTIVE
// ("finding.updated", changed: status). Only the suppressed findings and
// the active ones each rule's filter selects are read, so the pass costs
// what the rules select, not the size of the installation. Run it after
// rule changes and periodically (expiry). All in tx. Tags are compared as
// they were when the finding was last observed.
func ApplySuppressionRules(ctx context.Context, tx store.Tx, sc store.Scope, now time.Time) (Delta, error) {
	var d Delta
	now = now.UTC().Truncate(time.Microsecond)
	cache := newRuleCache(tx, now)
	fs := tx.Findings(sc)
	var order []model.FindingID
	cands := map[model.FindingID]model.Finding{}
	collect := func(fs store.FindingStore, fl model.FindingFilter) error {
		sort := store.FindingSort{Field: store.SortFirstObservedAt, Order: store.Asc}
		cursor := ""
		for {
			page, next, err := fs.List(ctx, fl, sort, cursor, 1000)
			if err != nil {
				return err
			}
			for _, f := range page {
				if _, ok := cands[f.ID]; !ok && f.Status != model.StatusClosed {
					cands[f.ID] = f
					order = append(order, f.ID)
				}
			}
			if next == "" {
				return nil
			}
			cursor = next
		}
	}
	// The suppressed findings: their rule may be gone.
	if err := collect(fs, model.FindingFilter{Status: []model.StringFilter{{Comparison: model.CompareEquals, Value: string(model.StatusSuppressed)}}}); err != nil {
		return d, err
	}
	// The active findings each rule in force selects, within its reach.
	rules, err := allRules(ctx, tx, now)
	if err != nil {
		return d, err
	}
	for i := range rules {
		r := &rules[i]
		reach, err := cache.reach(ctx, r.AccountID, sc)
		if err != nil {
			return d, err
		}
		if reach.Empty() {
			continue
		}
		fl := r.Filter
		if len(fl.Status) <= model.MaxFilterValues-2 {
			fl.Status = append(slices.Clone(fl.Status),
				model.StringFilter{Comparison: model.CompareNotEquals, Value: string(model.StatusClosed)},
				model.StringFilter{Comparison: model.CompareNotEquals, Value: string(model.StatusSuppressed)})
		}
		if err := collect(tx.Findings(reach), fl); err != nil {
			return d, err
		}
	}
	w := writer{now: now}
	for _, id := range order {
		old := cands[id]
		rules, err := cache.forAccount(ctx, old.AccountID)
		if err != nil {
			return d, err
		}
		f := old
		applyRule(&f, rules)
		if f.Status == old.Status && sameSuppression(f.Suppression, old.Suppression) {
			continue
		}
		f.UpdatedAt = now
		w.put(f)
		switch {
		case f.Status == old.Status:
			d.Refreshed++ // another rule, or the same one changed, suppresses it
		case f.Status == model.StatusSuppressed:
			d.Suppressed++
			w.emit(EventSuppressed, &f, old.Status, []string{"status"})
		default:
			d.Unsuppressed++
			w.emit(EventUpdated, &f, old.Status, []string{"status"})
		}
	}
	if len(w.puts) > 0 {
		if err := fs.Put(ctx, w.puts...); err != nil {
			return d, err
		}
	}
	if len(w.events) > 0 {
		if err := encodeEvents(w.events, w.details); err != nil {
			return d, err
		}
		if err := tx.Outbox(sc).Append(ctx, w.events...); err != nil {
			return d, err
		}
	}
	d.Events = len(w.events)
	return d, nil
}

// allRules returns every SUPPRESS rule in force at now, in every account.
// Rules are configuration read on behalf of the machinery; nothing of
// them is returned to a caller.
func allRules(ctx context.Context, tx store.Tx, now time.Time) ([]model.SuppressionRule, error) {
	rs := tx.SuppressionRules(store.SystemScope())
	var out []model.SuppressionRule
	var after model.SuppressionRuleID
	for {
		page, err := rs.List(ctx, after, 1000)
		if err != nil {
			return nil, err
		}
		for _, r := range page {
			if r.ActiveAt(now) {
				out = append(out, r)
			}
		}
		if len(page) < 1000 {
			return out, nil
		}
		after = page[len(page)-1].ID
	}
}

// CloseResource closes every open finding of a resource (reason
// RESOURCE_DELETED), with a "finding.closed" event each; call it in the
// transaction that deletes the resource.
func CloseResource(ctx context.Context, tx store.Tx, sc store.Scope, id model.ResourceID, now time.Time) (Delta, error) {
	var d Delta
	now = now.UTC().Truncate(time.Microsecond)
	stored, err := tx.Findings(sc).ForResource(ctx, id)
	if err != nil {
		return d, err
	}
	w := writer{now: now}
	for i := range stored {
		if stored[i].Status == model.StatusClosed {
			continue
		}
		if err := w.close(&stored[i], model.ClosedResourceDeleted); err != nil {
			return d, err
		}
		d.Closed++
	}
	if err := w.flush(ctx, tx, sc); err != nil {
		return d, err
	}
	d.Events = len(w.events)
	return d, nil
}

// Purge deletes the findings closed before closedBefore (the retention
// period has passed), in every account, and returns how many.
func Purge(ctx context.Context, tx store.Tx, closedBefore time.Time) (int, error) {
	return tx.Findings(store.SystemScope()).Purge(ctx, closedBefore)
}

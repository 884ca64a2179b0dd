package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type delivery struct {
	t  *tx
	sc store.Scope
}

// Delivery implements store.Tx.
func (t *tx) Delivery(sc store.Scope) store.DeliveryStore { return &delivery{t: t, sc: sc} }

const eventRuleCols = `id, account_id, name, description, pattern, enabled, created_at, updated_at`

func checkName(kind, name string) error {
	if name == "" || len(name) > 128 || !utf8.ValidString(name) {
		return &store.InvalidError{Field: kind + ".name", Reason: "must be 1 to 128 bytes of UTF-8"}
	}
	return nil
}

// bump moves the configuration version (the relay reloads).
func (d *delivery) bump(ctx context.Context) error {
	_, err := d.t.c.Exec(ctx, `UPDATE delivery_config SET version = version + 1 WHERE id = 1`)
	return err
}

func (d *delivery) Version(ctx context.Context) (int64, error) {
	var v int64
	err := d.t.c.QueryRow(ctx, `SELECT version FROM delivery_config WHERE id = 1`).Scan(&v)
	return v, err
}

func (d *delivery) checkRule(ctx context.Context, r *store.EventRule) error {
	if err := checkName("rule", r.Name); err != nil {
		return err
	}
	if len(r.Description) > 1024 {
		return &store.InvalidError{Field: "rule.description", Reason: "at most 1024 bytes"}
	}
	if len(r.Pattern) > 64<<10 || !json.Valid([]byte(r.Pattern)) {
		return &store.InvalidError{Field: "rule.pattern", Reason: "must be a JSON document of at most 64 KiB"}
	}
	if len(r.Targets) > 5 {
		return &store.InvalidError{Field: "rule.targets", Reason: "at most 5 targets a rule (as EventBridge)"}
	}
	slices.Sort(r.Targets)
	r.Targets = slices.Compact(r.Targets)
	if r.Targets == nil {
		r.Targets = []store.TargetID{}
	}
	for _, id := range r.Targets {
		var acct string
		err := d.t.c.QueryRow(ctx, `SELECT account_id FROM delivery_targets WHERE id = ?`, string(id)).Scan(&acct)
		if err != nil || model.AccountID(acct) != r.AccountID {
			if err != nil && err != ErrNoRows {
				return err
			}
			return &store.NotFoundError{Kind: "target", ID: string(id)}
		}
	}
	return nil
}

func (d *delivery) setRuleTargets(ctx context.Context, r store.EventRule) error {
	if _, err := d.t.c.Exec(ctx, `DELETE FROM event_rule_targets WHERE rule_id = ?`, string(r.ID)); err != nil {
		return err
	}
	for _, id := range r.Targets {
		if _, err := d.t.c.Exec(ctx, `INSERT INTO event_rule_targets (rule_id, target_id) VALUES (?, ?)`, string(r.ID), string(id)); err != nil {
			return err
		}
	}
	return nil
}

func (d *delivery) CreateRule(ctx context.Context, r store.EventRule) (store.EventRule, error) {
	if err := d.t.writable(); err != nil {
		return r, err
	}
	if err := checkScope(d.sc, "event rule", r.AccountID); err != nil {
		return r, err
	}
	if err := d.checkRule(ctx, &r); err != nil {
		return r, err
	}
	if r.ID == "" {
		r.ID = store.RuleID(store.NewID("rul"))
	}
	now := d.t.s.now()
	r.CreatedAt, r.UpdatedAt = now, now
	err := d.t.execGuarded(ctx, `INSERT INTO event_rules (`+eventRuleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		string(r.ID), string(r.AccountID), r.Name, r.Description, r.Pattern, boolInt(r.Enabled), micro(now), micro(now))
	if err != nil {
		return r, d.writeErr(err, "event rule", r.Name, string(r.AccountID))
	}
	if err := d.setRuleTargets(ctx, r); err != nil {
		return r, err
	}
	return r, d.bump(ctx)
}

func (d *delivery) writeErr(err error, kind, name, account string) error {
	switch {
	case d.t.s.d.IsUnique(err):
		return &store.ConflictError{Kind: kind, ID: name, Reason: "one of that name exists"}
	case d.t.s.d.IsForeignKey(err):
		return &store.NotFoundError{Kind: "account", ID: account}
	}
	return err
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (d *delivery) scanRule(r Row) (store.EventRule, error) {
	var x store.EventRule
	var enabled int
	var created, updated int64
	err := r.Scan(&x.ID, &x.AccountID, &x.Name, &x.Description, &x.Pattern, &enabled, &created, &updated)
	x.Enabled, x.CreatedAt, x.UpdatedAt = enabled != 0, fromMicro(created), fromMicro(updated)
	return x, err
}

func (d *delivery) ruleTargets(ctx context.Context, rs []store.EventRule) error {
	for i := range rs {
		rows, err := d.t.c.Query(ctx, `SELECT target_id FROM event_rule_targets WHERE rule_id = ? ORDER BY target_id`, string(rs[i].ID))
		if err != nil {
			return err
		}
		rs[i].Targets = []store.TargetID{}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			rs[i].Targets = append(rs[i].Targets, store.TargetID(id))
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return err
		}
	}
	return nil
}

func (d *delivery) GetRule(ctx context.Context, id store.RuleID) (store.EventRule, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(id)})
	r, err := d.scanRule(d.t.c.QueryRow(ctx, `SELECT `+eventRuleCols+` FROM event_rules WHERE id = ?`+cond, args...))
	if err != nil {
		return r, notFound(err, "event rule", string(id))
	}
	rs := []store.EventRule{r}
	err = d.ruleTargets(ctx, rs)
	return rs[0], err
}

func (d *delivery) UpdateRule(ctx context.Context, r store.EventRule) (store.EventRule, error) {
	if err := d.t.writable(); err != nil {
		return r, err
	}
	old, err := d.GetRule(ctx, r.ID)
	if err != nil {
		return r, err
	}
	r.AccountID, r.CreatedAt, r.UpdatedAt = old.AccountID, old.CreatedAt, d.t.s.now()
	if err := d.checkRule(ctx, &r); err != nil {
		return r, err
	}
	err = d.t.execGuarded(ctx, `UPDATE event_rules SET name = ?, description = ?, pattern = ?, enabled = ?, updated_at = ? WHERE id = ?`,
		r.Name, r.Description, r.Pattern, boolInt(r.Enabled), micro(r.UpdatedAt), string(r.ID))
	if err != nil {
		return r, d.writeErr(err, "event rule", r.Name, string(r.AccountID))
	}
	if err := d.setRuleTargets(ctx, r); err != nil {
		return r, err
	}
	return r, d.bump(ctx)
}

func (d *delivery) DeleteRule(ctx context.Context, id store.RuleID) error {
	if err := d.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(d.sc, "account_id", []any{string(id)})
	n, err := d.t.c.Exec(ctx, `DELETE FROM event_rules WHERE id = ?`+cond, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return &store.NotFoundError{Kind: "event rule", ID: string(id)}
	}
	if _, err := d.t.c.Exec(ctx, `DELETE FROM event_rule_targets WHERE rule_id = ?`, string(id)); err != nil {
		return err
	}
	return d.bump(ctx)
}

func pageLimit(limit int) int {
	if limit <= 0 {
		return 100
	}
	return min(limit, 1000)
}

func (d *delivery) ListRules(ctx context.Context, after store.RuleID, limit int) ([]store.EventRule, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(after)})
	args = append(args, pageLimit(limit))
	rows, err := d.t.c.Query(ctx, `SELECT `+eventRuleCols+` FROM event_rules WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	var out []store.EventRule
	for rows.Next() {
		r, err := d.scanRule(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, r)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	return out, d.ruleTargets(ctx, out)
}

const targetCols = `id, account_id, name, kind, config, secret, last_seq, created_at, updated_at`

func checkTarget(t *store.Target) error {
	if err := checkName("target", t.Name); err != nil {
		return err
	}
	if !t.Kind.Valid() {
		return &store.InvalidError{Field: "target.kind", Reason: fmt.Sprintf("unknown kind %q", t.Kind)}
	}
	if len(t.Config) > 64<<10 || !json.Valid(t.Config) {
		return &store.InvalidError{Field: "target.config", Reason: "must be a JSON document of at most 64 KiB"}
	}
	if len(t.Secret) > 1024 {
		return &store.InvalidError{Field: "target.secret", Reason: "at most 1024 bytes"}
	}
	return nil
}

func (d *delivery) CreateTarget(ctx context.Context, t store.Target) (store.Target, error) {
	if err := d.t.writable(); err != nil {
		return t, err
	}
	if err := checkScope(d.sc, "target", t.AccountID); err != nil {
		return t, err
	}
	if err := checkTarget(&t); err != nil {
		return t, err
	}
	if t.ID == "" {
		t.ID = store.TargetID(store.NewID("tgt"))
	}
	if err := d.t.c.QueryRow(ctx, `SELECT seq FROM outbox_counter WHERE id = 1`).Scan(&t.Cursor); err != nil {
		return t, err
	}
	now := d.t.s.now()
	t.CreatedAt, t.UpdatedAt = now, now
	err := d.t.execGuarded(ctx, `INSERT INTO delivery_targets (`+targetCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		string(t.ID), string(t.AccountID), t.Name, string(t.Kind), t.Config, t.Secret, t.Cursor, micro(now), micro(now))
	if err != nil {
		return t, d.writeErr(err, "target", t.Name, string(t.AccountID))
	}
	return t, d.bump(ctx)
}

func scanTarget(r Row) (store.Target, error) {
	var t store.Target
	var created, updated int64
	err := r.Scan(&t.ID, &t.AccountID, &t.Name, &t.Kind, &t.Config, &t.Secret, &t.Cursor, &created, &updated)
	t.CreatedAt, t.UpdatedAt = fromMicro(created), fromMicro(updated)
	return t, err
}

func (d *delivery) GetTarget(ctx context.Context, id store.TargetID) (store.Target, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(id)})
	t, err := scanTarget(d.t.c.QueryRow(ctx, `SELECT `+targetCols+` FROM delivery_targets WHERE id = ?`+cond, args...))
	return t, notFound(err, "target", string(id))
}

func (d *delivery) UpdateTarget(ctx context.Context, t store.Target) (store.Target, error) {
	if err := d.t.writable(); err != nil {
		return t, err
	}
	old, err := d.GetTarget(ctx, t.ID)
	if err != nil {
		return t, err
	}
	t.AccountID, t.Kind, t.Cursor, t.CreatedAt, t.UpdatedAt = old.AccountID, old.Kind, old.Cursor, old.CreatedAt, d.t.s.now()
	if t.Secret == "" {
		t.Secret = old.Secret
	}
	if err := checkTarget(&t); err != nil {
		return t, err
	}
	err = d.t.execGuarded(ctx, `UPDATE delivery_targets SET name = ?, config = ?, secret = ?, updated_at = ? WHERE id = ?`,
		t.Name, t.Config, t.Secret, micro(t.UpdatedAt), string(t.ID))
	if err != nil {
		return t, d.writeErr(err, "target", t.Name, string(t.AccountID))
	}
	return t, d.bump(ctx)
}

func (d *delivery) DeleteTarget(ctx context.Context, id store.TargetID) error {
	if err := d.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(d.sc, "account_id", []any{string(id)})
	n, err := d.t.c.Exec(ctx, `DELETE FROM delivery_targets WHERE id = ?`+cond, args...)
	if err != nil {
		return err
	}
	if n == 0 {
		return &store.NotFoundError{Kind: "target", ID: string(id)}
	}
	for _, q := range []string{
		`DELETE FROM event_rule_targets WHERE target_id = ?`,
		`DELETE FROM deliveries WHERE target_id = ?`,
		`DELETE FROM dead_letters WHERE target_id = ?`,
	} {
		if _, err := d.t.c.Exec(ctx, q, string(id)); err != nil {
			return err
		}
	}
	return d.bump(ctx)
}

func (d *delivery) ListTargets(ctx context.Context, after store.TargetID, limit int) ([]store.Target, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(after)})
	args = append(args, pageLimit(limit))
	rows, err := d.t.c.Query(ctx, `SELECT `+targetCols+` FROM delivery_targets WHERE id > ?`+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

func (d *delivery) LeaseTarget(ctx context.Context, id store.TargetID, owner string, ttl time.Duration) (bool, error) {
	if err := d.t.writable(); err != nil {
		return false, err
	}
	if owner == "" || ttl <= 0 {
		return false, &store.InvalidError{Field: "lease", Reason: "an owner and a positive ttl are required"}
	}
	now := d.t.s.now()
	cond, args := scopeCond(d.sc, "account_id", []any{owner, micro(now.Add(ttl)), string(id), owner, micro(now)})
	n, err := d.t.c.Exec(ctx, `UPDATE delivery_targets SET lease_owner = ?, lease_until = ? WHERE id = ? AND (lease_owner = ? OR lease_until < ?)`+cond, args...)
	if err != nil || n == 1 {
		return n == 1, err
	}
	_, err = d.ownTarget(ctx, id)
	return false, err
}

func (d *delivery) ReleaseTarget(ctx context.Context, id store.TargetID, owner string) error {
	if err := d.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(d.sc, "account_id", []any{string(id), owner})
	if _, err := d.t.c.Exec(ctx, `UPDATE delivery_targets SET lease_owner = '', lease_until = 0 WHERE id = ? AND lease_owner = ?`+cond, args...); err != nil {
		return err
	}
	_, err := d.ownTarget(ctx, id)
	return err
}

// ownTarget checks that the target exists in the scope and returns its
// account.
func (d *delivery) ownTarget(ctx context.Context, id store.TargetID) (model.AccountID, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(id)})
	var acct string
	err := d.t.c.QueryRow(ctx, `SELECT account_id FROM delivery_targets WHERE id = ?`+cond, args...).Scan(&acct)
	return model.AccountID(acct), notFound(err, "target", string(id))
}

func (d *delivery) Commit(ctx context.Context, p store.Progress) error {
	if err := d.t.writable(); err != nil {
		return err
	}
	acct, err := d.ownTarget(ctx, p.Target)
	if err != nil {
		return err
	}
	now := d.t.s.now()
	if p.Cursor > 0 {
		if _, err := d.t.c.Exec(ctx, `UPDATE delivery_targets SET last_seq = ? WHERE id = ? AND last_seq < ?`, p.Cursor, string(p.Target), p.Cursor); err != nil {
			return err
		}
	}
	const cols = 10
	batch := min(d.t.s.d.MaxParams/cols, 100)
	for as := p.Attempts; len(as) > 0; {
		k := min(batch, len(as))
		args := make([]any, 0, k*cols)
		q := `INSERT INTO deliveries (target_id, account_id, seq, event_id, attempt, outcome, status, error, duration_ns, at) VALUES `
		for i, a := range as[:k] {
			if i > 0 {
				q += ","
			}
			q += "(?,?,?,?,?,?,?,?,?,?)"
			at := a.At
			if at.IsZero() {
				at = now
			}
			args = append(args, string(p.Target), string(acct), a.Seq, a.EventID, a.Attempt, a.Outcome, a.Status, truncate(a.Error, 1024), int64(a.Duration), micro(at))
		}
		if _, err := d.t.c.Exec(ctx, q, args...); err != nil {
			return err
		}
		as = as[k:]
	}
	for _, dl := range p.Dead {
		_, err := d.t.c.Exec(ctx, d.t.s.d.InsertIgnore+` INTO dead_letters (target_id, account_id, seq, event_id, attempts, last_error, replay, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`+d.t.s.d.IgnoreSuffix,
			string(p.Target), string(acct), dl.Seq, dl.EventID, dl.Attempts, truncate(dl.LastError, 1024), micro(now), micro(now))
		if err != nil {
			return err
		}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for len(s) > 0 && !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s
}

const deliveryCols = `id, target_id, account_id, seq, event_id, attempt, outcome, status, error, duration_ns, at`

func (d *delivery) Deliveries(ctx context.Context, target store.TargetID, before int64, limit int) ([]store.Delivery, error) {
	if _, err := d.ownTarget(ctx, target); err != nil {
		return nil, err
	}
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := d.t.c.Query(ctx, `SELECT `+deliveryCols+` FROM deliveries WHERE target_id = ? AND id < ? ORDER BY id DESC LIMIT ?`,
		string(target), before, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Delivery
	for rows.Next() {
		var x store.Delivery
		var dur, at int64
		if err := rows.Scan(&x.ID, &x.TargetID, &x.AccountID, &x.Seq, &x.EventID, &x.Attempt, &x.Outcome, &x.Status, &x.Error, &dur, &at); err != nil {
			return nil, err
		}
		x.Duration, x.At = time.Duration(dur), fromMicro(at)
		out = append(out, x)
	}
	return out, rows.Err()
}

func (d *delivery) PruneDeliveries(ctx context.Context, before time.Time) (int, error) {
	if err := d.t.writable(); err != nil {
		return 0, err
	}
	cond, args := scopeCond(d.sc, "account_id", []any{micro(before)})
	n, err := d.t.c.Exec(ctx, `DELETE FROM deliveries WHERE at < ?`+cond, args...)
	return int(n), err
}

const deadCols = `id, target_id, account_id, seq, event_id, attempts, last_error, replay, created_at, updated_at`

func (d *delivery) scanDead(rows Rows) ([]store.DeadLetter, error) {
	defer rows.Close()
	var out []store.DeadLetter
	for rows.Next() {
		var x store.DeadLetter
		var replay int
		var created, updated int64
		if err := rows.Scan(&x.ID, &x.TargetID, &x.AccountID, &x.Seq, &x.EventID, &x.Attempts, &x.LastError, &replay, &created, &updated); err != nil {
			return nil, err
		}
		x.Replay, x.CreatedAt, x.UpdatedAt = replay != 0, fromMicro(created), fromMicro(updated)
		out = append(out, x)
	}
	return out, rows.Err()
}

func (d *delivery) DeadLetters(ctx context.Context, target store.TargetID, after int64, limit int) ([]store.DeadLetter, error) {
	if _, err := d.ownTarget(ctx, target); err != nil {
		return nil, err
	}
	rows, err := d.t.c.Query(ctx, `SELECT `+deadCols+` FROM dead_letters WHERE target_id = ? AND id > ? ORDER BY id LIMIT ?`,
		string(target), after, pageLimit(limit))
	if err != nil {
		return nil, err
	}
	return d.scanDead(rows)
}

func (d *delivery) RequestReplay(ctx context.Context, target store.TargetID, ids []int64) (int, error) {
	if err := d.t.writable(); err != nil {
		return 0, err
	}
	if _, err := d.ownTarget(ctx, target); err != nil {
		return 0, err
	}
	if len(ids) > 1000 {
		return 0, &store.InvalidError{Field: "ids", Reason: "at most 1000 a request"}
	}
	q := `UPDATE dead_letters SET replay = 1, updated_at = ? WHERE target_id = ?`
	args := []any{micro(d.t.s.now()), string(target)}
	if len(ids) > 0 {
		q += ` AND id IN (` + placeholders(len(ids)) + `)`
		for _, id := range ids {
			args = append(args, id)
		}
	}
	n, err := d.t.c.Exec(ctx, q, args...)
	return int(n), err
}

func (d *delivery) Replays(ctx context.Context, target store.TargetID, limit int) ([]store.DeadLetter, error) {
	cond, args := scopeCond(d.sc, "account_id", []any{string(target)})
	args = append(args, pageLimit(limit))
	rows, err := d.t.c.Query(ctx, `SELECT `+deadCols+` FROM dead_letters WHERE target_id = ? AND replay = 1`+cond+` ORDER BY id LIMIT ?`, args...)
	if err != nil {
		return nil, err
	}
	return d.scanDead(rows)
}

func (d *delivery) Replayed(ctx context.Context, id int64, delivered bool, lastError string) error {
	if err := d.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(d.sc, "account_id", []any{id})
	var n int64
	var err error
	if delivered {
		n, err = d.t.c.Exec(ctx, `DELETE FROM dead_letters WHERE id = ?`+cond, args...)
	} else {
		args = append([]any{truncate(lastError, 1024), micro(d.t.s.now())}, args...)
		n, err = d.t.c.Exec(ctx, `UPDATE dead_letters SET replay = 0, attempts = attempts + 1, last_error = ?, updated_at = ? WHERE id = ?`+cond, args...)
	}
	if err == nil && n == 0 {
		return &store.NotFoundError{Kind: "dead letter", ID: fmt.Sprint(id)}
	}
	return err
}

func (d *delivery) Ingested(ctx context.Context, account model.AccountID, eventID string) (bool, error) {
	if err := d.t.writable(); err != nil {
		return false, err
	}
	if err := checkScope(d.sc, "ingested event", account); err != nil {
		return false, err
	}
	n, err := d.t.c.Exec(ctx, d.t.s.d.InsertIgnore+` INTO ingested_events (account_id, event_id, at) VALUES (?, ?, ?)`+d.t.s.d.IgnoreSuffix,
		string(account), eventID, micro(d.t.s.now()))
	return n == 1, err
}

func (d *delivery) Counts(ctx context.Context) (store.Counts, error) {
	c := store.Counts{Findings: map[[2]string]int{}, Coverage: map[[2]string]int{}, Queued: map[model.JobKind]int{}, DeadLetters: map[store.TargetID]int{}}
	pairs := func(q string, into map[[2]string]int) error {
		cond, args := scopeCond(d.sc, "account_id", nil)
		rows, err := d.t.c.Query(ctx, fmt.Sprintf(q, cond), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a, b string
			var n int
			if err := rows.Scan(&a, &b, &n); err != nil {
				return err
			}
			into[[2]string{a, b}] = n
		}
		return rows.Err()
	}
	if err := pairs(`SELECT severity, status, COUNT(*) FROM findings WHERE 1 = 1%s GROUP BY severity, status`, c.Findings); err != nil {
		return c, err
	}
	if err := pairs(`SELECT coverage_status, coverage_reason, COUNT(*) FROM resources WHERE 1 = 1%s GROUP BY coverage_status, coverage_reason`, c.Coverage); err != nil {
		return c, err
	}
	dead := map[[2]string]int{}
	if err := pairs(`SELECT target_id, '', COUNT(*) FROM dead_letters WHERE 1 = 1%s GROUP BY target_id`, dead); err != nil {
		return c, err
	}
	for k, n := range dead {
		c.DeadLetters[store.TargetID(k[0])] = n
	}
	queued := map[[2]string]int{}
	if err := pairs(`SELECT kind, '', COUNT(*) FROM jobs WHERE state = 'queued'%s GROUP BY kind`, queued); err != nil {
		return c, err
	}
	for k, n := range queued {
		c.Queued[model.JobKind(k[0])] = n
	}
	cond, args := scopeCond(d.sc, "account_id", nil)
	var oldest int64
	if err := d.t.c.QueryRow(ctx, `SELECT COALESCE(MIN(created_at), 0) FROM jobs WHERE state = 'queued'`+cond, args...).Scan(&oldest); err != nil {
		return c, err
	}
	c.OldestQueued = fromMicro(oldest)
	return c, nil
}

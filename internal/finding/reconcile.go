package finding

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// Delta counts what a reconciliation (or a suppression pass) changed.
type Delta struct {
	// Created counts new findings (ACTIVE or, when a rule matched at once,
	// SUPPRESSED).
	Created int `json:"created"`
	// Updated counts findings whose severity, score or fix availability
	// changed (one finding.updated event each).
	Updated int `json:"updated"`
	// Reopened counts CLOSED findings observed again.
	Reopened int `json:"reopened"`
	// Closed counts open findings no longer observed.
	Closed int `json:"closed"`
	// Suppressed and Unsuppressed count status changes made by rules.
	Suppressed   int `json:"suppressed"`
	Unsuppressed int `json:"unsuppressed"`
	// Refreshed counts findings whose stored details changed without an
	// event (new references, a new EPSS below the threshold, new tags).
	Refreshed int `json:"refreshed"`
	// Unchanged counts findings observed again as they were.
	Unchanged int `json:"unchanged"`
	// Events is the number of outbox events written.
	Events int `json:"events"`
	// Open counts the resource's ACTIVE findings after the change, by
	// severity (for "Scan Completed"); zero for suppression passes.
	Open model.SeverityCounts `json:"open"`
}

// Reconcile brings the stored findings of one resource in line with the
// observations of one scan, within tx (one transaction per scan), and
// appends an outbox event for each state change. res must carry its id,
// account, type, name and tags; scanID and snapshotID are recorded on
// every observed finding. Observations with the same key count once.
// Suppression rules are those of the resource's account and of its
// organisation's delegated admin, read whatever sc is.
func Reconcile(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, scanID, snapshotID string,
	observations []model.Observation, now time.Time) (Delta, error) {
	b := NewScanBatch(tx, now)
	d, err := b.Add(ctx, sc, res, scanID, snapshotID, observations)
	if err != nil {
		return d, err
	}
	return d, b.Flush(ctx)
}

// ScanBatch reconciles the scans of many resources in one transaction:
// each scan is reconciled as Reconcile does when it is added (its stored
// findings read, planned and applied; its Delta is final), and the
// findings, touches and events of all of them are written at Flush, new
// findings in id order (ids are grouped by vulnerability, so that the new
// findings of a batch's resources that share vulnerabilities land side by
// side in the indexes). Nothing is written before Flush; a resource is
// added at most once (its stored findings would not show the first
// scan's).
type ScanBatch struct {
	tx    store.Tx
	w     *writer
	rules *ruleCache
	added map[model.ResourceID]bool
}

// NewScanBatch starts a batch of scans in tx reconciled at now.
func NewScanBatch(tx store.Tx, now time.Time) *ScanBatch {
	now = now.UTC().Truncate(time.Microsecond)
	w := newWriter(now)
	w.reobserve = true
	return &ScanBatch{tx: tx, w: w, rules: newRuleCache(tx, now), added: map[model.ResourceID]bool{}}
}

// Add reconciles the observations of one scan of res, as Reconcile
// describes, and returns its Delta (Events counts the events it will
// write). A resource already added is refused (*ResourceError).
func (b *ScanBatch) Add(ctx context.Context, sc store.Scope, res model.Resource, scanID, snapshotID string,
	observations []model.Observation) (Delta, error) {
	var d Delta
	if res.ID == "" || res.AccountID == "" {
		return d, &ResourceError{Reason: "id and account are required"}
	}
	if !sc.Allows(res.AccountID) {
		return d, &store.ScopeError{Kind: "finding", Account: string(res.AccountID)}
	}
	if b.added[res.ID] {
		return d, &ResourceError{Reason: fmt.Sprintf("resource %s is already in the batch", res.ID)}
	}
	for i := range observations {
		if err := checkObservation(i, &observations[i]); err != nil {
			return d, err
		}
	}
	states, err := b.tx.Findings(sc).States(ctx, res.ID)
	if err != nil {
		return d, err
	}
	rules, err := b.rules.forAccount(ctx, res.AccountID)
	if err != nil {
		return d, err
	}
	events := len(b.w.events)
	p, err := b.w.plan(&res, scanID, snapshotID, buildCandidates(&res, scanID, snapshotID, observations, b.w.now, false), states, rules)
	if err != nil {
		return p.d, err
	}
	if need := p.need(nil); len(need) > 0 {
		old, err := readOld(ctx, b.tx.Findings(sc), need)
		if err != nil {
			return p.d, err
		}
		if err := b.w.apply(p, old); err != nil {
			return p.d, err
		}
	}
	b.added[res.ID] = true
	p.d.Events = len(b.w.events) - events
	return p.d, nil
}

// Flush writes what the added scans changed. The accounts were checked
// against each Add's scope; the writes go through the system scope.
func (b *ScanBatch) Flush(ctx context.Context) error {
	err := b.w.flush(ctx, b.tx, store.SystemScope())
	b.w = newWriter(b.w.now)
	b.w.reobserve = true
	return err
}

// ReconcilePackages is Reconcile limited to some packages of a resource,
// for a rematch after an advisory update touched them: observations must
// be those of matching exactly pkgs, and only the stored findings of pkgs
// (by package key) take part — new → ACTIVE, changed → updated, gone →
// CLOSED, a closed one back → reopened. A rematch re-evaluates the stored
// inventory; it does not observe the resource again: a finding it finds
// unchanged is left as it is (lastObservedAt, like Inspector's, moves when
// a scan observes the finding or the finding changes; the resource's
// lastScannedAt records the rematch). Findings of the resource's
// other packages are left as they are. states holds the stored states of
// the packages' findings (FindingStore.PackageStates; entries of other
// resources or packages are ignored). Delta.Open counts the packages'
// findings only.
func ReconcilePackages(ctx context.Context, tx store.Tx, sc store.Scope, res model.Resource, scanID, snapshotID string,
	pkgs []model.Package, observations []model.Observation, states []store.FindingState, now time.Time) (Delta, error) {
	b := NewBatch(tx, now)
	if err := b.AddPackages(ctx, sc, res, scanID, snapshotID, pkgs, observations, states); err != nil {
		return Delta{}, err
	}
	return b.Flush(ctx)
}

// readOld reads the stored findings ids.
func readOld(ctx context.Context, fs store.FindingStore, ids []model.FindingID) (map[model.FindingID]*model.Finding, error) {
	olds, err := fs.GetMany(ctx, ids)
	if err != nil {
		return nil, err
	}
	old := make(map[model.FindingID]*model.Finding, len(olds))
	for i := range olds {
		old[olds[i].ID] = &olds[i]
	}
	return old, nil
}

// planned is one resource's reconciliation once its observations are
// compared with the stored states: what is left needs the stored versions
// of the changed and closing findings.
type planned struct {
	d       Delta
	changed []model.Finding
	// prints holds, per changed finding, its fingerprint and the stored
	// one (computing a fingerprint encodes the finding).
	prints  [][2]string
	closing []model.FindingID
}

// need appends the ids whose stored versions p needs.
func (p *planned) need(dst []model.FindingID) []model.FindingID {
	for i := range p.changed {
		dst = append(dst, p.changed[i].ID)
	}
	return append(dst, p.closing...)
}

// candidates are the findings observations describe on one resource, as
// if new (build), without duplicate keys, with their fingerprints where
// computed ("" until needed).
type candidates struct {
	fs     []model.Finding
	prints []string
}

// buildCandidates builds the candidates of observations; withPrints
// computes every fingerprint at once.
func buildCandidates(res *model.Resource, scanID, snapshotID string, observations []model.Observation, now time.Time, withPrints bool) candidates {
	c := candidates{fs: make([]model.Finding, 0, len(observations)), prints: make([]string, 0, len(observations))}
	seen := make(map[model.FindingID]bool, len(observations))
	for i := range observations {
		o := &observations[i]
		id := ID(res.AccountID, res.ID, o)
		if seen[id] {
			continue
		}
		seen[id] = true
		f := build(res, scanID, snapshotID, id, o, now)
		fp := ""
		if withPrints {
			// Kept for the store, should the finding be new.
			f.Content = f.ContentJSON()
			fp = model.FingerprintOf(f.Content)
			f.ContentFingerprint = fp
		}
		c.fs = append(c.fs, f)
		c.prints = append(c.prints, fp)
	}
	return c
}

// plan compares the candidates of res with the stored states: new
// findings are written and unchanged ones touched at once; the rest is
// left to apply.
func (w *writer) plan(res *model.Resource, scanID, snapshotID string, c candidates,
	states []store.FindingState, rules []model.SuppressionRule) (*planned, error) {
	p := &planned{}
	byID := make(map[model.FindingID]*store.FindingState, len(states))
	for i := range states {
		byID[states[i].ID] = &states[i]
	}
	tk := touchKey{scanID, snapshotID}
	seen := make(map[model.FindingID]bool, len(c.fs))
	for i := range c.fs {
		cand := &c.fs[i] // c is this plan's own
		seen[cand.ID] = true
		applyRule(cand, rules)
		st := byID[cand.ID]
		if st == nil {
			w.emit(EventCreated, cand, "", nil)
			w.inserts = append(w.inserts, cand)
			p.d.Created++
			countOpen(&p.d.Open, cand)
			continue
		}
		fp := c.prints[i]
		if fp == "" {
			fp = cand.Fingerprint()
		}
		if st.Status != model.StatusClosed && st.Status == cand.Status && st.SuppressedBy == ruleOf(cand) &&
			st.Fingerprint == fp {
			w.touchOne(tk, cand.ID)
			p.d.Unchanged++
			countOpen(&p.d.Open, cand)
			continue
		}
		cand.Content, cand.ContentFingerprint = nil, "" // apply may change it (kept evidence)
		p.changed = append(p.changed, *cand)
		p.prints = append(p.prints, [2]string{fp, st.Fingerprint})
	}
	for i := range states {
		if st := &states[i]; !seen[st.ID] && st.Status != model.StatusClosed {
			p.closing = append(p.closing, st.ID)
		}
	}
	return p, nil
}

// apply finishes a plan with the stored versions of its findings.
func (w *writer) apply(p *planned, old map[model.FindingID]*model.Finding) error {
	for i, cand := range p.changed {
		o := old[cand.ID]
		if o == nil {
			return fmt.Errorf("reconcile: finding %s vanished during the transaction", cand.ID)
		}
		newContent := p.prints[i][1] != p.prints[i][0]
		if keepEvidence(o, &cand) {
			newContent = cand.Fingerprint() != p.prints[i][1]
		}
		if err := w.observedAgain(&p.d, o, cand, newContent); err != nil {
			return err
		}
	}
	for _, id := range p.closing {
		o := old[id]
		if o == nil {
			return fmt.Errorf("reconcile: finding %s vanished during the transaction", id)
		}
		if err := w.close(o, model.ClosedFixed); err != nil {
			return err
		}
		p.d.Closed++
	}
	return nil
}

// ruleOf returns the id of the rule suppressing f, if any.
func ruleOf(f *model.Finding) model.SuppressionRuleID {
	if f.Suppression == nil {
		return ""
	}
	return f.Suppression.RuleID
}

// countOpen counts f in c when it is ACTIVE.
func countOpen(c *model.SeverityCounts, f *model.Finding) {
	if f.Status == model.StatusActive {
		c.Add(f.Severity, 1)
	}
}

// writer gathers the writes and events of one or more reconciliations.
type writer struct {
	now time.Time
	// reobserve touches the findings observed again unchanged: a scan
	// observed them (a rematch only re-evaluated a stored inventory).
	reobserve bool
	// inserts are new findings (in the candidates of their plans, not
	// copied until flush); puts replace stored ones.
	inserts []*model.Finding
	puts    []model.Finding
	touch   map[touchKey][]model.FindingID
	// events are the outbox events, their payloads encoded at flush from
	// details (one each).
	events  []model.Event
	details []*event.Finding
}

// touchKey is what Touch records on findings observed again unchanged.
type touchKey struct{ scanID, snapshotID string }

func newWriter(now time.Time) *writer {
	return &writer{now: now, touch: map[touchKey][]model.FindingID{}}
}

func (w *writer) put(f model.Finding) { w.puts = append(w.puts, f) }

func (w *writer) touchOne(k touchKey, id model.FindingID) {
	if w.reobserve {
		w.touch[k] = append(w.touch[k], id)
	}
}

// emit queues the event of a finding change; its payload is encoded at
// flush (encodeEvents).
func (w *writer) emit(typ string, f *model.Finding, prev model.FindingStatus, changed []string) {
	e, d := newEvent(typ, f, prev, changed)
	w.events = append(w.events, e)
	w.details = append(w.details, d)
}

// observedAgain handles a stored finding observed by this scan: cand is
// the finding as observed, with the rule's status applied; newContent says
// its fingerprint differs from the stored one.
func (w *writer) observedAgain(d *Delta, old *model.Finding, cand model.Finding, newContent bool) error {
	tk := touchKey{cand.ScanID, cand.SnapshotID}
	cand.FirstObservedAt = old.FirstObservedAt
	cand.ReopenCount = old.ReopenCount
	cand.UpdatedAt = old.UpdatedAt
	reopened := old.Status == model.StatusClosed
	if reopened {
		cand.ReopenCount++
	}
	changed := significantChanges(old, &cand)
	statusChanged := old.Status != cand.Status
	content := statusChanged || !sameSuppression(old.Suppression, cand.Suppression) || newContent
	defer countOpen(&d.Open, &cand)
	if !content {
		w.touchOne(tk, cand.ID)
		d.Unchanged++
		return nil
	}
	cand.UpdatedAt = w.now
	w.put(cand)
	switch {
	case reopened:
		d.Reopened++
		w.emit(EventUpdated, &cand, old.Status, append([]string{"status"}, changed...))
		return nil
	case statusChanged && cand.Status == model.StatusSuppressed:
		d.Suppressed++
		w.emit(EventSuppressed, &cand, old.Status, append([]string{"status"}, changed...))
		return nil
	case statusChanged:
		d.Unsuppressed++
		w.emit(EventUpdated, &cand, old.Status, append([]string{"status"}, changed...))
		return nil
	case hasSignificant(changed):
		d.Updated++
		w.emit(EventUpdated, &cand, "", changed)
		return nil
	}
	d.Refreshed++
	return nil
}

// close closes an open finding.
func (w *writer) close(old *model.Finding, reason model.ClosedReason) error {
	f := *old
	f.Status = model.StatusClosed
	f.Suppression = nil
	f.ClosedAt = w.now
	f.ClosedReason = reason
	f.UpdatedAt = w.now
	w.put(f)
	w.emit(EventClosed, &f, old.Status, nil)
	return nil
}

func (w *writer) flush(ctx context.Context, tx store.Tx, sc store.Scope) error {
	// The events' payloads (JSON of each changed finding) are encoded on
	// another goroutine while the findings are written: on SQLite the
	// transaction holds the one writer, which then waits for the slower
	// of the two rather than for both.
	encoded := make(chan error, 1)
	if len(w.details) > 0 {
		go func() { encoded <- encodeEvents(w.events, w.details) }()
	} else {
		encoded <- nil
	}
	waited := false
	wait := func() error {
		waited = true
		return <-encoded
	}
	defer func() {
		if !waited {
			_ = wait()
		}
	}()
	fs := tx.Findings(sc)
	keys := slices.SortedFunc(maps.Keys(w.touch), func(a, b touchKey) int {
		return cmp.Or(strings.Compare(a.scanID, b.scanID), strings.Compare(a.snapshotID, b.snapshotID))
	})
	for _, k := range keys {
		if err := fs.Touch(ctx, w.touch[k], w.now, k.scanID, k.snapshotID); err != nil {
			return err
		}
	}
	if len(w.inserts) > 0 {
		// In id order: ids are grouped by vulnerability, so that the new
		// findings of many resources share index pages.
		slices.SortFunc(w.inserts, func(a, b *model.Finding) int { return strings.Compare(string(a.ID), string(b.ID)) })
		ins := make([]model.Finding, len(w.inserts))
		for i, f := range w.inserts {
			ins[i] = *f
		}
		if err := fs.Insert(ctx, ins...); err != nil {
			return err
		}
	}
	if len(w.puts) > 0 {
		if err := fs.Put(ctx, w.puts...); err != nil {
			return err
		}
	}
	if err := wait(); err != nil {
		return err
	}
	if len(w.events) > 0 {
		return tx.Outbox(sc).Append(ctx, w.events...)
	}
	return nil
}

// significantChanges lists what changed between the stored and the
// observed finding among the fields events report: severity, score and
// fixAvailable (significant), exploitAvailable, epss and kev.
func significantChanges(old, cur *model.Finding) []string {
	var out []string
	if old.Severity != cur.Severity {
		out = append(out, "severity")
	}
	if !sameScore(old.Score, cur.Score) {
		out = append(out, "score")
	}
	if old.FixAvailable != cur.FixAvailable {
		out = append(out, "fixAvailable")
	}
	if old.ExploitAvailable != cur.ExploitAvailable {
		out = append(out, "exploitAvailable")
	}
	if (old.EPSS == nil) != (cur.EPSS == nil) || old.EPSS != nil && old.EPSS.Score != cur.EPSS.Score {
		out = append(out, "epss")
	}
	if (old.KEV == nil) != (cur.KEV == nil) || old.KEV != nil && *old.KEV != *cur.KEV {
		out = append(out, "kev")
	}
	return out
}

// hasSignificant reports whether changed names severity, score or
// fixAvailable: the changes that warrant a finding.updated event.
func hasSignificant(changed []string) bool {
	for _, c := range changed {
		if c == "severity" || c == "score" || c == "fixAvailable" {
			return true
		}
	}
	return false
}

func sameScore(a, b *float64) bool {
	if a == nil || b == nil {
		return a == b
	}
	return *a == *b
}

func sameSuppression(a, b *model.FindingSuppression) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.RuleID == b.RuleID && a.Reason == b.Reason && a.ExpiresAt.Equal(b.ExpiresAt)
}

func checkObservation(i int, o *model.Observation) error {
	if o.CheckID == "" {
		return &ObservationError{Index: i, Reason: "no check id"}
	}
	var ok bool
	switch o.Type {
	case model.FindingPackageVulnerability:
		ok = o.Package != nil && o.Network == nil && o.Code == nil
	case model.FindingNetworkReachability:
		ok = o.Network != nil && o.Package == nil && o.Code == nil
	case model.FindingCodeVulnerability, model.FindingConfiguration:
		ok = o.Code != nil && o.Package == nil && o.Network == nil
	default:
		return &ObservationError{Index: i, Reason: "unknown type " + string(o.Type)}
	}
	if !ok {
		return &ObservationError{Index: i, Reason: "target part does not match type " + string(o.Type)}
	}
	return nil
}

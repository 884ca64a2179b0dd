package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/arena"
	"github.com/vigilsec/vigil/internal/jsonx"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type findings struct {
	t  *tx
	sc store.Scope
}

func (t *tx) Findings(sc store.Scope) store.FindingStore { return &findings{t: t, sc: sc} }

// findingWriteCols are the columns Put writes, in order.
var findingWriteCols = []string{"id", "account_id", "resource_id", "resource_type", "type", "check_id", "title",
	"status", "severity", "severity_rank", "score", "cvss", "epss", "fix_available", "exploit_available",
	"package_ecosystem", "package_name", "package_version", "file_path", "layer", "image_repository", "image_tag",
	"suppressed_by", "suppression_reason", "suppression_expires_at", "closed_reason", "reopen_count", "fingerprint", "first_observed_at", "last_observed_at", "updated_at", "closed_at", "scan_id", "snapshot_id", "data"}

// findingKeyCols are the columns a finding's id determines (its account,
// resource, type, check and package: internal/finding.Key): an update
// leaves them alone, so the indexes over them are not rewritten.
var findingKeyCols = map[string]bool{"id": true, "account_id": true, "resource_id": true, "resource_type": true, "type": true,
	"check_id": true, "package_ecosystem": true, "package_name": true, "package_version": true, "file_path": true}

// findingReadCols are what a read needs: the lifecycle columns and the
// content.
const findingReadCols = `id, account_id, status, suppressed_by, suppression_reason, suppression_expires_at, closed_reason, reopen_count, first_observed_at, last_observed_at, updated_at, closed_at, scan_id, snapshot_id, data`

// scanFinding reads a row of findingReadCols followed by extra columns.
func scanFinding(r Row, extra ...any) (model.Finding, error) {
	var f model.Finding
	var id, acct, status, supBy, supReason, closedReason, scanID, snap string
	var supExp, reopen, first, last, updated, closed int64
	var data []byte
	dest := append([]any{&id, &acct, &status, &supBy, &supReason, &supExp, &closedReason, &reopen,
		&first, &last, &updated, &closed, &scanID, &snap, &data}, extra...)
	if err := r.Scan(dest...); err != nil {
		return f, err
	}
	if err := decodeFinding(data, &f); err != nil {
		return f, fmt.Errorf("finding %s: %w", id, err)
	}
	f.ID, f.AccountID, f.Status = model.FindingID(id), model.AccountID(acct), model.FindingStatus(status)
	if supBy != "" {
		f.Suppression = &model.FindingSuppression{RuleID: model.SuppressionRuleID(supBy), Reason: supReason, ExpiresAt: fromMicro(supExp)}
	}
	f.ClosedReason, f.ReopenCount = model.ClosedReason(closedReason), int(reopen)
	f.FirstObservedAt, f.LastObservedAt, f.UpdatedAt, f.ClosedAt = fromMicro(first), fromMicro(last), fromMicro(updated), fromMicro(closed)
	f.ScanID, f.SnapshotID = scanID, snap
	if f.Package != nil {
		// The stored content leaves out the evidence's snapshot: it is the
		// finding's (model.Finding.ContentJSON).
		for i := range f.Package.Evidence {
			if f.Package.Evidence[i].Snapshot == "" {
				f.Package.Evidence[i].Snapshot = snap
			}
		}
	}
	return f, nil
}

// byKeyScope is the scope condition of a query that selects by id or
// resource: the account column is wrapped so that SQLite, which has no
// statistics to go by, does not pick an account index over the key's.
const byKeyScope = "(account_id || '')"

func (s *findings) Get(ctx context.Context, id model.FindingID) (model.Finding, error) {
	cond, args := scopeCond(s.sc, byKeyScope, []any{string(id)})
	f, err := scanFinding(s.t.c.QueryRow(ctx, `SELECT `+findingReadCols+` FROM findings WHERE id = ?`+cond, args...))
	return f, notFound(err, "finding", string(id))
}

func (s *findings) ForResource(ctx context.Context, id model.ResourceID) ([]model.Finding, error) {
	cond, args := scopeCond(s.sc, byKeyScope, []any{string(id)})
	return s.query(ctx, `SELECT `+findingReadCols+` FROM findings WHERE resource_id = ?`+cond+` ORDER BY id`, args...)
}

// stateCols are what FindingState is read from.
const stateCols = `id, resource_id, status, suppressed_by, fingerprint, type, package_ecosystem, package_name, package_version, file_path`

func (s *findings) States(ctx context.Context, id model.ResourceID) ([]store.FindingState, error) {
	cond, args := scopeCond(s.sc, byKeyScope, []any{string(id)})
	return s.states(ctx, nil, `SELECT `+stateCols+` FROM findings WHERE resource_id = ?`+cond+` ORDER BY id`, args...)
}

func (s *findings) PackageStates(ctx context.Context, ids []model.ResourceID, names []string) ([]store.FindingState, error) {
	if len(ids) == 0 || len(names) == 0 {
		return nil, nil
	}
	names = slices.Compact(slices.Sorted(slices.Values(names)))
	batch := max(1, min(500, s.t.s.d.MaxParams-len(names)-len(s.sc.Accounts())))
	var out []store.FindingState
	for len(ids) > 0 {
		k := min(batch, len(ids))
		args := make([]any, 0, k+len(names))
		for _, id := range ids[:k] {
			args = append(args, string(id))
		}
		for _, n := range names {
			args = append(args, n)
		}
		cond, args := scopeCond(s.sc, byKeyScope, args)
		var err error
		out, err = s.states(ctx, out, `SELECT `+stateCols+` FROM findings WHERE resource_id IN (`+placeholders(k)+`) AND package_name IN (`+
			placeholders(len(names))+`)`+cond, args...)
		if err != nil {
			return nil, err
		}
		ids = ids[k:]
	}
	slices.SortFunc(out, func(a, b store.FindingState) int {
		if c := strings.Compare(string(a.ResourceID), string(b.ResourceID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.ID), string(b.ID))
	})
	return out, nil
}

// states appends the rows of a query of stateCols to out.
func (s *findings) states(ctx context.Context, out []store.FindingState, q string, args ...any) ([]store.FindingState, error) {
	rows, err := s.t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var st store.FindingState
		var typ, eco, name, ver, path string
		if err := rows.Scan(&st.ID, &st.ResourceID, &st.Status, &st.SuppressedBy, &st.Fingerprint, &typ, &eco, &name, &ver, &path); err != nil {
			return nil, err
		}
		if model.FindingType(typ) == model.FindingPackageVulnerability {
			p := model.Package{Ecosystem: model.Ecosystem(eco), Name: name, Version: ver, Path: path}
			st.Package = p.Key()
		}
		out = append(out, st)
	}
	return out, rows.Err()
}

func (s *findings) GetMany(ctx context.Context, ids []model.FindingID) ([]model.Finding, error) {
	var out []model.Finding
	const batch = 500
	for len(ids) > 0 {
		k := min(batch, len(ids))
		args := make([]any, 0, k)
		for _, id := range ids[:k] {
			args = append(args, string(id))
		}
		cond, args := scopeCond(s.sc, byKeyScope, args)
		fs, err := s.query(ctx, `SELECT `+findingReadCols+` FROM findings WHERE id IN (`+placeholders(k)+`)`+cond, args...)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
		ids = ids[k:]
	}
	slices.SortFunc(out, func(a, b model.Finding) int { return strings.Compare(string(a.ID), string(b.ID)) })
	return out, nil
}

func (s *findings) query(ctx context.Context, q string, args ...any) ([]model.Finding, error) {
	rows, err := s.t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Finding
	for rows.Next() {
		f, err := scanFinding(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// encodeContent compresses a finding's ContentJSON for the data column
// with S2 (it is mostly URLs and prose; compressing halves what every
// write puts through the WAL), into data's chunks.
func encodeContent(data *arena.Arena, content []byte) []byte {
	room := data.Room(s2.MaxEncodedLen(len(content)))
	return data.Keep(s2.Encode(room[:cap(room)], content))
}

// maxFindingData bounds a decoded data column.
const maxFindingData = 16 << 20

func decodeFinding(data []byte, f *model.Finding) error {
	n, err := s2.DecodedLen(data)
	if err != nil {
		return err
	}
	if n > maxFindingData {
		return fmt.Errorf("data of %d bytes", n)
	}
	b, err := s2.Decode(nil, data)
	if err != nil {
		return err
	}
	return jsonx.Unmarshal(b, f)
}

// orNone returns v, or -1 for a nil number.
func orNone(v *float64) float64 {
	if v == nil {
		return -1
	}
	return *v
}

// rowBuffers are the scratch and output buffers findingRow works in.
type rowBuffers struct {
	// content is a finding's ContentJSON when the finding has none.
	content []byte
	// data holds the compressed contents of the rows of one statement
	// (SQLite copies them as it binds them).
	data arena.Arena
}

// findingRow appends the values of findingWriteCols for f to args.
func findingRow(args []any, f *model.Finding, buf *rowBuffers) []any {
	content, fp := f.Content, f.ContentFingerprint
	if content == nil {
		buf.content = f.AppendContentJSON(buf.content[:0])
		content, fp = buf.content, ""
	}
	if fp == "" {
		fp = model.FingerprintOf(content)
	}
	data := encodeContent(&buf.data, content)
	var eco, name, ver, path, layer string
	if p := f.FirstPackage(); p != nil {
		eco, name, ver, path, layer = string(p.Ecosystem), p.Name, p.Version, p.FilePath, p.Layer
	}
	var epss *float64
	if f.EPSS != nil {
		epss = &f.EPSS.Score
	}
	var sup model.FindingSuppression
	if f.Suppression != nil {
		sup = *f.Suppression
	}
	return append(args, string(f.ID), string(f.AccountID), string(f.Resource.ID), string(f.Resource.Type), string(f.Type),
		f.CheckID, f.Title, string(f.Status), string(f.Severity), int64(f.Severity.Rank()), orNone(f.Score), f.CVSSBase(),
		orNone(epss), string(f.FixAvailable), string(f.ExploitAvailable), eco, name, ver, path, layer,
		f.Resource.ImageRepository, f.Resource.ImageTag, string(sup.RuleID), sup.Reason, micro(sup.ExpiresAt),
		string(f.ClosedReason), int64(f.ReopenCount), fp, micro(f.FirstObservedAt), micro(f.LastObservedAt),
		micro(f.UpdatedAt), micro(f.ClosedAt), f.ScanID, f.SnapshotID, data)
}

func (s *findings) Put(ctx context.Context, fs ...model.Finding) error {
	if err := s.checkWrite(fs); err != nil {
		return err
	}
	var upd strings.Builder
	for _, c := range findingWriteCols {
		if findingKeyCols[c] {
			continue
		}
		if upd.Len() > 0 {
			upd.WriteByte(',')
		}
		fmt.Fprintf(&upd, "%s = excluded.%s", c, c)
	}
	head := `INSERT INTO findings (` + strings.Join(findingWriteCols, ", ") + `) VALUES `
	tail := ` ON CONFLICT (id) DO UPDATE SET ` + upd.String() + ` WHERE findings.account_id = excluded.account_id`
	_, err := s.writeRows(ctx, head, tail, fs)
	return err
}

func (s *findings) Insert(ctx context.Context, fs ...model.Finding) error {
	if err := s.checkWrite(fs); err != nil {
		return err
	}
	// Rows that exist are skipped, not an error, so that SQLite needs no
	// statement journal (Dialect.InsertIgnore); a skipped row is then
	// reported here, and the caller's transaction rolls back.
	head := s.t.s.d.InsertIgnore + ` INTO findings (` + strings.Join(findingWriteCols, ", ") + `) VALUES `
	n, err := s.writeRows(ctx, head, s.t.s.d.IgnoreSuffix, fs)
	if err != nil {
		return err
	}
	if n != len(fs) {
		return &store.ConflictError{Kind: "finding", ID: string(fs[0].ID), Reason: fmt.Sprintf("%d of %d findings to insert exist", len(fs)-n, len(fs))}
	}
	return nil
}

// checkWrite checks the findings Put or Insert is given.
func (s *findings) checkWrite(fs []model.Finding) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	for i := range fs {
		f := &fs[i]
		if err := checkScope(s.sc, "finding", f.AccountID); err != nil {
			return err
		}
		switch {
		case f.ID == "":
			return &store.InvalidError{Field: "finding.id", Reason: "empty"}
		case f.Resource.ID == "":
			return &store.InvalidError{Field: "finding.resource.id", Reason: "empty"}
		case !f.Status.Valid():
			return &store.InvalidError{Field: "finding.status", Reason: "unknown status " + string(f.Status)}
		}
	}
	return nil
}

// writeRows runs head VALUES (…), (…) tail over fs in multi-row
// statements (execChunks: each one's content JSON, compression and
// fingerprint made while the one before executes) and returns the rows
// they changed.
func (s *findings) writeRows(ctx context.Context, head, tail string, fs []model.Finding) (int, error) {
	ncols := len(findingWriteCols)
	row := "(" + placeholders(ncols) + ")"
	total := 0
	err := execChunks(len(fs), min(s.t.s.d.MaxParams/ncols, 100),
		func(lo, hi int) ([]any, error) { return findingArgs(fs[lo:hi]) },
		func(k int, args []any) error {
			n, err := s.t.c.Exec(ctx, multiRowSQL(head, row, tail, k), args...)
			total += int(n)
			return err
		})
	return total, err
}

// findingArgs returns the values of findingWriteCols for each of fs, in
// one slice.
func findingArgs(fs []model.Finding) ([]any, error) {
	args := make([]any, 0, len(fs)*len(findingWriteCols))
	var buf rowBuffers
	for i := range fs {
		args = findingRow(args, &fs[i], &buf)
	}
	return args, nil
}

func (s *findings) Touch(ctx context.Context, ids []model.FindingID, at time.Time, scanID, snapshotID string) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	const batch = 500
	for len(ids) > 0 {
		k := min(batch, len(ids))
		args := []any{micro(at), scanID, snapshotID}
		for _, id := range ids[:k] {
			args = append(args, string(id))
		}
		cond, args := scopeCond(s.sc, byKeyScope, args)
		if _, err := s.t.c.Exec(ctx, s.t.s.d.UpdateMany+` findings SET last_observed_at = ?, scan_id = ?, snapshot_id = ? WHERE id IN (`+
			placeholders(k)+`)`+cond, args...); err != nil {
			return err
		}
		ids = ids[k:]
	}
	return nil
}

func (s *findings) Purge(ctx context.Context, closedBefore time.Time) (int, error) {
	if err := s.t.writable(); err != nil {
		return 0, err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{string(model.StatusClosed), micro(closedBefore)})
	n, err := s.t.c.Exec(ctx, `DELETE FROM findings WHERE status = ? AND closed_at < ?`+cond, args...)
	return int(n), err
}

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

// rawFinding is a row of findingReadCols, its content not yet decoded
// (that may need a dictionary read from finding_dicts, which waits until
// the rows are closed).
type rawFinding struct {
	id, acct, status, supBy, supReason, closedReason, scanID, snap string
	supExp, reopen, first, last, updated, closed                   int64
	data                                                           []byte
}

// scanRaw reads a row of findingReadCols followed by extra columns.
func scanRaw(r Row, extra ...any) (rawFinding, error) {
	var f rawFinding
	dest := append([]any{&f.id, &f.acct, &f.status, &f.supBy, &f.supReason, &f.supExp, &f.closedReason, &f.reopen,
		&f.first, &f.last, &f.updated, &f.closed, &f.scanID, &f.snap, &f.data}, extra...)
	err := r.Scan(dest...)
	return f, err
}

// decodeFindings decodes rows read by scanRaw, reading the dictionaries
// they need that the process has not cached.
func (t *tx) decodeFindings(ctx context.Context, raws []rawFinding) ([]model.Finding, error) {
	need := map[[dictIDLen]byte]bool{}
	for i := range raws {
		id, ok, err := dictOf(raws[i].data)
		if err != nil {
			return nil, fmt.Errorf("finding %s: %w", raws[i].id, err)
		}
		if ok {
			need[id] = true
		}
	}
	ds, err := t.loadDicts(ctx, need)
	if err != nil {
		return nil, err
	}
	out := make([]model.Finding, len(raws))
	for i := range raws {
		if out[i], err = raws[i].finding(ds); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// finding decodes r with the dictionaries ds.
func (r *rawFinding) finding(ds map[[dictIDLen]byte]*contentDict) (model.Finding, error) {
	var f model.Finding
	if err := decodeFinding(r.data, ds, &f); err != nil {
		return f, fmt.Errorf("finding %s: %w", r.id, err)
	}
	f.ID, f.AccountID, f.Status = model.FindingID(r.id), model.AccountID(r.acct), model.FindingStatus(r.status)
	if r.supBy != "" {
		f.Suppression = &model.FindingSuppression{RuleID: model.SuppressionRuleID(r.supBy), Reason: r.supReason, ExpiresAt: fromMicro(r.supExp)}
	}
	f.ClosedReason, f.ReopenCount = model.ClosedReason(r.closedReason), int(r.reopen)
	f.FirstObservedAt, f.LastObservedAt, f.UpdatedAt, f.ClosedAt = fromMicro(r.first), fromMicro(r.last), fromMicro(r.updated), fromMicro(r.closed)
	f.ScanID, f.SnapshotID = r.scanID, r.snap
	if f.Package != nil {
		// The stored content leaves out the evidence's snapshot: it is the
		// finding's (model.Finding.ContentJSON).
		for i := range f.Package.Evidence {
			if f.Package.Evidence[i].Snapshot == "" {
				f.Package.Evidence[i].Snapshot = r.snap
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
	raw, err := scanRaw(s.t.c.QueryRow(ctx, `SELECT `+findingReadCols+` FROM findings WHERE id = ?`+cond, args...))
	if err != nil {
		return model.Finding{}, notFound(err, "finding", string(id))
	}
	fs, err := s.t.decodeFindings(ctx, []rawFinding{raw})
	if err != nil {
		return model.Finding{}, err
	}
	return fs[0], nil
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
	var raws []rawFinding
	for rows.Next() {
		raw, err := scanRaw(rows)
		if err != nil {
			rows.Close()
			return nil, err
		}
		raws = append(raws, raw)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, err
	}
	return s.t.decodeFindings(ctx, raws)
}

// encodeContent compresses a finding's ContentJSON for the data column
// with S2 (it is mostly URLs and prose; compressing halves what every
// write puts through the WAL), with the dictionary d when there is one
// (findingdict.go), into data's chunks.
func encodeContent(data *arena.Arena, content []byte, d *contentDict) []byte {
	if d == nil {
		room := data.Room(s2.MaxEncodedLen(len(content)))
		return data.Keep(s2.Encode(room[:cap(room)], content))
	}
	room := data.Room(dictHeader + s2.MaxEncodedLen(len(content)))
	room = room[:cap(room)]
	room[0], room[1] = dictMarker, dictFormat
	copy(room[2:dictHeader], d.id[:])
	enc := d.d.Encode(room[dictHeader:], content)
	return data.Keep(room[:dictHeader+len(enc)])
}

// maxFindingData bounds a decoded data column.
const maxFindingData = 16 << 20

// decodeFinding decodes a data column into f, with the dictionary ds
// holds when the column names one.
func decodeFinding(data []byte, ds map[[dictIDLen]byte]*contentDict, f *model.Finding) error {
	id, withDict, err := dictOf(data)
	if err != nil {
		return err
	}
	var d *contentDict
	if withDict {
		if d = ds[id]; d == nil {
			return fmt.Errorf("dictionary %x is missing", id)
		}
		data = data[dictHeader:]
	}
	n, err := s2.DecodedLen(data)
	if err != nil {
		return err
	}
	if n > maxFindingData {
		return fmt.Errorf("data of %d bytes", n)
	}
	var b []byte
	if d != nil {
		b, err = d.d.Decode(nil, data)
	} else {
		b, err = s2.Decode(nil, data)
	}
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
	// key is a dictionary's cache key.
	key []byte
	// dicts are the dictionaries the rows were compressed with.
	dicts []*contentDict
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
	d := dicts.forFinding(f, &buf.key)
	if d != nil && !slices.Contains(buf.dicts, d) {
		buf.dicts = append(buf.dicts, d)
	}
	data := encodeContent(&buf.data, content, d)
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
	written, total := 0, 0
	size := min(s.t.s.d.MaxParams/ncols, 100)
	// The dictionaries of each statement's rows (written by the builder
	// before it hands the statement over), stored before the rows.
	chunkDicts := make([][]*contentDict, (len(fs)+size-1)/size)
	seen := map[[dictIDLen]byte]bool{}
	err := execChunks(len(fs), size,
		func(lo, hi int) ([]any, error) {
			args, ds := findingArgs(fs[lo:hi])
			chunkDicts[lo/size] = ds
			return args, nil
		},
		func(k int, args []any) error {
			if err := s.t.ensureDicts(ctx, chunkDicts[total/size], seen); err != nil {
				return err
			}
			n, err := s.t.c.Exec(ctx, multiRowSQL(head, row, tail, k), args...)
			total += k
			written += int(n)
			return err
		})
	return written, err
}

// findingArgs returns the values of findingWriteCols for each of fs, in
// one slice, and the dictionaries their contents were compressed with.
func findingArgs(fs []model.Finding) ([]any, []*contentDict) {
	args := make([]any, 0, len(fs)*len(findingWriteCols))
	var buf rowBuffers
	for i := range fs {
		args = findingRow(args, &fs[i], &buf)
	}
	return args, buf.dicts
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

package sqlstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

type inventories struct {
	t  *tx
	sc store.Scope
}

const inventoryInfoCols = `resource_id, account_id, hash, packages, LENGTH(data), indexed_at, saved_at`

func scanInventoryInfo(r Row, extra ...any) (store.InventoryInfo, error) {
	var i store.InventoryInfo
	var indexed, saved int64
	err := r.Scan(append([]any{&i.ResourceID, &i.AccountID, &i.Hash, &i.Packages, &i.Bytes, &indexed, &saved}, extra...)...)
	i.IndexedAt, i.SavedAt = fromMicro(indexed), fromMicro(saved)
	return i, err
}

func (s *inventories) Save(ctx context.Context, id model.ResourceID, inv *model.Inventory) (store.SaveResult, error) {
	if err := s.t.writable(); err != nil {
		return store.SaveResult{}, err
	}
	enc, err := store.EncodeForStage(inv)
	if err != nil {
		return store.SaveResult{}, err
	}
	return s.save(ctx, id, enc, false)
}

func (s *inventories) Stage(ctx context.Context, id model.ResourceID, enc *store.EncodedInventory) (store.SaveResult, error) {
	if enc == nil || enc.Inventory == nil {
		return store.SaveResult{}, &store.InvalidError{Field: "inventory", Reason: "missing"}
	}
	return s.save(ctx, id, enc, true)
}

// save is Save, or Stage when stage is set.
func (s *inventories) save(ctx context.Context, id model.ResourceID, enc *store.EncodedInventory, stage bool) (store.SaveResult, error) {
	var res store.SaveResult
	if err := s.t.writable(); err != nil {
		return res, err
	}
	r, err := (&resources{t: s.t, sc: s.sc}).Get(ctx, id)
	if err != nil {
		return res, err
	}
	inv, data, hash, head := enc.Inventory, enc.Data, enc.Hash, enc.Head
	var oldHash string
	err = s.t.c.QueryRow(ctx, `SELECT hash FROM inventories WHERE resource_id = ?`, string(id)).Scan(&oldHash)
	if err != nil && err != ErrNoRows {
		return res, err
	}
	now := s.t.s.now()
	res.Changed = oldHash != hash
	res.Info = store.InventoryInfo{ResourceID: id, AccountID: r.AccountID, Hash: hash, Packages: len(inv.Packages),
		Bytes: len(data), IndexedAt: inv.IndexedAt.UTC().Truncate(time.Microsecond), SavedAt: now}
	_, err = s.t.c.Exec(ctx, `INSERT INTO inventories (resource_id, account_id, hash, data, packages, indexed_at, saved_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (resource_id) DO UPDATE SET hash = excluded.hash, data = excluded.data,
			packages = excluded.packages, indexed_at = excluded.indexed_at, saved_at = excluded.saved_at`,
		string(id), string(r.AccountID), hash, data, len(inv.Packages), micro(inv.IndexedAt), micro(now))
	if err != nil {
		return res, err
	}
	_, err = s.t.c.Exec(ctx, `INSERT INTO inventory_heads (resource_id, head) VALUES (?, ?)
		ON CONFLICT (resource_id) DO UPDATE SET head = excluded.head`, string(id), head)
	if err != nil {
		return res, err
	}
	var staged string
	err = s.t.c.QueryRow(ctx, `SELECT hash FROM inventory_staged WHERE resource_id = ?`, string(id)).Scan(&staged)
	if err != nil && err != ErrNoRows {
		return res, err
	}
	if stage {
		if !res.Changed && staged == "" {
			return res, nil // indexed as it is
		}
		_, err = s.t.c.Exec(ctx, `INSERT INTO inventory_staged (resource_id, account_id, hash, staged_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (resource_id) DO UPDATE SET hash = excluded.hash, staged_at = excluded.staged_at`,
			string(id), string(r.AccountID), hash, micro(now))
		return res, err
	}
	if staged != "" {
		if _, err := s.t.c.Exec(ctx, `DELETE FROM inventory_staged WHERE resource_id = ?`, string(id)); err != nil {
			return res, err
		}
	} else if !res.Changed {
		// Inventories stored before the package data was kept get it now.
		held, err := s.hasPackageData(ctx, id)
		if err != nil || held || len(inv.Packages) == 0 {
			return res, err
		}
	}
	return res, s.index(ctx, r.AccountID, id, inv, oldHash != "")
}

// index writes inv's package index rows, replacing the resource's rows
// when replace is set.
func (s *inventories) index(ctx context.Context, acct model.AccountID, id model.ResourceID, inv *model.Inventory, replace bool) error {
	if replace {
		if err := s.deleteRows(ctx, id); err != nil {
			return err
		}
	}
	x := store.HeldIndexOf(inv)
	seqs, err := s.indexSeqs(ctx, 1)
	if err != nil {
		return err
	}
	if err := s.setSeq(ctx, id, seqs[0]); err != nil {
		return err
	}
	rows := make([]heldRow, len(x.Refs))
	for i := range x.Refs {
		rows[i] = heldRow{ref: x.Refs[i], part: x.Parts[i], id: id, acct: acct}
	}
	return s.insertIndex(ctx, rows, []*store.HeldIndex{x}, seqs)
}

// hasPackageData says whether the package index of the resource's
// inventory carries its packages: in chunks, or in the rows themselves as
// rows written before chunks did (each found by an index: the chunks' key,
// the partial index on seq).
func (s *inventories) hasPackageData(ctx context.Context, id model.ResourceID) (bool, error) {
	var seq int64
	err := s.t.c.QueryRow(ctx, `SELECT index_seq FROM inventories WHERE resource_id = ?`, string(id)).Scan(&seq)
	if err == ErrNoRows || (err == nil && seq <= 0) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	lo, hi := store.ChunkIDs(seq)
	var n int64
	err = s.t.c.QueryRow(ctx, `SELECT (SELECT COUNT(*) FROM inventory_held WHERE id >= ? AND id < ?)
		+ (SELECT COUNT(*) FROM inventory_packages WHERE seq = ? AND part IS NULL AND packages IS NOT NULL)`,
		lo, hi, seq).Scan(&n)
	return n > 0, err
}

// deleteRows deletes the package index rows and chunks of the resource's
// inventory (before the inventory itself: they are found by its
// index_seq).
func (s *inventories) deleteRows(ctx context.Context, id model.ResourceID) error {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	var seq int64
	err := s.t.c.QueryRow(ctx, `SELECT index_seq FROM inventories WHERE resource_id = ?`+cond, args...).Scan(&seq)
	if err == ErrNoRows {
		return nil
	}
	if err != nil {
		return err
	}
	return s.t.deleteIndex(ctx, seq)
}

// deleteIndex deletes the package index rows and chunks of the inventory
// indexed as seq (0: never indexed, nothing to delete). Rows written
// since migration 014 are found by the names their chunks list, each at
// its place in the primary key: only the rows written before (with their
// packages, part NULL) are in the index on seq (migration 015), which
// every row would otherwise cost an entry in.
func (t *tx) deleteIndex(ctx context.Context, seq int64) error {
	if seq <= 0 {
		return nil
	}
	if _, err := t.c.Exec(ctx, `DELETE FROM inventory_packages WHERE seq = ? AND part IS NULL`, seq); err != nil {
		return err
	}
	lo, hi := store.ChunkIDs(seq)
	var refs []store.PackageRef
	rows, err := t.c.Query(ctx, `SELECT data FROM inventory_held WHERE id >= ? AND id < ?`, lo, hi)
	if err != nil {
		return err
	}
	var bad error
	for rows.Next() {
		var data []byte
		if err := rows.Scan(&data); err != nil {
			rows.Close()
			return err
		}
		r, err := store.ChunkRefs(data)
		if err != nil {
			bad = err
		}
		refs = append(refs, r...)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	if bad != nil {
		// A chunk that cannot be read does not say its rows: they are
		// found the slow way, by a scan of the index.
		t.s.opts.Log().WarnContext(ctx, "store: unreadable package index chunk; deleting its inventory's rows by a full scan", "seq", seq, "err", bad)
		if _, err := t.c.Exec(ctx, `DELETE FROM inventory_packages WHERE seq = ?`, seq); err != nil {
			return err
		}
		refs = nil // all gone
	}
	const batch = 100
	for len(refs) > 0 {
		k := min(batch, len(refs))
		var b strings.Builder
		args := make([]any, 0, 3*k)
		b.WriteString(`DELETE FROM inventory_packages WHERE `)
		for i, r := range refs[:k] {
			if i > 0 {
				b.WriteString(` OR `)
			}
			b.WriteString(`(ecosystem = ? AND name = ? AND seq = ?)`)
			args = append(args, r.Ecosystem, r.Name, seq)
		}
		if _, err := t.c.Exec(ctx, b.String(), args...); err != nil {
			return err
		}
		refs = refs[k:]
	}
	_, err = t.c.Exec(ctx, `DELETE FROM inventory_held WHERE id >= ? AND id < ?`, lo, hi)
	return err
}

// setSeq records the seq of the resource's package index rows.
func (s *inventories) setSeq(ctx context.Context, id model.ResourceID, seq int64) error {
	_, err := s.t.c.Exec(ctx, `UPDATE inventories SET index_seq = ? WHERE resource_id = ?`, seq, string(id))
	return err
}

// indexSeqs returns n new numbers of the package index sequence, in
// increasing order: the rows of inventories indexed later sort after those
// of earlier ones in each package's range.
func (s *inventories) indexSeqs(ctx context.Context, n int) ([]int64, error) {
	out := make([]int64, 0, n)
	if q := s.t.s.d.IndexSeqs; q != "" {
		rows, err := s.t.c.Query(ctx, q, n)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var v int64
			if err := rows.Scan(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if len(out) != n {
			return nil, fmt.Errorf("package index sequence: %d numbers for %d", len(out), n)
		}
		slices.Sort(out)
		return out, nil
	}
	var last int64
	if err := s.t.c.QueryRow(ctx, `UPDATE inventory_index_seq SET last = last + ? WHERE id = 1 RETURNING last`, n).Scan(&last); err != nil {
		return nil, fmt.Errorf("package index sequence: %w", err)
	}
	for i := range n {
		out = append(out, last-int64(n)+1+int64(i))
	}
	return out, nil
}

func (s *inventories) IndexStaged(ctx context.Context, items ...store.StagedInventory) (int, error) {
	if err := s.t.writable(); err != nil {
		return 0, err
	}
	total := 0 // rows, where the callers made them
	for _, it := range items {
		if it.Index != nil {
			total += len(it.Index.Refs)
		}
	}
	rows := make([]heldRow, 0, total)
	ids := make([]any, 0, len(items))
	xs := make([]*store.HeldIndex, 0, len(items))
	for _, it := range items {
		cond, args := scopeCond(s.sc, "account_id", []any{string(it.ID)})
		var acct, staged string
		err := s.t.c.QueryRow(ctx, `SELECT account_id, hash FROM inventory_staged WHERE resource_id = ?`+cond, args...).Scan(&acct, &staged)
		if err == ErrNoRows || (err == nil && staged != it.Hash) {
			continue
		}
		if err != nil {
			return 0, err
		}
		// A staged inventory that replaced an indexed one: its rows go.
		if err := s.deleteRows(ctx, it.ID); err != nil {
			return 0, err
		}
		x := it.Index
		if x == nil {
			x = store.HeldIndexOf(it.Inventory)
		}
		for i, r := range x.Refs {
			rows = append(rows, heldRow{ref: r, part: x.Parts[i], id: it.ID, acct: model.AccountID(acct), item: len(ids)})
		}
		ids = append(ids, string(it.ID))
		xs = append(xs, x)
	}
	n := len(ids)
	if n == 0 {
		return 0, nil
	}
	seqs, err := s.indexSeqs(ctx, n)
	if err != nil {
		return 0, err
	}
	for i, id := range ids {
		if err := s.setSeq(ctx, model.ResourceID(id.(string)), seqs[i]); err != nil {
			return 0, err
		}
	}
	if err := s.insertIndex(ctx, rows, xs, seqs); err != nil {
		return 0, err
	}
	for len(ids) > 0 {
		k := min(len(ids), 500)
		if _, err := s.t.c.Exec(ctx, `DELETE FROM inventory_staged WHERE resource_id IN (`+placeholders(k)+`)`, ids[:k]...); err != nil {
			return 0, err
		}
		ids = ids[k:]
	}
	return n, nil
}

// heldRow is a package index row of one resource, the item-th indexed,
// whose packages are in its chunk part.
type heldRow struct {
	ref  store.PackageRef
	part int
	id   model.ResourceID
	acct model.AccountID
	item int
}

// insertIndex writes package index rows (their item indexing xs and
// seqs) in index order, then the chunks of xs.
func (s *inventories) insertIndex(ctx context.Context, rows []heldRow, xs []*store.HeldIndex, seqs []int64) error {
	slices.SortFunc(rows, func(a, b heldRow) int {
		return cmp.Or(strings.Compare(a.ref.Ecosystem, b.ref.Ecosystem), strings.Compare(a.ref.Name, b.ref.Name), cmp.Compare(a.item, b.item))
	})
	err := s.insertRows(ctx, `INTO inventory_packages (ecosystem, name, seq, resource_id, account_id, part) VALUES `, "(?,?,?,?,?,?)", 6, len(rows),
		func(i int, args []any) []any {
			r := &rows[i]
			return append(args, r.ref.Ecosystem, r.ref.Name, seqs[r.item], string(r.id), string(r.acct), r.part)
		})
	if err != nil {
		return err
	}
	type chunk struct {
		id   int64
		data []byte
	}
	var chunks []chunk
	for i, x := range xs {
		for part, data := range x.Chunks {
			first, _ := store.ChunkIDs(seqs[i])
			chunks = append(chunks, chunk{first + int64(part), data})
		}
	}
	return s.insertRows(ctx, `INTO inventory_held (id, data) VALUES `, "(?,?)", 2, len(chunks),
		func(i int, args []any) []any { return append(args, chunks[i].id, chunks[i].data) })
}

func (s *inventories) Staged(ctx context.Context, before time.Time, limit int) ([]store.ResourceRef, error) {
	if limit <= 0 {
		return nil, &store.InvalidError{Field: "limit", Reason: "must be positive"}
	}
	cond, args := scopeCond(s.sc, "account_id", []any{micro(before)})
	rows, err := s.t.c.Query(ctx, `SELECT account_id, resource_id FROM inventory_staged WHERE staged_at < ?`+cond+
		` ORDER BY staged_at, resource_id LIMIT `+strconv.Itoa(limit), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ResourceRef
	for rows.Next() {
		var r store.ResourceRef
		if err := rows.Scan(&r.AccountID, &r.ResourceID); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// notStaged is the condition leaving out the package index rows of staged
// inventories (ip: the rows' table).
const notStaged = ` AND NOT EXISTS (SELECT 1 FROM inventory_staged st WHERE st.resource_id = ip.resource_id)`

// insertRows inserts n rows of cols values each in multi-row batches;
// row appends the values of row i. Rows are distinct, so nothing is ever
// ignored; ignoring rather than aborting spares SQLite a statement journal.
func (s *inventories) insertRows(ctx context.Context, into, row string, cols, n int, add func(i int, args []any) []any) error {
	batch := min(s.t.s.d.MaxParams/cols, 500)
	args := make([]any, 0, batch*cols)
	for start := 0; start < n; {
		k := min(batch, n-start)
		args = args[:0]
		for i := range k {
			args = add(start+i, args)
		}
		q := multiRowSQL(s.t.s.d.InsertIgnore+" "+into, row, s.t.s.d.IgnoreSuffix, k)
		if _, err := s.t.c.Exec(ctx, q, args...); err != nil {
			return err
		}
		start += k
	}
	return nil
}

func (s *inventories) Load(ctx context.Context, id model.ResourceID) (*model.Inventory, store.InventoryInfo, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	var data []byte
	info, err := scanInventoryInfo(s.t.c.QueryRow(ctx, `SELECT `+inventoryInfoCols+`, data FROM inventories WHERE resource_id = ?`+cond, args...), &data)
	if err != nil {
		return nil, info, notFound(err, "inventory", string(id))
	}
	inv, err := store.DecodeInventorySized(data, info.Packages)
	return inv, info, err
}

func (s *inventories) Info(ctx context.Context, id model.ResourceID) (store.InventoryInfo, error) {
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	info, err := scanInventoryInfo(s.t.c.QueryRow(ctx, `SELECT `+inventoryInfoCols+` FROM inventories WHERE resource_id = ?`+cond, args...))
	return info, notFound(err, "inventory", string(id))
}

// normalizeRefs returns refs normalised, sorted and distinct.
func normalizeRefs(refs []store.PackageRef) []store.PackageRef {
	norm := make([]store.PackageRef, 0, len(refs))
	for _, r := range refs {
		norm = append(norm, store.PackageRef{Ecosystem: r.Ecosystem, Name: store.NormalizeName(r.Ecosystem, r.Name)})
	}
	slices.SortFunc(norm, func(a, b store.PackageRef) int {
		return strings.Compare(a.Ecosystem+"\x00"+a.Name, b.Ecosystem+"\x00"+b.Name)
	})
	return slices.Compact(norm)
}

// refsCond returns "((ecosystem = ? AND name = ?) OR …)" over refs, with
// the column prefix p, and its arguments.
func refsCond(p string, refs []store.PackageRef) (string, []any) {
	var b strings.Builder
	args := make([]any, 0, 2*len(refs))
	b.WriteByte('(')
	for i, r := range refs {
		if i > 0 {
			b.WriteString(` OR `)
		}
		b.WriteString(`(` + p + `ecosystem = ? AND ` + p + `name = ?)`)
		args = append(args, r.Ecosystem, r.Name)
	}
	b.WriteByte(')')
	return b.String(), args
}

func (s *inventories) PackagesHeld(ctx context.Context, refs []store.PackageRef) ([]store.HeldPackages, error) {
	return s.packagesHeld(ctx, refs, nil)
}

func (s *inventories) PackagesHeldBy(ctx context.Context, refs []store.PackageRef, ids []model.ResourceID) ([]store.HeldPackages, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return s.packagesHeld(ctx, refs, ids)
}

// heldIDs bounds the resource ids of one PackagesHeldBy query.
const heldIDs = 500

// packagesHeld is PackagesHeld, limited to the resources ids unless nil.
func (s *inventories) packagesHeld(ctx context.Context, refs []store.PackageRef, ids []model.ResourceID) ([]store.HeldPackages, error) {
	norm := normalizeRefs(refs)
	byRes := map[store.ResourceRef]*store.HeldBuilder{}
	batch := min((s.t.s.d.MaxParams-len(s.sc.Accounts())-heldIDs)/2, 400)
	for len(norm) > 0 {
		n := min(batch, len(norm))
		for rest := ids; ; {
			where, args := refsCond("ip.", norm[:n])
			if ids != nil {
				k := min(heldIDs, len(rest))
				where += ` AND ip.resource_id IN (` + placeholders(k) + `)`
				for _, id := range rest[:k] {
					args = append(args, string(id))
				}
				rest = rest[k:]
			}
			if err := s.heldRows(ctx, where, args, byRes); err != nil {
				return nil, err
			}
			if len(rest) == 0 {
				break
			}
		}
		norm = norm[n:]
	}
	var out []store.HeldPackages
	for _, b := range byRes {
		out = append(out, b.Done())
	}
	slices.SortFunc(out, func(a, b store.HeldPackages) int { return compareResourceRef(a.ResourceRef, b.ResourceRef) })
	return out, s.heldResources(ctx, out)
}

// heldRows adds the package index rows matching where to byRes.
func (s *inventories) heldRows(ctx context.Context, where string, args []any, byRes map[store.ResourceRef]*store.HeldBuilder) error {
	cond, args := scopeCond(s.sc, "ip.account_id", args)
	rows, err := s.t.c.Query(ctx, `SELECT ip.account_id, ip.resource_id, ip.ecosystem, ip.name, ip.packages, c.data, h.head
		FROM inventory_packages ip
		LEFT JOIN inventory_held c ON c.id = ip.seq * `+strconv.Itoa(store.MaxHeldChunks)+` + ip.part
		LEFT JOIN inventory_heads h ON h.resource_id = ip.resource_id
		WHERE `+where+cond+notStaged, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ref store.ResourceRef
		var eco, name string
		var pkgs, chunk, head []byte
		if err := rows.Scan(&ref.AccountID, &ref.ResourceID, &eco, &name, &pkgs, &chunk, &head); err != nil {
			return err
		}
		if pkgs == nil && chunk != nil {
			if pkgs, err = store.ChunkPackages(chunk, eco, name); err != nil {
				return fmt.Errorf("inventory of %s: %w", ref.ResourceID, err)
			}
		}
		b := byRes[ref]
		if b == nil {
			if b, err = store.NewHeldBuilder(ref, head); err != nil {
				return fmt.Errorf("inventory of %s: %w", ref.ResourceID, err)
			}
			byRes[ref] = b
		}
		if err := b.Add(eco, name, pkgs); err != nil {
			return fmt.Errorf("inventory of %s: %w", ref.ResourceID, err)
		}
	}
	return rows.Err()
}

// heldResources fills the Resource of each of held.
func (s *inventories) heldResources(ctx context.Context, held []store.HeldPackages) error {
	at := make(map[model.ResourceID]*store.HeldPackages, len(held))
	for i := range held {
		at[held[i].ResourceID] = &held[i]
	}
	const batch = 500
	for len(held) > 0 {
		k := min(batch, len(held))
		args := make([]any, 0, k)
		for i := range held[:k] {
			args = append(args, string(held[i].ResourceID))
		}
		rows, err := s.t.c.Query(ctx, `SELECT `+resourceCols+` FROM resources WHERE id IN (`+placeholders(k)+`)`, args...)
		if err != nil {
			return err
		}
		for rows.Next() {
			r, err := scanResource(rows)
			if err != nil {
				rows.Close()
				return err
			}
			if h := at[r.ID]; h != nil {
				h.Resource = r
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		held = held[k:]
	}
	return nil
}

func (s *inventories) Rematched(ctx context.Context, ids []model.ResourceID, at time.Time) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	now := s.t.s.now()
	const batch = 500
	for len(ids) > 0 {
		k := min(batch, len(ids))
		args := []any{micro(at), micro(now)}
		for _, id := range ids[:k] {
			args = append(args, string(id))
		}
		cond, args := scopeCond(s.sc, "account_id", args)
		if _, err := s.t.c.Exec(ctx, s.t.s.d.UpdateMany+` resources SET last_scanned_at = ?, updated_at = ? WHERE id IN (`+placeholders(k)+`)`+cond, args...); err != nil {
			return err
		}
		ids = ids[k:]
	}
	return nil
}

func compareResourceRef(a, b store.ResourceRef) int {
	if c := strings.Compare(string(a.AccountID), string(b.AccountID)); c != 0 {
		return c
	}
	return strings.Compare(string(a.ResourceID), string(b.ResourceID))
}

func (s *inventories) ResourcesWithPackages(ctx context.Context, refs []store.PackageRef) ([]store.ResourceRef, error) {
	norm := normalizeRefs(refs)
	seen := map[store.ResourceRef]struct{}{}
	var out []store.ResourceRef
	batch := min((s.t.s.d.MaxParams-len(s.sc.Accounts()))/2, 400)
	for len(norm) > 0 {
		n := min(batch, len(norm))
		var b strings.Builder
		args := make([]any, 0, 2*n)
		b.WriteString(`SELECT DISTINCT account_id, resource_id FROM inventory_packages ip WHERE (`)
		for i, r := range norm[:n] {
			if i > 0 {
				b.WriteString(` OR `)
			}
			b.WriteString(`(ecosystem = ? AND name = ?)`)
			args = append(args, r.Ecosystem, r.Name)
		}
		b.WriteByte(')')
		cond, args := scopeCond(s.sc, "account_id", args)
		rows, err := s.t.c.Query(ctx, b.String()+cond+notStaged, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var ref store.ResourceRef
			if err := rows.Scan(&ref.AccountID, &ref.ResourceID); err != nil {
				rows.Close()
				return nil, err
			}
			if _, ok := seen[ref]; !ok {
				seen[ref] = struct{}{}
				out = append(out, ref)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		norm = norm[n:]
	}
	slices.SortFunc(out, func(a, b store.ResourceRef) int {
		if c := strings.Compare(string(a.AccountID), string(b.AccountID)); c != 0 {
			return c
		}
		return strings.Compare(string(a.ResourceID), string(b.ResourceID))
	})
	return out, nil
}

func (s *inventories) Delete(ctx context.Context, id model.ResourceID) error {
	if err := s.t.writable(); err != nil {
		return err
	}
	cond, args := scopeCond(s.sc, "account_id", []any{string(id)})
	var seq int64
	err := s.t.c.QueryRow(ctx, `SELECT index_seq FROM inventories WHERE resource_id = ?`+cond, args...).Scan(&seq)
	if err != nil {
		return notFound(err, "inventory", string(id))
	}
	if err := s.t.deleteIndex(ctx, seq); err != nil {
		return err
	}
	_, err = s.t.c.Exec(ctx, `DELETE FROM inventories WHERE resource_id = ?`, string(id))
	return err
}

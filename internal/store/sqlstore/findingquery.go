package sqlstore

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// findingColumns maps the filter criteria (model.FindingFilter's JSON
// names) to their columns.
var findingColumns = map[string]string{
	"accountId":                        "account_id",
	"findingId":                        "id",
	"findingStatus":                    "status",
	"findingType":                      "type",
	"severity":                         "severity",
	"fixAvailable":                     "fix_available",
	"exploitAvailable":                 "exploit_available",
	"title":                            "title",
	"resourceId":                       "resource_id",
	"resourceType":                     "resource_type",
	"imageRepositoryName":              "image_repository",
	"imageTags":                        "image_tag",
	"vulnerabilityId":                  "check_id",
	"vulnerablePackageName":            "package_name",
	"vulnerablePackageVersion":         "package_version",
	"vulnerablePackageEcosystem":       "package_ecosystem",
	"vulnerablePackageFilePath":        "file_path",
	"vulnerablePackageSourceLayerHash": "layer",
	"vigilScore":                       "score",
	"cvssScore":                        "cvss",
	"epssScore":                        "epss",
	"firstObservedAt":                  "first_observed_at",
	"lastObservedAt":                   "last_observed_at",
	"updatedAt":                        "updated_at",
}

func column(field string) (string, error) {
	c, ok := findingColumns[field]
	if !ok {
		return "", fmt.Errorf("findings: no column for filter field %q", field)
	}
	return c, nil
}

// findingWhere returns the WHERE clause (starting "WHERE 1 = 1") of a
// filter within the scope, and its arguments.
func findingWhere(sc store.Scope, fl *model.FindingFilter) (string, []any, error) {
	if err := fl.Validate(); err != nil {
		return "", nil, err
	}
	var b strings.Builder
	var args []any
	b.WriteString(`WHERE 1 = 1`)
	for _, c := range fl.StringCriteria() {
		if len(c.Filters) == 0 {
			continue
		}
		col, err := column(c.Field)
		if err != nil {
			return "", nil, err
		}
		var neg, pos []string
		var negArgs, posArgs []any
		for _, s := range c.Filters {
			switch s.Comparison {
			case model.CompareNotEquals:
				neg = append(neg, ` AND `+col+` <> ?`)
				negArgs = append(negArgs, s.Value)
			case model.CompareEquals:
				pos = append(pos, col+` = ?`)
				posArgs = append(posArgs, s.Value)
			case model.ComparePrefix:
				pos = append(pos, `substr(`+col+`, 1, ?) = ?`)
				posArgs = append(posArgs, int64(utf8.RuneCountInString(s.Value)), s.Value)
			}
		}
		b.WriteString(strings.Join(neg, ""))
		args = append(args, negArgs...)
		if len(pos) > 0 {
			b.WriteString(` AND (` + strings.Join(pos, ` OR `) + `)`)
			args = append(args, posArgs...)
		}
	}
	for _, c := range fl.NumberCriteria() {
		if len(c.Filters) == 0 {
			continue
		}
		col, err := column(c.Field)
		if err != nil {
			return "", nil, err
		}
		var ors []string
		for _, r := range c.Filters {
			conds := []string{col + ` >= 0`}
			if r.Min != nil {
				conds = append(conds, col+` >= ?`)
				args = append(args, *r.Min)
			}
			if r.Max != nil {
				conds = append(conds, col+` <= ?`)
				args = append(args, *r.Max)
			}
			ors = append(ors, `(`+strings.Join(conds, ` AND `)+`)`)
		}
		b.WriteString(` AND (` + strings.Join(ors, ` OR `) + `)`)
	}
	for _, c := range fl.DateCriteria() {
		if len(c.Filters) == 0 {
			continue
		}
		col, err := column(c.Field)
		if err != nil {
			return "", nil, err
		}
		var ors []string
		for _, r := range c.Filters {
			conds := []string{`1 = 1`}
			if !r.Start.IsZero() {
				conds = append(conds, col+` >= ?`)
				args = append(args, micro(r.Start))
			}
			if !r.End.IsZero() {
				conds = append(conds, col+` <= ?`)
				args = append(args, micro(r.End))
			}
			ors = append(ors, `(`+strings.Join(conds, ` AND `)+`)`)
		}
		b.WriteString(` AND (` + strings.Join(ors, ` OR `) + `)`)
	}
	if len(fl.ResourceTags) > 0 {
		var ors []string
		for _, m := range fl.ResourceTags {
			ors = append(ors, `(t.key = ? AND t.value = ?)`)
			args = append(args, m.Key, m.Value)
		}
		b.WriteString(` AND EXISTS (SELECT 1 FROM resource_tags t WHERE t.resource_id = findings.resource_id AND (` +
			strings.Join(ors, ` OR `) + `))`)
	}
	if named(fl, "vulnerabilityId") && !named(fl, "findingStatus") {
		// Every status, named so that the index by account, status and
		// vulnerability serves the filter (migration 011).
		b.WriteString(` AND status IN (?, ?, ?)`)
		args = append(args, string(model.StatusActive), string(model.StatusSuppressed), string(model.StatusClosed))
	}
	cond, args := scopeCond(sc, "account_id", args)
	b.WriteString(cond)
	return b.String(), args, nil
}

// named reports whether the filter has criteria on the string field.
func named(fl *model.FindingFilter, field string) bool {
	for _, c := range fl.StringCriteria() {
		if c.Field == field && len(c.Filters) > 0 {
			return true
		}
	}
	return false
}

// sortColumn returns the column of a sort field and whether it holds
// floating-point numbers.
func sortColumn(f store.SortField) (col string, float bool, err error) {
	switch f {
	case store.SortSeverity:
		return "severity_rank", false, nil
	case store.SortScore:
		return "score", true, nil
	case store.SortEPSS:
		return "epss", true, nil
	case store.SortFirstObservedAt:
		return "first_observed_at", false, nil
	case store.SortLastObservedAt:
		return "last_observed_at", false, nil
	}
	return "", false, &store.InvalidError{Field: "sort", Reason: fmt.Sprintf("unknown sort field %q", f)}
}

// cursor is the decoded form of a page cursor: the sort it belongs to and
// the sort value and id of the last finding returned.
type cursor struct {
	Field store.SortField `json:"f"`
	Order store.SortOrder `json:"o"`
	Value string          `json:"v"`
	ID    string          `json:"i"`
}

func encodeCursor(c cursor) string {
	b, _ := json.Marshal(c) // strings only: never fails
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodeCursor(s string, sort store.FindingSort, float bool) (c cursor, v any, err error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) > 1024 {
		return c, nil, &store.CursorError{Reason: "not a cursor"}
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return c, nil, &store.CursorError{Reason: "not a cursor"}
	}
	if c.Field != sort.Field || c.Order != sort.Order {
		return c, nil, &store.CursorError{Reason: "issued for another sort order"}
	}
	if float {
		f, err := strconv.ParseFloat(c.Value, 64)
		if err != nil {
			return c, nil, &store.CursorError{Reason: "bad sort value"}
		}
		return c, f, nil
	}
	n, err := strconv.ParseInt(c.Value, 10, 64)
	if err != nil {
		return c, nil, &store.CursorError{Reason: "bad sort value"}
	}
	return c, n, nil
}

func normalizeSort(s store.FindingSort) store.FindingSort {
	if s.Field == "" {
		s.Field = store.SortSeverity
	}
	if s.Order == "" {
		s.Order = store.Desc
	}
	return s
}

func (s *findings) List(ctx context.Context, fl model.FindingFilter, sort store.FindingSort, cur string, limit int) ([]model.Finding, string, error) {
	sort = normalizeSort(sort)
	col, float, err := sortColumn(sort.Field)
	if err != nil {
		return nil, "", err
	}
	if sort.Order != store.Asc && sort.Order != store.Desc {
		return nil, "", &store.InvalidError{Field: "order", Reason: fmt.Sprintf("unknown order %q", sort.Order)}
	}
	where, args, err := findingWhere(s.sc, &fl)
	if err != nil {
		return nil, "", err
	}
	cmpOp, dir := ">", "ASC"
	if sort.Order == store.Desc {
		cmpOp, dir = "<", "DESC"
	}
	if cur != "" {
		c, v, err := decodeCursor(cur, sort, float)
		if err != nil {
			return nil, "", err
		}
		where += ` AND (` + col + ` ` + cmpOp + ` ? OR (` + col + ` = ? AND id ` + cmpOp + ` ?))`
		args = append(args, v, v, c.ID)
	}
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	args = append(args, limit+1)
	// The page's ids first, then its rows: PostgreSQL can pick the ids
	// from an index alone (its index scans read the row of every entry
	// they filter, here the compressed finding too); SQLite does so anyway.
	order := ` ORDER BY ` + col + ` ` + dir + `, id ` + dir
	inner := order
	if named(&fl, "vulnerabilityId") {
		// A vulnerability's findings are few: found by the index on
		// vulnerabilities, then sorted. ("+col" keeps SQLite, which has
		// no statistics, from walking the sort order's index instead and
		// reading every finding's row to test its vulnerability.)
		inner = ` ORDER BY +` + col + ` ` + dir + `, id ` + dir
	}
	q := `SELECT ` + findingReadCols + `, ` + col + ` FROM findings WHERE id IN (SELECT id FROM findings ` + where +
		inner + ` LIMIT ?)` + order
	rows, err := s.t.c.Query(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	var raws []rawFinding
	var keys []string
	for rows.Next() {
		var key string
		var raw rawFinding
		if float {
			var v float64
			raw, err = scanRaw(rows, &v)
			key = strconv.FormatFloat(v, 'g', -1, 64)
		} else {
			var v int64
			raw, err = scanRaw(rows, &v)
			key = strconv.FormatInt(v, 10)
		}
		if err != nil {
			rows.Close()
			return nil, "", err
		}
		raws = append(raws, raw)
		keys = append(keys, key)
	}
	err = rows.Err()
	rows.Close()
	if err != nil {
		return nil, "", err
	}
	out, err := s.t.decodeFindings(ctx, raws)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		next = encodeCursor(cursor{Field: sort.Field, Order: sort.Order, Value: keys[limit-1], ID: string(out[limit-1].ID)})
	}
	return out, next, nil
}

func (s *findings) Count(ctx context.Context, fl model.FindingFilter) (int, error) {
	where, args, err := findingWhere(s.sc, &fl)
	if err != nil {
		return 0, err
	}
	var n int64
	err = s.t.c.QueryRow(ctx, `SELECT COUNT(*) FROM findings `+where, args...).Scan(&n)
	return int(n), err
}

// aggregateKey returns the SQL expression of an aggregation's group key.
func aggregateKey(by model.AggregationType) (string, error) {
	switch by {
	case model.AggregateAccount:
		return "account_id", nil
	case model.AggregateResource:
		return "resource_id", nil
	case model.AggregatePackage:
		return "package_ecosystem || '/' || package_name", nil
	case model.AggregateVulnerability:
		return "check_id", nil
	case model.AggregateSeverity:
		return "severity", nil
	case model.AggregateImageRepository:
		return "image_repository", nil
	case model.AggregateImageLayer:
		return "layer", nil
	case model.AggregateFindingType:
		return "type", nil
	}
	return "", &store.InvalidError{Field: "aggregation", Reason: fmt.Sprintf("unknown aggregation type %q", by)}
}

func (s *findings) Aggregate(ctx context.Context, by model.AggregationType, fl model.FindingFilter, limit int) ([]model.FindingAggregate, error) {
	key, err := aggregateKey(by)
	if err != nil {
		return nil, err
	}
	where, args, err := findingWhere(s.sc, &fl)
	if err != nil {
		return nil, err
	}
	if by == model.AggregatePackage {
		where += ` AND package_name <> ''`
	} else {
		where += ` AND ` + key + ` <> ''`
	}
	rows, err := s.t.c.Query(ctx, `SELECT `+key+`, severity, COUNT(*) FROM findings `+where+` GROUP BY `+key+`, severity`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	groups := map[string]*model.FindingAggregate{}
	for rows.Next() {
		var k, sev string
		var n int64
		if err := rows.Scan(&k, &sev, &n); err != nil {
			return nil, err
		}
		g := groups[k]
		if g == nil {
			g = &model.FindingAggregate{Key: k}
			groups[k] = g
		}
		g.Counts.Add(model.Severity(sev), int(n))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]model.FindingAggregate, 0, len(groups))
	for _, g := range groups {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(a, b model.FindingAggregate) int {
		if c := cmp.Compare(b.Counts.Critical, a.Counts.Critical); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Counts.High, a.Counts.High); c != 0 {
			return c
		}
		if c := cmp.Compare(b.Counts.Total, a.Counts.Total); c != 0 {
			return c
		}
		return strings.Compare(a.Key, b.Key)
	})
	if limit <= 0 {
		limit = 100
	}
	return out[:min(len(out), limit, 1000)], nil
}

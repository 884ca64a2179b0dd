package api

import (
	"encoding/json"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/model"
)

// filterFromQuery builds a finding filter from query parameters, named as
// the filter's JSON fields (Inspector's filter criteria):
//
//	severity=HIGH&severity=CRITICAL     EQUALS (values ORed)
//	vulnerablePackageName.prefix=lod    PREFIX
//	findingStatus.not=CLOSED            NOT_EQUALS (ANDed)
//	cvssScore.min=7&cvssScore.max=9     one inclusive range
//	firstObservedAt.start=RFC3339&firstObservedAt.end=RFC3339
//	resourceTags=Env=Prod               a tag (repeatable)
//	filter={…JSON FindingFilter…}       a whole filter, merged with the above
//
// Unknown parameters (other than those in ignore) are refused, so that a
// misspelt criterion never silently widens a listing.
func filterFromQuery(q url.Values, ignore ...string) (model.FindingFilter, error) {
	var f model.FindingFilter
	if v := q.Get("filter"); v != "" {
		dec := json.NewDecoder(strings.NewReader(v))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&f); err != nil {
			return f, badRequest("filter: %v", err)
		}
	}
	obj := map[string]any{}
	data, _ := json.Marshal(f)
	_ = json.Unmarshal(data, &obj)
	strs, nums, dates := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, c := range f.StringCriteria() {
		strs[c.Field] = true
	}
	for _, c := range f.NumberCriteria() {
		nums[c.Field] = true
	}
	for _, c := range f.DateCriteria() {
		dates[c.Field] = true
	}
	skip := map[string]bool{"filter": true}
	for _, k := range ignore {
		skip[k] = true
	}
	appendTo := func(field string, v any) {
		l, _ := obj[field].([]any)
		obj[field] = append(l, v)
	}
	ranges := map[string]map[string]any{}
	for key, vs := range q {
		if skip[key] {
			continue
		}
		field, op, _ := strings.Cut(key, ".")
		switch {
		case strs[field]:
			cmp := model.CompareEquals
			switch op {
			case "":
			case "prefix":
				cmp = model.ComparePrefix
			case "not":
				cmp = model.CompareNotEquals
			default:
				return f, badRequest("query parameter %s: want %s, %s.prefix or %s.not", key, field, field, field)
			}
			for _, v := range vs {
				appendTo(field, model.StringFilter{Comparison: cmp, Value: v})
			}
		case nums[field] && (op == "min" || op == "max"):
			n, err := strconv.ParseFloat(q.Get(key), 64)
			if err != nil {
				return f, badRequest("query parameter %s=%q: want a number", key, q.Get(key))
			}
			if ranges[field] == nil {
				ranges[field] = map[string]any{}
			}
			ranges[field][map[string]string{"min": "lowerInclusive", "max": "upperInclusive"}[op]] = n
		case dates[field] && (op == "start" || op == "end"):
			t, err := time.Parse(time.RFC3339, q.Get(key))
			if err != nil {
				return f, badRequest("query parameter %s=%q: want an RFC 3339 time", key, q.Get(key))
			}
			if ranges[field] == nil {
				ranges[field] = map[string]any{}
			}
			ranges[field][op+"Inclusive"] = t
		case key == "resourceTags":
			for _, v := range vs {
				k, val, ok := strings.Cut(v, "=")
				if !ok {
					return f, badRequest("query parameter resourceTags=%q: want KEY=VALUE", v)
				}
				appendTo("resourceTags", model.MapFilter{Comparison: model.CompareEquals, Key: k, Value: val})
			}
		default:
			return f, badRequest("unknown query parameter %q", key)
		}
	}
	for field, r := range ranges {
		appendTo(field, r)
	}
	data, err := json.Marshal(obj)
	if err != nil {
		return f, err
	}
	f = model.FindingFilter{}
	if err := json.Unmarshal(data, &f); err != nil {
		return f, badRequest("filter: %v", err)
	}
	if err := f.Validate(); err != nil {
		return f, badRequest("%v", err)
	}
	return f, nil
}

package api

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// intParam parses an optional integer query parameter within [min, max].
func intParam(q url.Values, name string, def, min, max int64) (int64, error) {
	v := q.Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < min || n > max {
		return 0, badRequest("query parameter %s=%q: want an integer from %d to %d", name, v, min, max)
	}
	return n, nil
}

// durationParam parses an optional duration query parameter within [0, max].
func durationParam(q url.Values, name string, max time.Duration) (time.Duration, error) {
	v := q.Get(name)
	if v == "" {
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 || d > max {
		return 0, badRequest("query parameter %s=%q: want a duration from 0 to %s", name, v, max)
	}
	return d, nil
}

// tagParams parses repeated tag=KEY=VALUE parameters.
func tagParams(q url.Values) (map[string]string, error) {
	vs := q["tag"]
	if len(vs) == 0 {
		return nil, nil
	}
	tags := make(map[string]string, len(vs))
	for _, v := range vs {
		k, val, ok := strings.Cut(v, "=")
		if !ok || k == "" {
			return nil, badRequest("query parameter tag=%q: want KEY=VALUE", v)
		}
		tags[k] = val
	}
	return tags, nil
}

// pathID returns a path parameter.
func pathID(r *http.Request) string { return r.PathValue("id") }

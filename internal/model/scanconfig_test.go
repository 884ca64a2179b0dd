package model_test

import (
	"encoding/json"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

func TestScanConfigExcludes(t *testing.T) {
	pushed := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	prodOnly := model.ScanConfig{
		ResourceTypes:       []model.ResourceType{model.ResourceImage, model.ResourceHost},
		IncludeTags:         []model.TagFilter{{Key: "Env", Value: "Prod"}, {Key: "Critical"}},
		ExcludeTags:         []model.TagFilter{{Key: "Scan", Value: "off"}},
		ImageRescanDuration: model.RescanDays14,
	}
	def := model.DefaultScanConfig("a")
	tests := []struct {
		name string
		cfg  model.ScanConfig
		typ  model.ResourceType
		tags map[string]string
		age  time.Duration
		want model.CoverageReason
	}{
		{"default covers everything", def, model.ResourceSBOM, nil, 10000 * 24 * time.Hour, ""},
		{"type disabled", prodOnly, model.ResourceFunction, map[string]string{"Env": "Prod"}, 0, model.ReasonScanTypeDisabled},
		{"included by value", prodOnly, model.ResourceHost, map[string]string{"Env": "Prod"}, 0, ""},
		{"included by key alone", prodOnly, model.ResourceHost, map[string]string{"Critical": ""}, 0, ""},
		{"other value", prodOnly, model.ResourceHost, map[string]string{"Env": "Dev"}, 0, model.ReasonExcludedByTag},
		{"no tags with include filters", prodOnly, model.ResourceHost, nil, 0, model.ReasonExcludedByTag},
		{"exclusion wins", prodOnly, model.ResourceHost, map[string]string{"Env": "Prod", "Scan": "off"}, 0, model.ReasonExcludedByTag},
		{"exclusion needs its value", prodOnly, model.ResourceHost, map[string]string{"Env": "Prod", "Scan": "on"}, 0, ""},
		{"image within its window", prodOnly, model.ResourceImage, map[string]string{"Env": "Prod"}, 13 * 24 * time.Hour, ""},
		{"image at the end of its window", prodOnly, model.ResourceImage, map[string]string{"Env": "Prod"}, 14 * 24 * time.Hour, model.ReasonScanEligibilityExpired},
		{"hosts never expire", prodOnly, model.ResourceHost, map[string]string{"Env": "Prod"}, 100 * 24 * time.Hour, ""},
		{"tag exclusion before expiry", prodOnly, model.ResourceImage, nil, 100 * 24 * time.Hour, model.ReasonExcludedByTag},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := model.Resource{Type: tc.typ, Tags: tc.tags}
			if got := tc.cfg.Excludes(&r, pushed, pushed.Add(tc.age)); got != tc.want {
				t.Errorf("Excludes = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestScanConfigNormalize(t *testing.T) {
	tests := []struct {
		name    string
		in      model.ScanConfig
		want    model.ScanConfig
		wantErr bool
	}{
		{"empty is the default", model.ScanConfig{AccountID: "a"}, func() model.ScanConfig {
			c := model.DefaultScanConfig("a")
			c.Default = false
			return c
		}(), false},
		{"no types stays no types", model.ScanConfig{AccountID: "a", ResourceTypes: []model.ResourceType{}},
			model.ScanConfig{AccountID: "a", ResourceTypes: []model.ResourceType{}, Mode: model.ScanContinuous,
				IncludeTags: []model.TagFilter{}, ExcludeTags: []model.TagFilter{}, ImageRescanDuration: model.RescanLifetime}, false},
		{"sorted and deduplicated", model.ScanConfig{AccountID: "a", Mode: model.ScanOnDemand, ImageRescanDuration: model.RescanDays180,
			ResourceTypes: []model.ResourceType{model.ResourceSBOM, model.ResourceHost, model.ResourceSBOM},
			ExcludeTags:   []model.TagFilter{{Key: "b"}, {Key: "a", Value: "2"}, {Key: "a", Value: "1"}, {Key: "b"}}},
			model.ScanConfig{AccountID: "a", Mode: model.ScanOnDemand, ImageRescanDuration: model.RescanDays180,
				ResourceTypes: []model.ResourceType{model.ResourceHost, model.ResourceSBOM},
				IncludeTags:   []model.TagFilter{},
				ExcludeTags:   []model.TagFilter{{Key: "a", Value: "1"}, {Key: "a", Value: "2"}, {Key: "b"}}}, false},
		{"unknown type", model.ScanConfig{ResourceTypes: []model.ResourceType{"VM"}}, model.ScanConfig{}, true},
		{"unknown mode", model.ScanConfig{Mode: "HOURLY"}, model.ScanConfig{}, true},
		{"unknown duration", model.ScanConfig{ImageRescanDuration: "DAYS_1"}, model.ScanConfig{}, true},
		{"empty key", model.ScanConfig{IncludeTags: []model.TagFilter{{Value: "x"}}}, model.ScanConfig{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.in
			err := got.Normalize()
			if (err != nil) != tc.wantErr {
				t.Fatalf("Normalize: %v, want error %v", err, tc.wantErr)
			}
			if err == nil {
				if diff := cmp.Diff(tc.want, got); diff != "" {
					t.Errorf("(-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestRescanDuration(t *testing.T) {
	for _, d := range model.RescanDurations {
		got := d.Duration()
		if (d == model.RescanLifetime) != (got == 0) || (got != 0 && got%(24*time.Hour) != 0) {
			t.Errorf("%s.Duration() = %s", d, got)
		}
	}
	if got := model.RescanDays14.Duration(); got != 14*24*time.Hour {
		t.Errorf("DAYS_14 = %s", got)
	}
}

// FuzzScanConfig decodes a configuration as the API does, normalises it and
// checks that a valid one is a fixed point of Normalize, survives a JSON
// round trip and can be evaluated.
func FuzzScanConfig(f *testing.F) {
	for _, seed := range []string{
		`{}`,
		`{"resourceTypes":[]}`,
		`{"resourceTypes":["SBOM","HOST","SBOM"],"mode":"ON_DEMAND","imageRescanDuration":"DAYS_14"}`,
		`{"includeTags":[{"key":"Env","value":"Prod"},{"key":"Env","value":"Prod"}],"excludeTags":[{"key":"Scan","value":"off"},{"key":"Legacy"}]}`,
		`{"mode":"WEEKLY"}`,
		`{"includeTags":[{"value":"x"}]}`,
	} {
		f.Add([]byte(seed), "Env", "Prod", int64(15))
	}
	f.Fuzz(func(t *testing.T, data []byte, key, value string, days int64) {
		var c model.ScanConfig
		if json.Unmarshal(data, &c) != nil || c.Normalize() != nil {
			return
		}
		again := c
		again.ResourceTypes = slices.Clone(c.ResourceTypes)
		again.IncludeTags, again.ExcludeTags = slices.Clone(c.IncludeTags), slices.Clone(c.ExcludeTags)
		if err := again.Normalize(); err != nil {
			t.Fatalf("a normalised configuration is invalid: %v", err)
		}
		if diff := cmp.Diff(c, again); diff != "" {
			t.Fatalf("Normalize is not idempotent (-first +second):\n%s", diff)
		}
		enc, err := json.Marshal(c)
		if err != nil {
			t.Fatal(err)
		}
		var back model.ScanConfig
		if err := json.Unmarshal(enc, &back); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(c, back); diff != "" {
			t.Fatalf("JSON round trip (-before +after):\n%s", diff)
		}
		at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		for _, typ := range []model.ResourceType{model.ResourceHost, model.ResourceImage} {
			r := model.Resource{Type: typ, Tags: map[string]string{key: value}}
			why := c.Excludes(&r, at, at.Add(time.Duration(days%4000)*24*time.Hour))
			if why != "" && !why.ConfigReason() {
				t.Fatalf("Excludes gave %q, not a configuration reason", why)
			}
		}
	})
}

package kev

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/vigilsec/vigil/internal/model"
)

const (
	catalogJSON = "../../../../shared/testdata/kev/known_exploited_vulnerabilities.json"
	catalogCSV  = "../../../../shared/testdata/kev/known_exploited_vulnerabilities.csv"
)

func readCatalog(t testing.TB) []byte {
	t.Helper()
	data, err := os.ReadFile(catalogJSON)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestRealCatalog(t *testing.T) {
	data := readCatalog(t)
	c, err := Parse(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	var head struct {
		CatalogVersion string `json:"catalogVersion"`
		DateReleased   string `json:"dateReleased"`
		Count          int    `json:"count"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		t.Fatal(err)
	}
	if c.Version != head.CatalogVersion || c.DateReleased != head.DateReleased || len(c.Entries) != head.Count {
		t.Errorf("got version %q released %q with %d entries, file says %q %q %d",
			c.Version, c.DateReleased, len(c.Entries), head.CatalogVersion, head.DateReleased, head.Count)
	}

	// The CSV twin lists the same entries in the same order.
	f, err := os.Open(catalogCSV)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, name := range rows[0] {
		col[name] = i
	}
	rows = rows[1:]
	if len(rows) != len(c.Entries) {
		t.Fatalf("%d entries, CSV has %d rows", len(c.Entries), len(rows))
	}
	for i, row := range rows {
		want := model.KEV{
			CVE:             row[col["cveID"]],
			DateAdded:       row[col["dateAdded"]],
			DueDate:         row[col["dueDate"]],
			RequiredAction:  row[col["requiredAction"]],
			KnownRansomware: row[col["knownRansomwareCampaignUse"]],
		}
		if diff := cmp.Diff(want, c.Entries[i]); diff != "" {
			t.Errorf("entry %d differs from the CSV (-csv +json):\n%s", i, diff)
		}
	}

	// Spot check, read from the file by hand.
	lookup := c.Lookup()
	if len(lookup) != len(c.Entries) {
		t.Errorf("Lookup has %d keys, want %d", len(lookup), len(c.Entries))
	}
	want := model.KEV{
		CVE:             "CVE-2024-8068",
		DateAdded:       "2025-08-25",
		DueDate:         "2025-09-15",
		RequiredAction:  "Apply mitigations per vendor instructions, follow applicable BOD 22-01 guidance for cloud services, or discontinue use of the product if mitigations are unavailable.",
		KnownRansomware: "Unknown",
	}
	if diff := cmp.Diff(want, lookup["CVE-2024-8068"]); diff != "" {
		t.Errorf("CVE-2024-8068 (-want +got):\n%s", diff)
	}
}

// edit decodes the real catalog, applies change, and re-encodes it.
func edit(t *testing.T, change func(cat map[string]any, vulns []any)) []byte {
	t.Helper()
	var cat map[string]any
	if err := json.Unmarshal(readCatalog(t), &cat); err != nil {
		t.Fatal(err)
	}
	change(cat, cat["vulnerabilities"].([]any))
	out, err := json.Marshal(cat)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestRefused(t *testing.T) {
	entry := func(vulns []any, i int) map[string]any { return vulns[i].(map[string]any) }
	tests := []struct {
		name   string
		change func(cat map[string]any, vulns []any)
		entry  int
	}{
		{"no version", func(c map[string]any, _ []any) { delete(c, "catalogVersion") }, -1},
		{"no date", func(c map[string]any, _ []any) { delete(c, "dateReleased") }, -1},
		{"bad date", func(c map[string]any, _ []any) { c["dateReleased"] = "yesterday" }, -1},
		{"no count", func(c map[string]any, _ []any) { delete(c, "count") }, -1},
		{"truncated", func(c map[string]any, v []any) { c["vulnerabilities"] = v[:len(v)-1] }, -1},
		{"no list", func(c map[string]any, _ []any) { delete(c, "vulnerabilities") }, -1},
		{"bad cve", func(_ map[string]any, v []any) { entry(v, 3)["cveID"] = "CVE-25-1" }, 3},
		{"no product", func(_ map[string]any, v []any) { delete(entry(v, 7), "product") }, 7},
		{"bad due date", func(_ map[string]any, v []any) { entry(v, 9)["dueDate"] = "2025-13-01" }, 9},
		{"duplicate", func(_ map[string]any, v []any) { entry(v, 5)["cveID"] = entry(v, 4)["cveID"] }, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(edit(t, tt.change)))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("got %v, want *ParseError", err)
			}
			if pe.Entry != tt.entry {
				t.Errorf("entry %d, want %d (%v)", pe.Entry, tt.entry, err)
			}
		})
	}
	if _, err := Parse(bytes.NewReader([]byte("not json"))); err == nil {
		t.Error("accepted garbage")
	}
}

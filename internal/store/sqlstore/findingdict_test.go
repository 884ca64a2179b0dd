package sqlstore

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/klauspost/compress/s2"

	"github.com/vigilsec/vigil/internal/arena"
	"github.com/vigilsec/vigil/internal/model"
)

// dictFinding is a package finding with an advisory's worth of details.
func dictFinding(host, version string) model.Finding {
	return model.Finding{
		Type: model.FindingPackageVulnerability, CheckID: "CVE-2023-32681", Title: "CVE-2023-32681 - requests",
		Description: strings.Repeat("Requests has been leaking Proxy-Authorization headers to destination servers. ", 8),
		Severity:    model.SeverityMedium, ExploitAvailable: model.ExploitNo, FixAvailable: model.FixYes,
		Remediation: model.Remediation{Text: "Upgrade requests from " + version + " to 2.31.0 or later.", URL: "https://osv.dev/vulnerability/PYSEC-2023-74"},
		Resource:    model.FindingResource{ID: "res-1", Type: model.ResourceHost, Name: host, Tags: map[string]string{"Env": "Prod"}},
		Package: &model.PackageVulnerabilityDetails{
			VulnerabilityID: "CVE-2023-32681", Source: "osv/PyPI", SourceURL: "https://osv.dev/vulnerability/PYSEC-2023-74",
			ReferenceURLs: []string{"https://github.com/psf/requests/security/advisories/GHSA-j8r2-6x86-q33q", "https://github.com/psf/requests/releases/tag/v2.31.0"},
			Published:     time.Date(2023, 5, 26, 18, 15, 0, 0, time.UTC), RelatedVulnerabilities: []string{"GHSA-j8r2-6x86-q33q", "PYSEC-2023-74"},
			VulnerablePackages: []model.VulnerablePackage{{Ecosystem: "PyPI", Name: "requests", Version: version, FilePath: "/srv/" + host + "/Pipfile.lock"}},
		},
	}
}

func TestFindingContentRoundTrip(t *testing.T) {
	network := model.Finding{Type: model.FindingNetworkReachability, CheckID: "tcp-22", Severity: model.SeverityLow,
		Resource: model.FindingResource{ID: "res-2", Type: model.ResourceHost, Name: "h"},
		Network:  &model.NetworkDetail{Protocol: "TCP"}}
	tests := []struct {
		name     string
		f        model.Finding
		withDict bool
	}{
		{name: "package finding: with its vulnerability's dictionary", f: dictFinding("web-1", "2.21.0"), withDict: true},
		{name: "another host and version: the same dictionary", f: dictFinding("db-7", "2.22.0"), withDict: true},
		{name: "network finding: plain S2", f: network},
	}
	var first *contentDict
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var a arena.Arena
			d := dicts.forFinding(&tt.f, new([]byte))
			if (d != nil) != tt.withDict {
				t.Fatalf("dictionary = %v, want one: %v", d != nil, tt.withDict)
			}
			if d != nil {
				if first == nil {
					first = d
				} else if d.id != first.id {
					t.Errorf("dictionary %x, want the first finding's %x", d.id, first.id)
				}
			}
			content := tt.f.ContentJSON()
			data := encodeContent(&a, content, d)
			if _, named, err := dictOf(data); err != nil || named != tt.withDict {
				t.Fatalf("dictOf = %v, %v; want %v", named, err, tt.withDict)
			}
			if d != nil && len(data)*4 > len(content) {
				t.Errorf("%d bytes of content took %d with the dictionary", len(content), len(data))
			}
			var ds map[[dictIDLen]byte]*contentDict
			if d != nil {
				// As read back: from its stored bytes.
				stored, err := loadContentDict(d.hexID(), d.data)
				if err != nil {
					t.Fatal(err)
				}
				ds = map[[dictIDLen]byte]*contentDict{d.id: stored}
			}
			var got model.Finding
			if err := decodeFinding(data, ds, &got); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(string(content), string(got.ContentJSON())); diff != "" {
				t.Errorf("content round trip (-want +got):\n%s", diff)
			}
		})
	}
}

func TestFindingContentErrors(t *testing.T) {
	f := dictFinding("web-1", "2.21.0")
	d := dicts.forFinding(&f, new([]byte))
	var a arena.Arena
	data := encodeContent(&a, f.ContentJSON(), d)
	other := dictFinding("web-1", "2.21.0")
	other.Description = strings.Repeat("Something else entirely, at length. ", 10)
	od := newContentDict(dictSource(&other))
	tests := []struct {
		name string
		data []byte
		ds   map[[dictIDLen]byte]*contentDict
		want string
	}{
		{name: "dictionary missing", data: data, want: "is missing"},
		{name: "unknown format", data: append([]byte{dictMarker, 9}, data[2:]...), ds: map[[dictIDLen]byte]*contentDict{d.id: d}, want: "unknown content format"},
		{name: "header cut short", data: data[:5], want: "unknown content format"},
		{name: "another dictionary under its id", data: data, ds: map[[dictIDLen]byte]*contentDict{d.id: od}, want: "corrupt"},
		{name: "truncated block", data: data[:len(data)-3], ds: map[[dictIDLen]byte]*contentDict{d.id: d}, want: "corrupt"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got model.Finding
			err := decodeFinding(tt.data, tt.ds, &got)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("decodeFinding = %v, want an error with %q", err, tt.want)
			}
		})
	}
	if _, err := loadContentDict(d.hexID(), append(bytes.Clone(d.data), 'x')); err == nil {
		t.Error("a stored dictionary whose bytes do not match its id was accepted")
	}
	if _, err := loadContentDict(strings.Repeat("0", 32), []byte{}); err == nil {
		t.Error("an empty dictionary was accepted")
	}
}

// FuzzDecodeFinding feeds arbitrary data columns to the decoder, with a
// dictionary at hand: it returns a finding or an error, never panics.
func FuzzDecodeFinding(f *testing.F) {
	fd := dictFinding("web-1", "2.21.0")
	d := dicts.forFinding(&fd, new([]byte))
	var a arena.Arena
	f.Add(encodeContent(&a, fd.ContentJSON(), d))
	f.Add(encodeContent(&a, fd.ContentJSON(), nil))
	f.Add(s2.Encode(nil, []byte(`{"type":"PACKAGE_VULNERABILITY"}`)))
	f.Add([]byte{dictMarker, dictFormat})
	ds := map[[dictIDLen]byte]*contentDict{d.id: d}
	f.Fuzz(func(t *testing.T, data []byte) {
		var got model.Finding
		_ = decodeFinding(data, ds, &got)
	})
}

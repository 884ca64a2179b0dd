package composer

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/extract"
	"github.com/vigilsec/vigil/internal/model"
)

const pkgdb = "../../../../shared/testdata/pkgdb/composer/"

func input(t testing.TB, path string, b []byte) *extract.Input {
	t.Helper()
	l := extract.DefaultLimits()
	return &extract.Input{
		FileInfo: extract.FileInfo{Path: path, Mode: 0o644, Size: int64(len(b))},
		Reader:   bytes.NewReader(b), ReaderAt: bytes.NewReader(b), Limits: &l,
	}
}

func readFile(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func pkg(name, version, purl string, dev bool) model.Package {
	return model.Package{Ecosystem: model.EcosystemPackagist, Name: name, Version: version,
		PURL: purl, Manager: model.ManagerComposer, Dev: dev}
}

// Expected sets read by hand from the files' "packages" and
// "packages-dev" arrays.
var (
	happyLock = []model.Package{
		pkg("guzzlehttp/guzzle", "6.5.8", "pkg:composer/guzzlehttp/guzzle@6.5.8", false),
		pkg("guzzlehttp/promises", "1.5.2", "pkg:composer/guzzlehttp/promises@1.5.2", false),
		pkg("guzzlehttp/psr7", "1.9.0", "pkg:composer/guzzlehttp/psr7@1.9.0", false),
		pkg("psr/http-message", "1.0.1", "pkg:composer/psr/http-message@1.0.1", false),
		pkg("ralouphie/getallheaders", "3.0.3", "pkg:composer/ralouphie/getallheaders@3.0.3", false),
		pkg("symfony/polyfill-intl-idn", "v1.27.0", "pkg:composer/symfony/polyfill-intl-idn@v1.27.0", false),
		pkg("symfony/polyfill-intl-normalizer", "v1.27.0", "pkg:composer/symfony/polyfill-intl-normalizer@v1.27.0", false),
		pkg("symfony/polyfill-php72", "v1.27.0", "pkg:composer/symfony/polyfill-php72@v1.27.0", false),
		pkg("pear/log", "1.13.3", "pkg:composer/pear/log@1.13.3", true),
		pkg("pear/pear_exception", "v1.0.2", "pkg:composer/pear/pear_exception@v1.0.2", true),
	}
	syftLock = []model.Package{
		pkg("adoy/fastcgi-client", "1.0.2", "pkg:composer/adoy/fastcgi-client@1.0.2", false),
		pkg("alcaeus/mongo-php-adapter", "1.1.11", "pkg:composer/alcaeus/mongo-php-adapter@1.1.11", false),
		pkg("behat/gherkin", "v4.6.2", "pkg:composer/behat/gherkin@v4.6.2", true),
		pkg("codeception/codeception", "4.1.6", "pkg:composer/codeception/codeception@4.1.6", true),
	}
)

func TestLockRealFiles(t *testing.T) {
	for file, want := range map[string][]model.Package{"composer.lock": happyLock, "composer.syft.lock": syftLock} {
		t.Run(file, func(t *testing.T) {
			got, err := NewLock().Extract(context.Background(), input(t, "/app/composer.lock", readFile(t, pkgdb+file)))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// TestInstalledFromRealLock builds installed.json in both Composer formats
// from the real composer.lock's package objects, copied verbatim: no real
// installed.json is in the shared testdata.
func TestInstalledFromRealLock(t *testing.T) {
	var raw struct {
		Packages    []json.RawMessage `json:"packages"`
		PackagesDev []json.RawMessage `json:"packages-dev"`
	}
	if err := json.Unmarshal(readFile(t, pkgdb+"composer.lock"), &raw); err != nil {
		t.Fatal(err)
	}
	all := append(append([]json.RawMessage{}, raw.Packages...), raw.PackagesDev...)
	v1, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := json.Marshal(map[string]any{
		"packages": all, "dev": true, "dev-package-names": []string{"pear/log", "pear/pear_exception"},
	})
	if err != nil {
		t.Fatal(err)
	}
	noDev := make([]model.Package, len(happyLock))
	copy(noDev, happyLock)
	for i := range noDev {
		noDev[i].Dev = false // v1 does not record which packages are dev
	}
	tests := []struct {
		name string
		data []byte
		want []model.Package
	}{
		{"v1 list", v1, noDev},
		{"v2 object", v2, happyLock},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := NewInstalled().Extract(context.Background(), input(t, "/app/vendor/composer/installed.json", tc.data))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestErrors(t *testing.T) {
	in := input(t, "/composer.lock", []byte(`{"packages": [`))
	_, err := NewLock().Extract(context.Background(), in)
	var pe *extract.ParseError
	if !errors.As(err, &pe) {
		t.Errorf("truncated: err = %v, want ParseError", err)
	}
	in = input(t, "/composer.lock", readFile(t, pkgdb+"composer.lock"))
	in.Limits.MaxFileSize = 100
	_, err = NewLock().Extract(context.Background(), in)
	var le *extract.LimitError
	if !errors.As(err, &le) {
		t.Errorf("oversized: err = %v, want LimitError", err)
	}
}

func TestRequired(t *testing.T) {
	tests := []struct {
		e    extract.Extractor
		path string
		want bool
	}{
		{NewLock(), "/srv/app/composer.lock", true},
		{NewLock(), "/srv/app/composer.json", false},
		{NewInstalled(), "/srv/app/vendor/composer/installed.json", true},
		{NewInstalled(), "/srv/app/installed.json", false},
	}
	for _, tc := range tests {
		if got := tc.e.Required(extract.FileInfo{Path: tc.path}); got != tc.want {
			t.Errorf("%s.Required(%q) = %v, want %v", tc.e.Name(), tc.path, got, tc.want)
		}
	}
}

func FuzzComposer(f *testing.F) {
	f.Add(readFile(f, pkgdb+"composer.lock"))
	f.Add(readFile(f, pkgdb+"composer.syft.lock"))
	f.Add([]byte(`[{"name":"a/b","version":"v1"}]`))
	f.Fuzz(func(t *testing.T, b []byte) {
		_, _ = NewLock().Extract(context.Background(), input(t, "/composer.lock", b))
		_, _ = NewInstalled().Extract(context.Background(), input(t, "/vendor/composer/installed.json", b))
	})
}

package acceptance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	packageurl "github.com/package-url/packageurl-go"
	"gopkg.in/yaml.v3"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/scan"
)

// This file compares vigil's index stage with syft, a peer scanner, on the
// targets of the corpus built by shared/tools/make-corpus.sh. Every OS
// package syft finds must be in vigil's inventory, and per ecosystem the
// distinct packages must agree; each difference is listed with its reason
// in testdata/syft-differences.yaml, and a listed difference that no longer
// occurs fails the test too, so that the file stays true.

// syftDifferencesFile lists the known differences between vigil and syft.
const syftDifferencesFile = "testdata/syft-differences.yaml"

// syftTarget is one corpus target as both tools are asked to read it.
type syftTarget struct {
	name string       // the target's name in the differences file
	path string       // relative to VIGIL_CORPUS
	req  scan.Request // vigil's request, Target filled in from path
	syft string       // syft's source scheme ("dir", "oci-dir", …)
}

// syftTargets are the corpus targets. The lambda zip is given to syft as
// a file: syft unpacks a zip file source and catalogs what it holds, which
// is what vigil's function source does.
var syftTargets = []syftTarget{
	{"rootfs-debian", "rootfs-debian", scan.Request{Kind: model.TargetFS}, "dir"},
	{"rootfs-app", "rootfs-app", scan.Request{Kind: model.TargetFS}, "dir"},
	{"debian-minbase.oci", "images/debian-minbase.oci", scan.Request{Kind: model.TargetImage}, "oci-dir"},
	{"debian-minbase.docker.tar", "images/debian-minbase.docker.tar", scan.Request{Kind: model.TargetImage}, "docker-archive"},
	{"app.oci", "images/app.oci", scan.Request{Kind: model.TargetImage}, "oci-dir"},
	{"app.docker.tar", "images/app.docker.tar", scan.Request{Kind: model.TargetImage}, "docker-archive"},
	{"lambda-function.zip", "lambda-function.zip", scan.Request{Kind: model.TargetFunction}, "file"},
}

// vigilTarget is the target string scan.Inventory takes for t.
func (t syftTarget) vigilTarget(corpus string) string {
	p := filepath.Join(corpus, filepath.FromSlash(t.path))
	switch t.syft {
	case "oci-dir":
		return "oci-layout:" + p
	case "docker-archive":
		return "docker-archive:" + p
	}
	return p
}

// syftDoc is the part of syft's native JSON (-o syft-json) compared.
type syftDoc struct {
	Artifacts     []syftArtifact     `json:"artifacts"`
	Relationships []syftRelationship `json:"artifactRelationships"`
}

type syftArtifact struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Version   string `json:"version"`
	Type      string `json:"type"`
	PURL      string `json:"purl"`
	Locations []struct {
		Path string `json:"path"`
	} `json:"locations"`
}

// syftOSTypes are syft's artifact types of OS package databases.
var syftOSTypes = map[string]bool{"deb": true, "rpm": true, "apk": true}

// purlEcosystems maps a language purl type to vigil's ecosystem.
var purlEcosystems = map[string]model.Ecosystem{
	packageurl.TypeGolang:   model.EcosystemGo,
	packageurl.TypePyPi:     model.EcosystemPyPI,
	packageurl.TypeNPM:      model.EcosystemNPM,
	packageurl.TypeMaven:    model.EcosystemMaven,
	packageurl.TypeCargo:    model.EcosystemCrates,
	packageurl.TypeGem:      model.EcosystemRubyGems,
	packageurl.TypeComposer: model.EcosystemPackagist,
	packageurl.TypeNuget:    model.EcosystemNuGet,
	packageurl.TypeHex:      model.EcosystemHex,
	packageurl.TypePub:      model.EcosystemPub,
}

// osEcosystems maps an OS purl type and namespace to vigil's ecosystem.
var osEcosystems = map[string]model.Ecosystem{
	"deb/debian":     model.EcosystemDebian,
	"deb/ubuntu":     model.EcosystemUbuntu,
	"apk/alpine":     model.EcosystemAlpine,
	"apk/wolfi":      model.EcosystemWolfi,
	"apk/chainguard": model.EcosystemChainguard,
	"rpm/redhat":     model.EcosystemRedHat,
	"rpm/rocky":      model.EcosystemRocky,
	"rpm/almalinux":  model.EcosystemAlmaLinux,
	"rpm/sles":       model.EcosystemSUSE,
	"rpm/opensuse":   model.EcosystemOpenSUSE,
	"rpm/mariner":    model.EcosystemMariner,
	"rpm/azurelinux": model.EcosystemMariner,
	"rpm/amazon":     model.EcosystemAmazon,
	"rpm/oracle":     model.EcosystemOracle,
	"rpm/ol":         model.EcosystemOracle,
	"rpm/fedora":     model.EcosystemFedora,
}

// pep503 is the run of characters PEP 503 folds into one "-".
var pep503 = regexp.MustCompile(`[-_.]+`)

// syftKey is how one package is compared: its ecosystem (vigil's name, or
// "syft:<type>" for what has none), whether it is an OS package, and its
// identity: "name version" for OS packages, "namespace/name@version" from
// the purl (without qualifiers) for language packages, so that Maven
// group ids count and syft's "go1.26.8" and vigil's "1.26.8" for the Go
// standard library are the same package.
type syftKey struct {
	eco model.Ecosystem
	os  bool
	id  string
}

// purlID is "namespace/name@version" of a purl, with PyPI names folded as
// PEP 503 says (both tools may spell PyYAML differently).
func purlID(p packageurl.PackageURL) string {
	name := p.Name
	if p.Type == packageurl.TypePyPi {
		name = pep503.ReplaceAllString(strings.ToLower(name), "-")
	}
	if p.Namespace != "" {
		name = p.Namespace + "/" + name
	}
	if p.Version != "" {
		name += "@" + p.Version
	}
	return name
}

// keyOfSyft is the comparison key of one syft artifact.
func keyOfSyft(a syftArtifact) syftKey {
	p, err := packageurl.FromString(a.PURL)
	if syftOSTypes[a.Type] {
		eco := model.Ecosystem("syft:" + a.Type)
		if err == nil {
			if e, ok := osEcosystems[p.Type+"/"+strings.ToLower(p.Namespace)]; ok {
				eco = e
			}
		}
		return syftKey{eco: eco, os: true, id: a.Name + " " + a.Version}
	}
	if err != nil {
		return syftKey{eco: model.Ecosystem("syft:" + a.Type), id: a.Name + "@" + a.Version}
	}
	eco, ok := purlEcosystems[p.Type]
	if !ok {
		eco = model.Ecosystem("syft:" + a.Type)
	}
	return syftKey{eco: eco, id: purlID(p)}
}

// keyOfVigil is the comparison key of one vigil package.
func keyOfVigil(p model.Package) syftKey {
	if p.Manager == model.ManagerOS {
		return syftKey{eco: p.Ecosystem, os: true, id: p.Name + " " + p.Version}
	}
	u, err := packageurl.FromString(p.PURL)
	if err != nil {
		return syftKey{eco: p.Ecosystem, id: "unparsable purl " + p.PURL}
	}
	return syftKey{eco: p.Ecosystem, id: purlID(u)}
}

// syftDifference is one entry of the differences file.
type syftDifference struct {
	Targets   []string `yaml:"targets"`
	Ecosystem string   `yaml:"ecosystem"`
	// Package is "name version" for an OS package, else the purl's
	// "namespace/name@version" (without "@" when it has no version).
	Package string `yaml:"package"`
	// Only is the tool that reports the package: "syft" or "vigil".
	Only   string `yaml:"only"`
	Reason string `yaml:"reason"`
}

type syftDifferences struct {
	Differences []syftDifference `yaml:"differences"`
}

// diffKey names one observed or listed difference.
type diffKey struct {
	target, eco, pkg, only string
}

func (k diffKey) String() string {
	return fmt.Sprintf("%s: %s %q only in %s", k.target, k.eco, k.pkg, k.only)
}

// readSyftDifferences reads the differences file, checking that every
// entry is complete, names known targets and is listed once.
func readSyftDifferences(t *testing.T) map[diffKey]string {
	t.Helper()
	var f syftDifferences
	dec := yaml.NewDecoder(bytes.NewReader(readFile(t, syftDifferencesFile)))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("%s: %v", syftDifferencesFile, err)
	}
	known := map[string]bool{}
	for _, tg := range syftTargets {
		known[tg.name] = true
	}
	out := map[diffKey]string{}
	for i, d := range f.Differences {
		if len(d.Targets) == 0 || d.Ecosystem == "" || d.Package == "" || strings.TrimSpace(d.Reason) == "" ||
			(d.Only != "syft" && d.Only != "vigil") {
			t.Errorf("%s: entry %d (%s %s) needs targets, ecosystem, package, only (syft or vigil) and reason",
				syftDifferencesFile, i+1, d.Ecosystem, d.Package)
			continue
		}
		for _, tg := range d.Targets {
			if !known[tg] {
				t.Errorf("%s: entry %d names unknown target %q", syftDifferencesFile, i+1, tg)
			}
			k := diffKey{tg, d.Ecosystem, d.Package, d.Only}
			if _, dup := out[k]; dup {
				t.Errorf("%s: %v is listed twice", syftDifferencesFile, k)
			}
			out[k] = d.Reason
		}
	}
	return out
}

// findSyft finds syft: $VIGIL_SYFT, PATH, or skips.
func findSyft(t *testing.T) string {
	t.Helper()
	if p := os.Getenv("VIGIL_SYFT"); p != "" {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("syft"); err == nil {
		return p
	}
	t.Skip("syft not found: set VIGIL_SYFT or put syft on PATH (go install github.com/anchore/syft/cmd/syft@v1.57.1)")
	return ""
}

// runSyft catalogs source ("dir:/path") with syft and decodes its JSON.
func runSyft(ctx context.Context, syft, source string) (*syftDoc, error) {
	cmd := exec.CommandContext(ctx, syft, "scan", source, "-o", "syft-json", "-q")
	cmd.Env = append(os.Environ(), "SYFT_CHECK_FOR_APP_UPDATE=false")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("syft scan %s: %v: %s", source, err, errb.String())
	}
	var d syftDoc
	if err := json.Unmarshal(out.Bytes(), &d); err != nil {
		return nil, fmt.Errorf("syft scan %s: output is not syft JSON: %v", source, err)
	}
	return &d, nil
}

// TestSyftComparison compares vigil's inventory of every corpus target
// with syft's (issue 3): every OS package syft finds is in vigil's
// inventory, and per ecosystem the distinct (name, version) pairs agree,
// except for the differences listed with their reasons in
// testdata/syft-differences.yaml; a listed difference that no longer occurs
// fails the test too.
func TestSyftComparison(t *testing.T) {
	corpus := os.Getenv("VIGIL_CORPUS")
	if corpus == "" {
		t.Skip("VIGIL_CORPUS is not set: build a corpus with shared/tools/make-corpus.sh and point VIGIL_CORPUS at it")
	}
	if testing.Short() {
		t.Skip("-short: running syft and vigil on seven corpus targets takes minutes")
	}
	syft := findSyft(t)
	listed := readSyftDifferences(t)
	used := map[diffKey]bool{}
	ran := map[string]bool{} // targets compared
	for _, tg := range syftTargets {
		path := filepath.Join(corpus, filepath.FromSlash(tg.path))
		if _, err := os.Stat(path); err != nil {
			t.Errorf("%s: %v (rebuild the corpus with shared/tools/make-corpus.sh)", tg.name, err)
			continue
		}
		t.Run(tg.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
			defer cancel()
			// syft runs while vigil indexes.
			type syftResult struct {
				doc *syftDoc
				err error
			}
			done := make(chan syftResult, 1)
			go func() {
				d, err := runSyft(ctx, syft, tg.syft+":"+path)
				done <- syftResult{d, err}
			}()
			req := tg.req
			req.Target = tg.vigilTarget(corpus)
			inv, err := scan.Inventory(ctx, req, scan.Options{})
			sr := <-done
			if err != nil {
				t.Fatalf("vigil: %v", err)
			}
			if sr.err != nil {
				t.Fatal(sr.err)
			}
			if inv.Partial {
				t.Errorf("vigil's inventory is partial: %+v", inv.Issues)
			}
			ran[tg.name] = true // compared: its listed differences must occur
			compareOwnership(t, sr.doc, inv)
			for _, k := range compareWithSyft(t, tg.name, sr.doc, inv) {
				if _, ok := listed[k]; ok {
					used[k] = true
					continue
				}
				t.Errorf("unlisted difference: %v; investigate it and list it with its reason in %s, or fix vigil",
					k, syftDifferencesFile)
			}
		})
	}
	var stale []string
	for k := range listed {
		if ran[k.target] && !used[k] {
			stale = append(stale, k.String())
		}
	}
	sort.Strings(stale)
	for _, s := range stale {
		t.Errorf("listed difference no longer occurs: %s; remove it from %s", s, syftDifferencesFile)
	}
}

// compareWithSyft logs the counts of both tools per ecosystem and returns
// the differences: OS packages syft reports that vigil does not (and the
// reverse), and per language ecosystem the distinct packages only one tool
// reports.
func compareWithSyft(t *testing.T, target string, doc *syftDoc, inv *model.Inventory) []diffKey {
	t.Helper()
	syftSet := map[syftKey]bool{}
	for _, a := range doc.Artifacts {
		syftSet[keyOfSyft(a)] = true
	}
	vigilSet := map[syftKey]bool{}
	for _, p := range inv.Packages {
		vigilSet[keyOfVigil(p)] = true
	}
	type count struct {
		os           bool
		syft, vigil  int
		sOnly, vOnly int
	}
	counts := map[model.Ecosystem]*count{}
	at := func(k syftKey) *count {
		c := counts[k.eco]
		if c == nil {
			c = &count{os: k.os}
			counts[k.eco] = c
		}
		return c
	}
	var out []diffKey
	for k := range syftSet {
		c := at(k)
		c.syft++
		if !vigilSet[k] {
			c.sOnly++
			out = append(out, diffKey{target, string(k.eco), k.id, "syft"})
		}
	}
	for k := range vigilSet {
		c := at(k)
		c.vigil++
		if !syftSet[k] {
			c.vOnly++
			out = append(out, diffKey{target, string(k.eco), k.id, "vigil"})
		}
	}
	ecos := make([]model.Ecosystem, 0, len(counts))
	for e := range counts {
		ecos = append(ecos, e)
	}
	slices.Sort(ecos)
	for _, e := range ecos {
		c := counts[e]
		kind := "language"
		if c.os {
			kind = "OS"
		}
		t.Logf("%s %s packages: syft %d, vigil %d distinct (only syft %d, only vigil %d)",
			kind, e, c.syft, c.vigil, c.sOnly, c.vOnly)
	}
	slices.SortFunc(out, func(a, b diffKey) int { return strings.Compare(a.String(), b.String()) })
	return out
}

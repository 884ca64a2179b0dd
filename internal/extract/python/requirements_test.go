package python

import (
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
)

// TestRequirementsRealFiles checks every requirements file against the
// pinned lines read off the file by hand.
func TestRequirementsRealFiles(t *testing.T) {
	want := map[string][]nv{
		// "# foo==8.0.0" and "#bar==8.0.0" are comments.
		"requirements-comments.txt": {{"click", "8.0.0", false}, {"Flask", "2.0.0", false}, {"Jinja2", "3.0.0", false}, {"MarkupSafe", "2.0.0", false}},
		"requirements-flask.txt": {
			{"click", "8.0.0", false}, {"Flask", "2.0.0", false}, {"itsdangerous", "2.0.0", false},
			{"Jinja2", "3.0.0", false}, {"MarkupSafe", "2.0.0", false}, {"Werkzeug", "2.0.0", false},
		},
		// Spaces around "==", hashes on continuation lines.
		"requirements-hash.txt": {{"FooProject", "1.2", false}, {"Jinja2", "3.0.0", false}},
		// Ranges, exclusions, "~=" and bare names are not pinned.
		"requirements-operator.txt": {{"Django", "2.3.4", false}, {"SomeProject", "5.4", false}},
		// "MarkupSafe>2.0.0" is not pinned.
		"requirements.txt": {
			{"click", "8.0.0", false}, {"Flask", "2.0.0", false}, {"itsdangerous", "2.0.0", false}, {"Jinja2", "3.0.0", false},
			{"oauth2-client", "4.0.0", false}, {"python-gitlab", "2.0.0", false}, {"Werkzeug", "0.11", false},
		},
	}
	all := glob(t, "requirements/*.txt")
	if len(all) != len(want) {
		t.Fatalf("%d files, the test knows %d", len(all), len(want))
	}
	for _, f := range all {
		t.Run(filepath.Base(f), func(t *testing.T) {
			got := run(t, NewRequirements(), f, "/app/"+filepath.Base(f), model.ManagerPip)
			if diff := cmp.Diff(sortNV(want[filepath.Base(f)]), got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseRequirements(t *testing.T) {
	doc := `-r base.txt
--requirement=dev.txt
-c constraints.txt
--requirements-not-an-option x
-e git+https://github.com/a/b.git#egg=b
--index-url https://pypi.org/simple
requests[security,socks] == 2.31.0 ; python_version >= "3.8" \
    --hash=sha256:abc
arbitrary===1.0.local
Flask==2.0.0
flask==2.0.0
wildcard==1.*
ranged>=1,<2
direct @ https://example.com/direct-1.0.whl
bare
# a comment line ends a continuation \
kept==1.0
`
	r, err := ParseRequirements(t.Context(), []byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	got := []nv{}
	for _, p := range r.Packages {
		got = append(got, nv{p.Name, p.Version, p.Dev})
	}
	want := []nv{{"arbitrary", "1.0.local", false}, {"Flask", "2.0.0", false}, {"kept", "1.0", false}, {"requests", "2.31.0", false}}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("packages (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"base.txt", "dev.txt", "constraints.txt"}, r.Includes); diff != "" {
		t.Errorf("includes (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"wildcard", "ranged", "direct", "bare"}, r.Unpinned); diff != "" {
		t.Errorf("unpinned (-want +got):\n%s", diff)
	}
}

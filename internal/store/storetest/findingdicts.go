package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// testFindingDicts checks the compression of package findings with
// dictionaries of their vulnerabilities' details: findings of two accounts
// that share vulnerabilities read back as written, share one stored
// dictionary per vulnerability, take a fraction of their content's size,
// and no dictionary holds a resource's or a package's data.
func testFindingDicts(t *testing.T, nb NewBackend) {
	e := setup(t, nb)
	ctx := context.Background()
	description := strings.Repeat("A crafted request makes the parser read past the end of its buffer. ", 12)
	var written []model.Finding
	e.tx(t, func(tx store.Tx) error {
		for ai, acct := range []model.Account{e.a, e.b} {
			for h := range 5 {
				r, _, err := tx.Resources(store.SystemScope()).Upsert(ctx, model.Resource{AccountID: acct.ID, Type: model.ResourceHost,
					Name: fmt.Sprintf("secret-host-%d-%d", ai, h), Tags: map[string]string{"Owner": "team-private"}})
				if err != nil {
					return err
				}
				for v := range 4 {
					f := synthFinding(v, r, e.clock.Now())
					f.ID = model.FindingID(fmt.Sprintf("fnd-dict-%d-%d-%d", ai, h, v))
					f.CheckID = fmt.Sprintf("CVE-2025-%04d", v)
					f.Description = fmt.Sprintf("%s (%d)", description, v)
					f.Remediation = model.Remediation{Text: "Upgrade private-pkg to 9.9", URL: "https://osv.dev/vulnerability/" + f.CheckID}
					f.Package.VulnerabilityID = f.CheckID
					f.Package.Source, f.Package.SourceURL = "osv/PyPI", f.Remediation.URL
					f.Package.ReferenceURLs = []string{"https://example.org/advisories/" + f.CheckID, "https://example.org/fix/" + f.CheckID}
					f.Package.Published = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
					f.Package.VulnerablePackages[0].Name = "private-pkg"
					f.Package.VulnerablePackages[0].FilePath = "/srv/secret-path/requirements.txt"
					written = append(written, f)
				}
			}
		}
		return tx.Findings(store.SystemScope()).Put(ctx, written...)
	})
	var got []model.Finding
	e.view(t, func(tx store.Tx) error {
		ids := make([]model.FindingID, len(written))
		for i := range written {
			ids[i] = written[i].ID
		}
		var err error
		got, err = tx.Findings(store.SystemScope()).GetMany(ctx, ids)
		return err
	})
	want := slices.Clone(written)
	slices.SortFunc(want, func(a, b model.Finding) int { return strings.Compare(string(a.ID), string(b.ID)) })
	if diff := gocmp.Diff(want, got); diff != "" {
		t.Errorf("findings read back (-want +got):\n%s", diff)
	}
	// One dictionary per vulnerability, shared by both accounts.
	e.count(t, `SELECT COUNT(*) FROM finding_dicts`, 4)
	// A content takes a fraction of its size (what is left is the
	// finding's own: resource, package, scores).
	content := len(written[0].ContentJSON())
	n, err := e.be.QueryInt(ctx, `SELECT MAX(length(data)) FROM findings`)
	if err != nil || int(n)*4 > content {
		t.Errorf("largest finding data: %d bytes, %v; want under a quarter of a content's %d", n, err, content)
	}
	for _, private := range []string{"secret-host", "team-private", "private-pkg", "secret-path"} {
		e.count(t, `SELECT COUNT(*) FROM finding_dicts WHERE data LIKE '%`+private+`%'`, 0)
	}
}

package storetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// findingFixture is a set of synthetic findings over resources of accounts
// A and B, varied in every filtered field.
type findingFixture struct {
	res      []model.Resource
	findings []model.Finding
	base     time.Time
}

var (
	fixturePackages = []string{"libssl3", "libc6", "lodash", "minimist", "openssl", "zlib1g", "libxml2"}
	fixtureEcos     = []model.Ecosystem{"Debian", "npm", "Alpine", "PyPI"}
)

func fptr(v float64) *float64 { return &v }

// synthFinding builds the i-th fixture finding on resource r.
func synthFinding(i int, r model.Resource, base time.Time) model.Finding {
	sev := model.Severities[i%len(model.Severities)]
	pkg := fixturePackages[i%len(fixturePackages)]
	first := base.Add(time.Duration(i) * time.Minute)
	f := model.Finding{
		ID:               model.FindingID(fmt.Sprintf("fnd-%032x", i*7919+13)),
		AccountID:        r.AccountID,
		Type:             model.FindingPackageVulnerability,
		CheckID:          fmt.Sprintf("CVE-2024-%04d", i%13),
		Severity:         sev,
		ExploitAvailable: model.ExploitNo,
		FixAvailable:     []model.FixAvailable{model.FixYes, model.FixNo, model.FixPartial}[i%3],
		Resource: model.FindingResource{ID: r.ID, Type: r.Type, Name: r.Name, Tags: r.Tags,
			ImageRepository: map[bool]string{true: strings.SplitN(r.Name, ":", 2)[0]}[r.Type == model.ResourceImage]},
		Status:          []model.FindingStatus{model.StatusActive, model.StatusActive, model.StatusSuppressed, model.StatusClosed}[(i/3)%4],
		FirstObservedAt: first,
		LastObservedAt:  first.Add(time.Duration(i%5) * time.Hour),
		UpdatedAt:       first.Add(time.Duration(i%5) * time.Hour),
		SnapshotID:      "snap-1",
		ScanID:          fmt.Sprintf("scan-%d", i%3),
		Package: &model.PackageVulnerabilityDetails{
			VulnerabilityID: fmt.Sprintf("CVE-2024-%04d", i%13),
			VulnerablePackages: []model.VulnerablePackage{{
				Ecosystem: fixtureEcos[i%len(fixtureEcos)], Name: pkg, Version: fmt.Sprintf("1.%d.%d", i%4, i%3),
				FilePath: fmt.Sprintf("/app%d/package-lock.json", i%2), Layer: fmt.Sprintf("sha256:%02x%062d", (i%6)*0x11, 0),
			}},
		},
	}
	if r.Type == model.ResourceImage {
		f.Resource.ImageTag = strings.SplitN(r.Name, ":", 2)[1]
	} else {
		f.Package.VulnerablePackages[0].Layer = ""
	}
	f.Title = f.CheckID + " - " + pkg
	if i%5 != 0 { // every fifth has no CVSS
		base := float64((i*37)%101) / 10
		f.ScoreDetails = &model.ScoreDetails{Base: base, Version: "3.1", Score: base}
		if i%7 == 0 {
			f.ScoreDetails.Score = min(10, base+1)
			f.ScoreDetails.Adjustments = []model.ScoreAdjustment{{Metric: "exploitability", Reason: "KEV", Delta: 1}}
			f.ExploitAvailable = model.ExploitYes
			f.KEV = &model.KEV{CVE: f.CheckID, DateAdded: "2024-01-02"}
		}
		f.Score = fptr(f.ScoreDetails.Score)
	}
	if i%3 != 0 { // every third has no EPSS
		f.EPSS = &model.EPSS{CVE: f.CheckID, Score: float64((i*53)%100) / 100, Percentile: 0.5}
	}
	if f.Status == model.StatusClosed {
		f.ClosedAt = f.LastObservedAt
		f.ClosedReason = model.ClosedFixed
	}
	if f.Status == model.StatusSuppressed {
		f.Suppression = &model.FindingSuppression{RuleID: "sup-x", Reason: "accepted"}
	}
	return f
}

// stateOf returns what States reads of a stored f.
func stateOf(f *model.Finding) store.FindingState {
	st := store.FindingState{ID: f.ID, ResourceID: f.Resource.ID, Status: f.Status, Fingerprint: f.Fingerprint()}
	if f.Suppression != nil {
		st.SuppressedBy = f.Suppression.RuleID
	}
	if p := f.FirstPackage(); p != nil {
		st.Package = (&model.Package{Ecosystem: p.Ecosystem, Name: p.Name, Version: p.Version, Path: p.FilePath}).Key()
	}
	return st
}

// fillFindings stores the fixture: four resources (three in A, one in B)
// and n findings spread over them.
func fillFindings(t *testing.T, e *env, n int) *findingFixture {
	t.Helper()
	ctx := context.Background()
	fx := &findingFixture{base: e.clock.Now()}
	e.tx(t, func(tx store.Tx) error {
		rs := tx.Resources(store.SystemScope())
		for _, r := range []model.Resource{
			{AccountID: e.a.ID, Type: model.ResourceImage, Name: "registry.example/app:1.0", Tags: map[string]string{"Env": "Prod"}},
			{AccountID: e.a.ID, Type: model.ResourceImage, Name: "registry.example/api:2", Tags: map[string]string{"Env": "Dev"}},
			{AccountID: e.a.ID, Type: model.ResourceHost, Name: "web-1", Tags: map[string]string{"Env": "Prod", "Team": "web"}},
			{AccountID: e.b.ID, Type: model.ResourceHost, Name: "db-1", Tags: map[string]string{"Team": "data"}},
		} {
			got, _, err := rs.Upsert(ctx, r)
			if err != nil {
				return err
			}
			fx.res = append(fx.res, got)
		}
		for i := range n {
			fx.findings = append(fx.findings, synthFinding(i, fx.res[i%len(fx.res)], fx.base))
		}
		return tx.Findings(store.SystemScope()).Put(ctx, fx.findings...)
	})
	return fx
}

func findingIDs(fs []model.Finding) []string {
	out := make([]string, 0, len(fs))
	for _, f := range fs {
		out = append(out, string(f.ID))
	}
	return out
}

// listAll pages through a listing.
func listAll(ctx context.Context, fs store.FindingStore, fl model.FindingFilter, sort store.FindingSort, page int) ([]model.Finding, error) {
	var out []model.Finding
	cur := ""
	for range 10000 {
		got, next, err := fs.List(ctx, fl, sort, cur, page)
		if err != nil {
			return nil, err
		}
		out = append(out, got...)
		if next == "" {
			return out, nil
		}
		cur = next
	}
	return nil, errors.New("listing does not end")
}

func testFindingsPutGet(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 12)
	sa, sb := store.AccountScope(e.a.ID), store.AccountScope(e.b.ID)
	e.tx(t, func(tx store.Tx) error {
		want := fx.findings[0]
		got, err := tx.Findings(sa).Get(ctx, want.ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("Get round trip (-want +got):\n%s", diff)
		}
		_, err = tx.Findings(sb).Get(ctx, want.ID)
		wantNotFound(t, "Get from another account", err)
		wantScope(t, "Put into another account", tx.Findings(sb).Put(ctx, want))

		// ForResource: the findings of resource 0, in id order.
		var wantIDs []string
		for _, f := range fx.findings {
			if f.Resource.ID == fx.res[0].ID {
				wantIDs = append(wantIDs, string(f.ID))
			}
		}
		slices.Sort(wantIDs)
		byRes, err := tx.Findings(sa).ForResource(ctx, fx.res[0].ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(wantIDs, findingIDs(byRes)); diff != "" {
			t.Errorf("ForResource (-want +got):\n%s", diff)
		}
		if none, err := tx.Findings(sb).ForResource(ctx, fx.res[0].ID); err != nil || len(none) != 0 {
			t.Errorf("ForResource from another account = %d findings, %v", len(none), err)
		}

		// States: the cheap view reconciliation compares.
		states, err := tx.Findings(sa).States(ctx, fx.res[0].ID)
		if err != nil {
			return err
		}
		var wantStates []store.FindingState
		for _, f := range fx.findings {
			if f.Resource.ID == fx.res[0].ID {
				wantStates = append(wantStates, stateOf(&f))
			}
		}
		slices.SortFunc(wantStates, func(a, b store.FindingState) int { return strings.Compare(string(a.ID), string(b.ID)) })
		if diff := gocmp.Diff(wantStates, states); diff != "" {
			t.Errorf("States (-want +got):\n%s", diff)
		}
		// PackageStates: the states of some packages' findings, over
		// several resources, within the scope.
		names := []string{fixturePackages[0], fixturePackages[2], "absent"}
		resIDs := []model.ResourceID{fx.res[0].ID, fx.res[2].ID, fx.res[3].ID} // 3 is B's
		pstates, err := tx.Findings(sa).PackageStates(ctx, resIDs, names)
		if err != nil {
			return err
		}
		var wantP []store.FindingState
		for _, f := range fx.findings {
			if n := f.FirstPackage().Name; (n == names[0] || n == names[1]) && (f.Resource.ID == fx.res[0].ID || f.Resource.ID == fx.res[2].ID) {
				wantP = append(wantP, stateOf(&f))
			}
		}
		slices.SortFunc(wantP, func(a, b store.FindingState) int {
			return strings.Compare(string(a.ResourceID)+string(a.ID), string(b.ResourceID)+string(b.ID))
		})
		if len(wantP) == 0 {
			t.Fatal("fixture has no findings of the packages asked")
		}
		if diff := gocmp.Diff(wantP, pstates); diff != "" {
			t.Errorf("PackageStates (-want +got):\n%s", diff)
		}
		if none, err := tx.Findings(sb).States(ctx, fx.res[0].ID); err != nil || len(none) != 0 {
			t.Errorf("States from another account = %d, %v", len(none), err)
		}
		// GetMany: only what exists in the scope, by id.
		many, err := tx.Findings(sa).GetMany(ctx, []model.FindingID{fx.findings[3].ID, fx.findings[0].ID, "fnd-missing", fx.findings[1].ID})
		if err != nil {
			return err
		}
		wantMany := []string{string(fx.findings[0].ID), string(fx.findings[1].ID)} // 3 is B's
		slices.Sort(wantMany)
		if diff := gocmp.Diff(wantMany, findingIDs(many)); diff != "" {
			t.Errorf("GetMany (-want +got):\n%s", diff)
		}

		// Touch moves lastObservedAt and the scan, nothing else.
		at := fx.base.Add(48 * time.Hour)
		if err := tx.Findings(sa).Touch(ctx, []model.FindingID{want.ID}, at, "scan-9", "snap-2"); err != nil {
			return err
		}
		if err := tx.Findings(sb).Touch(ctx, []model.FindingID{fx.findings[1].ID}, at, "scan-9", "snap-2"); err != nil {
			return err // out of scope: silently nothing
		}
		touched, err := tx.Findings(sa).Get(ctx, want.ID)
		if err != nil {
			return err
		}
		want.LastObservedAt, want.ScanID, want.SnapshotID = at, "scan-9", "snap-2"
		if diff := gocmp.Diff(want, touched); diff != "" {
			t.Errorf("after Touch (-want +got):\n%s", diff)
		}
		other, err := tx.Findings(sa).Get(ctx, fx.findings[1].ID)
		if err != nil {
			return err
		}
		if other.ScanID == "scan-9" {
			t.Errorf("Touch through another account's scope changed %s", other.ID)
		}

		// Put replaces.
		want.Severity, want.Title = model.SeverityCritical, "changed"
		if err := tx.Findings(sa).Put(ctx, want); err != nil {
			return err
		}
		got, err = tx.Findings(sa).Get(ctx, want.ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("after Put (-want +got):\n%s", diff)
		}
		bad := want
		bad.Status = "OPEN"
		var inv *store.InvalidError
		if err := tx.Findings(sa).Put(ctx, bad); !errors.As(err, &inv) {
			t.Errorf("Put status OPEN = %v, want *store.InvalidError", err)
		}
		return nil
	})
	// Read-only transactions refuse writes.
	err := e.s.View(ctx, func(tx store.Tx) error { return tx.Findings(sa).Put(ctx, fx.findings[0]) })
	if err == nil {
		t.Error("Put in a read-only transaction succeeded")
	}

	// Insert writes new findings; one that exists fails the call, and the
	// transaction rolls back with the new ones it wrote.
	fresh := fx.findings[0]
	fresh.ID = "fnd-inserted-1"
	fresh2 := fresh
	fresh2.ID = "fnd-inserted-2"
	if err := e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sa).Insert(ctx, fresh) }); err != nil {
		t.Fatal(err)
	}
	err = e.s.View(ctx, func(tx store.Tx) error {
		got, err := tx.Findings(sa).Get(ctx, fresh.ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(fresh, got); diff != "" {
			t.Errorf("after Insert (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sa).Insert(ctx, fresh2, fresh) })
	var conflict *store.ConflictError
	if !errors.As(err, &conflict) {
		t.Errorf("Insert of a stored finding = %v, want *store.ConflictError", err)
	}
	err = e.s.View(ctx, func(tx store.Tx) error {
		var nf *store.NotFoundError
		if _, err := tx.Findings(sa).Get(ctx, fresh2.ID); !errors.As(err, &nf) {
			t.Errorf("a failed Insert left %s behind: %v", fresh2.ID, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sb).Insert(ctx, fresh2) })
	wantScope(t, "Insert into another account", err)

	// Many findings at once (several statements): all are written; a
	// stored one in a later statement fails the call and leaves none.
	many := make([]model.Finding, 500)
	for i := range many {
		many[i] = fresh
		many[i].ID = model.FindingID(fmt.Sprintf("fnd-many-%04d", i))
	}
	if err := e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sa).Insert(ctx, many[:300]...) }); err != nil {
		t.Fatalf("Insert of 300: %v", err)
	}
	countMany := func() int {
		t.Helper()
		n := 0
		err := e.s.View(ctx, func(tx store.Tx) error {
			for i := range many {
				_, err := tx.Findings(sa).Get(ctx, many[i].ID)
				var nf *store.NotFoundError
				switch {
				case err == nil:
					n++
				case !errors.As(err, &nf):
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := countMany(); n != 300 {
		t.Errorf("after inserting 300 findings, %d stored", n)
	}
	err = e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sa).Insert(ctx, many[299:]...) })
	if !errors.As(err, &conflict) {
		t.Errorf("Insert of 201 with a stored one first = %v, want *store.ConflictError", err)
	}
	late := append(slices.Clone(many[300:]), many[0])
	err = e.s.InTx(ctx, func(tx store.Tx) error { return tx.Findings(sa).Insert(ctx, late...) })
	if !errors.As(err, &conflict) {
		t.Errorf("Insert of 201 with a stored one last = %v, want *store.ConflictError", err)
	}
	if n := countMany(); n != 300 {
		t.Errorf("after failed inserts, %d of the findings stored, want 300", n)
	}
}

// filterCases are the filters the conformance suite checks; wantSome marks
// those the fixture must answer with at least one finding.
func filterCases(fx *findingFixture, e *env) []struct {
	name     string
	f        model.FindingFilter
	wantSome bool
} {
	eq := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.CompareEquals, Value: v}
	}
	pre := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.ComparePrefix, Value: v}
	}
	ne := func(v string) model.StringFilter {
		return model.StringFilter{Comparison: model.CompareNotEquals, Value: v}
	}
	rng := func(lo, hi *float64) model.NumberFilter { return model.NumberFilter{Min: lo, Max: hi} }
	return []struct {
		name     string
		f        model.FindingFilter
		wantSome bool
	}{
		{"everything", model.FindingFilter{}, true},
		{"severity critical", model.FindingFilter{Severity: []model.StringFilter{eq("CRITICAL")}}, true},
		{"severity critical or high", model.FindingFilter{Severity: []model.StringFilter{eq("CRITICAL"), eq("HIGH")}}, true},
		{"active, not low", model.FindingFilter{Status: []model.StringFilter{eq("ACTIVE")}, Severity: []model.StringFilter{ne("LOW")}}, true},
		{"not closed, not suppressed", model.FindingFilter{Status: []model.StringFilter{ne("CLOSED"), ne("SUPPRESSED")}}, true},
		{"mixed equals and not-equals", model.FindingFilter{PackageName: []model.StringFilter{ne("libssl3"), pre("lib")}}, true},
		{"package prefix", model.FindingFilter{PackageName: []model.StringFilter{pre("lib")}}, true},
		{"package and version", model.FindingFilter{PackageName: []model.StringFilter{eq("lodash")}, PackageVersion: []model.StringFilter{pre("1.2")}}, true},
		{"ecosystem", model.FindingFilter{PackageEcosystem: []model.StringFilter{eq("npm")}}, true},
		{"file path", model.FindingFilter{FilePath: []model.StringFilter{eq("/app1/package-lock.json")}}, true},
		{"vulnerability", model.FindingFilter{VulnerabilityID: []model.StringFilter{eq("CVE-2024-0003")}}, true},
		{"title prefix", model.FindingFilter{Title: []model.StringFilter{pre("CVE-2024-0001 - ")}}, true},
		{"title prefix is case-sensitive", model.FindingFilter{Title: []model.StringFilter{pre("cve-")}}, false},
		{"resource type image", model.FindingFilter{ResourceType: []model.StringFilter{eq("IMAGE")}}, true},
		{"resource id", model.FindingFilter{ResourceID: []model.StringFilter{eq(string(fx.res[2].ID))}}, true},
		{"tag Env=Prod", model.FindingFilter{ResourceTags: []model.MapFilter{{Comparison: model.CompareEquals, Key: "Env", Value: "Prod"}}}, true},
		{"tag Env=Dev or Team=web", model.FindingFilter{ResourceTags: []model.MapFilter{{Comparison: model.CompareEquals, Key: "Env", Value: "Dev"}, {Comparison: model.CompareEquals, Key: "Team", Value: "web"}}}, true},
		{"image repository and tag", model.FindingFilter{ImageRepository: []model.StringFilter{eq("registry.example/app")}, ImageTag: []model.StringFilter{eq("1.0")}}, true},
		{"layer prefix", model.FindingFilter{Layer: []model.StringFilter{pre("sha256:22")}}, true},
		{"score 7 to 9", model.FindingFilter{Score: []model.NumberFilter{rng(fptr(7), fptr(9))}}, true},
		{"score below 2 or at least 9.5", model.FindingFilter{Score: []model.NumberFilter{rng(nil, fptr(2)), rng(fptr(9.5), nil)}}, true},
		{"cvss at least 9", model.FindingFilter{CVSS: []model.NumberFilter{rng(fptr(9), nil)}}, true},
		{"epss at least 0.5", model.FindingFilter{EPSS: []model.NumberFilter{rng(fptr(0.5), nil)}}, true},
		{"epss at most 0.1 (none excluded)", model.FindingFilter{EPSS: []model.NumberFilter{rng(nil, fptr(0.1))}}, true},
		{"fix yes", model.FindingFilter{FixAvailable: []model.StringFilter{eq("YES")}}, true},
		{"exploit yes", model.FindingFilter{ExploitAvailable: []model.StringFilter{eq("YES")}}, true},
		{"first observed window", model.FindingFilter{FirstObservedAt: []model.DateFilter{{Start: fx.base.Add(10 * time.Minute), End: fx.base.Add(30 * time.Minute)}}}, true},
		{"last observed since", model.FindingFilter{LastObservedAt: []model.DateFilter{{Start: fx.base.Add(3 * time.Hour)}}}, true},
		{"updated until", model.FindingFilter{UpdatedAt: []model.DateFilter{{End: fx.base.Add(5 * time.Minute)}}}, true},
		{"account B", model.FindingFilter{AccountID: []model.StringFilter{eq(string(e.b.ID))}}, true},
		{"finding id", model.FindingFilter{FindingID: []model.StringFilter{eq(string(fx.findings[5].ID))}}, true},
		{"type", model.FindingFilter{Type: []model.StringFilter{eq("NETWORK_REACHABILITY")}}, false},
		{"many criteria", model.FindingFilter{
			Status:   []model.StringFilter{ne("CLOSED")},
			Severity: []model.StringFilter{eq("CRITICAL"), eq("HIGH"), eq("MEDIUM")},
			CVSS:     []model.NumberFilter{rng(fptr(1), nil)},
			ResourceTags: []model.MapFilter{{Comparison: model.CompareEquals, Key: "Env", Value: "Prod"},
				{Comparison: model.CompareEquals, Key: "Team", Value: "data"}},
		}, true},
	}
}

// testFindingsFilters checks every filter case against the in-memory
// matcher (model.FindingFilter.Matches), in two scopes, paging through
// the results.
func testFindingsFilters(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 90)
	scopes := []struct {
		name string
		sc   store.Scope
	}{{"system", store.SystemScope()}, {"A", store.AccountScope(e.a.ID)}, {"C", store.AccountScope(e.c.ID)}}
	for _, tc := range filterCases(fx, e) {
		for _, s := range scopes {
			t.Run(tc.name+"/"+s.name, func(t *testing.T) {
				var want []string
				for i := range fx.findings {
					if s.sc.Allows(fx.findings[i].AccountID) && tc.f.Matches(&fx.findings[i]) {
						want = append(want, string(fx.findings[i].ID))
					}
				}
				slices.Sort(want)
				if tc.wantSome && s.name == "system" && len(want) == 0 {
					t.Fatal("the fixture answers this filter with nothing: the case tests nothing")
				}
				e.view(t, func(tx store.Tx) error {
					got, err := listAll(ctx, tx.Findings(s.sc), tc.f, store.FindingSort{Field: store.SortLastObservedAt, Order: store.Asc}, 7)
					if err != nil {
						return err
					}
					ids := findingIDs(got)
					slices.Sort(ids)
					if diff := gocmp.Diff(want, ids, cmpopts.EquateEmpty()); diff != "" {
						t.Errorf("List (-want +got):\n%s", diff)
					}
					n, err := tx.Findings(s.sc).Count(ctx, tc.f)
					if err != nil {
						return err
					}
					if n != len(want) {
						t.Errorf("Count = %d, want %d", n, len(want))
					}
					return nil
				})
			})
		}
	}
	// Malformed filters are typed errors.
	e.view(t, func(tx store.Tx) error {
		for _, bad := range []model.FindingFilter{
			{Severity: []model.StringFilter{{Comparison: "LIKE", Value: "x"}}},
			{Severity: []model.StringFilter{{Comparison: model.CompareEquals}}},
			{Score: []model.NumberFilter{{Min: fptr(5), Max: fptr(1)}}},
			{ResourceTags: []model.MapFilter{{Comparison: model.ComparePrefix, Key: "Env", Value: "P"}}},
			{Severity: slices.Repeat([]model.StringFilter{{Comparison: model.CompareEquals, Value: "LOW"}}, 11)},
		} {
			_, _, err := tx.Findings(store.SystemScope()).List(ctx, bad, store.FindingSort{}, "", 10)
			var fe *model.FilterError
			if !errors.As(err, &fe) {
				t.Errorf("List(%+v) = %v, want *model.FilterError", bad, err)
			}
		}
		return nil
	})
}

// sortValue is a finding's value of a sort field, as the store orders it.
func sortValue(f *model.Finding, field store.SortField) float64 {
	switch field {
	case store.SortScore:
		if f.Score == nil {
			return -1
		}
		return *f.Score
	case store.SortEPSS:
		if f.EPSS == nil {
			return -1
		}
		return f.EPSS.Score
	case store.SortFirstObservedAt:
		return float64(f.FirstObservedAt.UnixMicro())
	case store.SortLastObservedAt:
		return float64(f.LastObservedAt.UnixMicro())
	}
	return float64(f.Severity.Rank())
}

func sortFindings(fs []model.Finding, s store.FindingSort) {
	slices.SortFunc(fs, func(a, b model.Finding) int {
		c := cmp.Compare(sortValue(&a, s.Field), sortValue(&b, s.Field))
		if c == 0 {
			c = strings.Compare(string(a.ID), string(b.ID))
		}
		if s.Order == store.Desc {
			return -c
		}
		return c
	})
}

// testFindingsSortPaging checks every sort field and order, page by page,
// and that a cursor survives writes between pages.
func testFindingsSortPaging(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 60)
	sys := store.SystemScope()
	for _, field := range []store.SortField{store.SortSeverity, store.SortScore, store.SortEPSS, store.SortFirstObservedAt, store.SortLastObservedAt} {
		for _, order := range []store.SortOrder{store.Asc, store.Desc} {
			s := store.FindingSort{Field: field, Order: order}
			want := slices.Clone(fx.findings)
			sortFindings(want, s)
			e.view(t, func(tx store.Tx) error {
				got, err := listAll(ctx, tx.Findings(sys), model.FindingFilter{}, s, 7)
				if err != nil {
					return err
				}
				if diff := gocmp.Diff(findingIDs(want), findingIDs(got)); diff != "" {
					t.Errorf("%s %s (-want +got):\n%s", field, order, diff)
				}
				return nil
			})
		}
	}
	// The zero sort is severity, most severe first.
	e.view(t, func(tx store.Tx) error {
		got, _, err := tx.Findings(sys).List(ctx, model.FindingFilter{}, store.FindingSort{}, "", 3)
		if err != nil {
			return err
		}
		if len(got) != 3 || got[0].Severity != model.SeverityCritical {
			t.Errorf("default sort starts with %v", findingIDs(got))
		}
		return nil
	})
	// Cursor stability: between pages, new findings arrive on both sides
	// of the cursor and some findings after it change an unsorted field;
	// every original finding is still listed exactly once.
	s := store.FindingSort{Field: store.SortScore, Order: store.Desc}
	var seen []string
	var cur string
	e.view(t, func(tx store.Tx) error {
		page, next, err := tx.Findings(sys).List(ctx, model.FindingFilter{}, s, "", 20)
		seen, cur = findingIDs(page), next
		return err
	})
	e.tx(t, func(tx store.Tx) error {
		var extra []model.Finding
		for i := 1000; i < 1010; i++ {
			f := synthFinding(i, fx.res[i%len(fx.res)], fx.base)
			f.Score = fptr(float64(i%2) * 10) // 0 or 10: after and before the cursor
			extra = append(extra, f)
		}
		changed := fx.findings[len(fx.findings)-1]
		changed.Title = "renamed"
		return tx.Findings(sys).Put(ctx, append(extra, changed)...)
	})
	e.view(t, func(tx store.Tx) error {
		for cur != "" {
			page, next, err := tx.Findings(sys).List(ctx, model.FindingFilter{}, s, cur, 20)
			if err != nil {
				return err
			}
			seen = append(seen, findingIDs(page)...)
			cur = next
		}
		count := map[string]int{}
		for _, id := range seen {
			count[id]++
		}
		for _, f := range fx.findings {
			if count[string(f.ID)] != 1 {
				t.Errorf("finding %s listed %d times across pages", f.ID, count[string(f.ID)])
			}
		}
		// Bad cursors are typed errors.
		_, next, err := tx.Findings(sys).List(ctx, model.FindingFilter{}, s, "", 5)
		if err != nil {
			return err
		}
		for _, bad := range []struct {
			cur  string
			sort store.FindingSort
		}{{"garbage!", s}, {next, store.FindingSort{Field: store.SortEPSS, Order: store.Desc}}, {next, store.FindingSort{Field: store.SortScore, Order: store.Asc}}} {
			_, _, err := tx.Findings(sys).List(ctx, model.FindingFilter{}, bad.sort, bad.cur, 5)
			var ce *store.CursorError
			if !errors.As(err, &ce) {
				t.Errorf("cursor %q with %v = %v, want *store.CursorError", bad.cur, bad.sort, err)
			}
		}
		return nil
	})
}

// aggregateKeyOf is the group key of a finding, "" when it has none.
func aggregateKeyOf(f *model.Finding, by model.AggregationType) string {
	p := f.FirstPackage()
	switch by {
	case model.AggregateAccount:
		return string(f.AccountID)
	case model.AggregateResource:
		return string(f.Resource.ID)
	case model.AggregatePackage:
		if p == nil || p.Name == "" {
			return ""
		}
		return string(p.Ecosystem) + "/" + p.Name
	case model.AggregateVulnerability:
		return f.CheckID
	case model.AggregateSeverity:
		return string(f.Severity)
	case model.AggregateImageRepository:
		return f.Resource.ImageRepository
	case model.AggregateImageLayer:
		if p == nil {
			return ""
		}
		return p.Layer
	case model.AggregateFindingType:
		return string(f.Type)
	}
	return ""
}

func testFindingsAggregate(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 80)
	active := model.FindingFilter{Status: []model.StringFilter{{Comparison: model.CompareEquals, Value: "ACTIVE"}}}
	for _, sc := range []store.Scope{store.SystemScope(), store.AccountScope(e.b.ID)} {
		for _, by := range model.AggregationTypes {
			groups := map[string]*model.FindingAggregate{}
			for i := range fx.findings {
				f := &fx.findings[i]
				k := aggregateKeyOf(f, by)
				if k == "" || !sc.Allows(f.AccountID) || !active.Matches(f) {
					continue
				}
				if groups[k] == nil {
					groups[k] = &model.FindingAggregate{Key: k}
				}
				groups[k].Counts.Add(f.Severity, 1)
			}
			var want []model.FindingAggregate
			for _, g := range groups {
				want = append(want, *g)
			}
			slices.SortFunc(want, func(a, b model.FindingAggregate) int {
				return cmp.Or(cmp.Compare(b.Counts.Critical, a.Counts.Critical), cmp.Compare(b.Counts.High, a.Counts.High),
					cmp.Compare(b.Counts.Total, a.Counts.Total), strings.Compare(a.Key, b.Key))
			})
			if by != model.AggregateImageRepository && by != model.AggregateImageLayer && len(want) == 0 && sc.All() {
				t.Fatalf("%s: the fixture has no groups", by)
			}
			e.view(t, func(tx store.Tx) error {
				got, err := tx.Findings(sc).Aggregate(ctx, by, active, 0)
				if err != nil {
					return err
				}
				if diff := gocmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
					t.Errorf("Aggregate %s (-want +got):\n%s", by, diff)
				}
				if len(want) > 2 {
					top, err := tx.Findings(sc).Aggregate(ctx, by, active, 2)
					if err != nil {
						return err
					}
					if diff := gocmp.Diff(want[:2], top); diff != "" {
						t.Errorf("Aggregate %s limit 2 (-want +got):\n%s", by, diff)
					}
				}
				return nil
			})
		}
	}
	e.view(t, func(tx store.Tx) error {
		_, err := tx.Findings(store.SystemScope()).Aggregate(ctx, "COLOUR", model.FindingFilter{}, 0)
		var inv *store.InvalidError
		if !errors.As(err, &inv) {
			t.Errorf("Aggregate COLOUR = %v, want *store.InvalidError", err)
		}
		return nil
	})
}

func testFindingsPurge(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	fx := fillFindings(t, e, 40)
	cut := fx.base.Add(150 * time.Minute)
	var want []string // survivors
	for _, f := range fx.findings {
		if !(f.Status == model.StatusClosed && f.ClosedAt.Before(cut)) {
			want = append(want, string(f.ID))
		}
	}
	slices.Sort(want)
	e.tx(t, func(tx store.Tx) error {
		// Account B's scope purges only B's.
		nb, err := tx.Findings(store.AccountScope(e.b.ID)).Purge(ctx, cut)
		if err != nil {
			return err
		}
		n, err := tx.Findings(store.SystemScope()).Purge(ctx, cut)
		if err != nil {
			return err
		}
		if got := nb + n; got != len(fx.findings)-len(want) || n == 0 {
			t.Errorf("purged %d+%d, want %d in all", nb, n, len(fx.findings)-len(want))
		}
		left, err := listAll(ctx, tx.Findings(store.SystemScope()), model.FindingFilter{}, store.FindingSort{}, 1000)
		if err != nil {
			return err
		}
		ids := findingIDs(left)
		slices.Sort(ids)
		if diff := gocmp.Diff(want, ids); diff != "" {
			t.Errorf("after purge (-want +got):\n%s", diff)
		}
		return nil
	})
}

func testSuppressionRules(t *testing.T, nb NewBackend) {
	ctx := context.Background()
	e := setup(t, nb)
	sa, sb := store.AccountScope(e.a.ID), store.AccountScope(e.b.ID)
	filter := model.FindingFilter{PackageName: []model.StringFilter{{Comparison: model.CompareEquals, Value: "lodash"}}}
	var r1, r2 model.SuppressionRule
	e.tx(t, func(tx store.Tx) error {
		var err error
		r1, err = tx.SuppressionRules(sa).Create(ctx, model.SuppressionRule{AccountID: e.a.ID, Name: "lodash in test images",
			Action: model.ActionSuppress, Reason: "not shipped", Owner: "alice@example.com", Filter: filter,
			ExpiresAt: e.clock.Now().Add(time.Hour)})
		if err != nil {
			return err
		}
		want := model.SuppressionRule{ID: r1.ID, AccountID: e.a.ID, Name: "lodash in test images", Action: model.ActionSuppress,
			Reason: "not shipped", Owner: "alice@example.com", Filter: filter, ExpiresAt: e.clock.Now().Add(time.Hour),
			State: model.RuleActive, CreatedAt: e.clock.Now(), UpdatedAt: e.clock.Now()}
		if diff := gocmp.Diff(want, r1); diff != "" {
			t.Errorf("Create (-want +got):\n%s", diff)
		}
		got, err := tx.SuppressionRules(sa).Get(ctx, r1.ID)
		if err != nil {
			return err
		}
		if diff := gocmp.Diff(want, got); diff != "" {
			t.Errorf("Get (-want +got):\n%s", diff)
		}
		r2, err = tx.SuppressionRules(sb).Create(ctx, model.SuppressionRule{AccountID: e.b.ID, Name: "lodash in test images",
			Action: model.ActionNone, Filter: filter})
		if err != nil {
			return fmt.Errorf("same name in another account: %w", err)
		}
		_, err = tx.SuppressionRules(sa).Create(ctx, model.SuppressionRule{AccountID: e.a.ID, Name: "lodash in test images", Action: model.ActionSuppress, Filter: filter})
		var ce *store.ConflictError
		if !errors.As(err, &ce) {
			t.Errorf("duplicate name = %v, want *store.ConflictError", err)
		}
		_, err = tx.SuppressionRules(sb).Create(ctx, model.SuppressionRule{AccountID: e.a.ID, Name: "x", Action: model.ActionSuppress, Filter: filter})
		wantScope(t, "Create in another account", err)
		var inv *store.InvalidError
		for _, bad := range []model.SuppressionRule{
			{AccountID: e.a.ID, Name: "", Action: model.ActionSuppress, Filter: filter},
			{AccountID: e.a.ID, Name: "y", Action: "DELETE", Filter: filter},
			{AccountID: e.a.ID, Name: "z", Action: model.ActionSuppress},
		} {
			if _, err := tx.SuppressionRules(sa).Create(ctx, bad); !errors.As(err, &inv) {
				t.Errorf("Create(%+v) = %v, want *store.InvalidError", bad, err)
			}
		}
		_, err = tx.SuppressionRules(sa).Create(ctx, model.SuppressionRule{AccountID: e.a.ID, Name: "w", Action: model.ActionSuppress,
			Filter: model.FindingFilter{Severity: []model.StringFilter{{Comparison: "LIKE", Value: "x"}}}})
		var fe *model.FilterError
		if !errors.As(err, &fe) {
			t.Errorf("bad filter = %v, want *model.FilterError", err)
		}
		return nil
	})
	// Isolation.
	e.view(t, func(tx store.Tx) error {
		_, err := tx.SuppressionRules(sb).Get(ctx, r1.ID)
		wantNotFound(t, "Get another account's rule", err)
		ls, err := tx.SuppressionRules(store.AccountScope(e.c.ID)).List(ctx, "", 0)
		if err != nil || len(ls) != 0 {
			t.Errorf("C lists %d rules, %v", len(ls), err)
		}
		return nil
	})
	e.tx(t, func(tx store.Tx) error {
		wantNotFound(t, "Delete another account's rule", tx.SuppressionRules(sb).Delete(ctx, r1.ID))
		return nil
	})
	// Expiry: listed as EXPIRED once its time has passed.
	e.clock.Advance(2 * time.Hour)
	e.view(t, func(tx store.Tx) error {
		ls, err := tx.SuppressionRules(store.SystemScope()).List(ctx, "", 0)
		if err != nil {
			return err
		}
		states := map[model.SuppressionRuleID]model.RuleState{}
		for _, r := range ls {
			states[r.ID] = r.State
		}
		want := map[model.SuppressionRuleID]model.RuleState{r1.ID: model.RuleExpired, r2.ID: model.RuleActive}
		if diff := gocmp.Diff(want, states); diff != "" {
			t.Errorf("states (-want +got):\n%s", diff)
		}
		return nil
	})
	// Update extends it; Delete removes it.
	e.tx(t, func(tx store.Tx) error {
		r1.ExpiresAt = time.Time{}
		r1.Reason = "still not shipped"
		up, err := tx.SuppressionRules(sa).Update(ctx, r1)
		if err != nil {
			return err
		}
		if up.State != model.RuleActive || up.Reason != "still not shipped" || !up.UpdatedAt.Equal(e.clock.Now()) {
			t.Errorf("Update = %+v", up)
		}
		if _, err := tx.SuppressionRules(sb).Update(ctx, r1); err == nil {
			t.Error("Update through another account's scope succeeded")
		}
		if err := tx.SuppressionRules(sa).Delete(ctx, r1.ID); err != nil {
			return err
		}
		_, err = tx.SuppressionRules(sa).Get(ctx, r1.ID)
		wantNotFound(t, "Get after Delete", err)
		return nil
	})
}

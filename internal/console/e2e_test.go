package console_test

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
)

// TestConsoleEndToEnd drives the console in headless Chromium against a real
// server seeded with real advisories and a real lockfile: sign in, check the
// dashboard's counts against the API, filter to CRITICAL, open a finding,
// suppress the filter's findings, see them SUPPRESSED, visit every page
// (screenshots of each) and sign out.
func TestConsoleEndToEnd(t *testing.T) {
	ctx := browser(t)
	s := startSite(t)
	p := &page{t: t, ctx: ctx, base: s.base, dir: artifacts(t)}

	p.run("login page", chromedp.Navigate(s.base+"/"), chromedp.WaitVisible(`#token`, chromedp.ByQuery))
	p.shot("01-login")
	p.login(admin)

	// The dashboard's counts are the API's.
	var agg api.AggregationList
	s.a.do("GET", "/v1/findings/aggregations?by=SEVERITY&findingStatus=ACTIVE", nil, &agg)
	want := map[string]int{}
	for _, g := range agg.Groups {
		want[strings.ToLower(g.Key)] = g.Counts.Total
		want["total"] += g.Counts.Total
	}
	if want["critical"] == 0 {
		t.Fatalf("the seeded data has no CRITICAL finding: %+v", agg.Groups)
	}
	for _, k := range []string{"critical", "high", "medium", "low", "none", "untriaged", "total"} {
		got := p.text(fmt.Sprintf(`[data-count=%q]`, k))
		if got != strconv.Itoa(want[k]) {
			t.Errorf("dashboard %s = %s, API says %d", k, got, want[k])
		}
	}
	p.shot("02-dashboard")

	// Filter to CRITICAL (any status) with the form.
	p.open("#/findings?findingStatus=ACTIVE")
	p.run("filter to CRITICAL",
		chromedp.Click(`#sev-CRITICAL`, chromedp.ByQuery),
		chromedp.SetValue(`#f-findingStatus`, "", chromedp.ByQuery),
		chromedp.Click(`#apply`, chromedp.ByQuery),
		chromedp.WaitVisible(`#main[data-ready="/findings"] #findings-table`, chromedp.ByQuery))
	var loc string
	p.run("location", chromedp.Location(&loc))
	u, _ := url.Parse(loc)
	if q, _ := url.ParseQuery(strings.TrimPrefix(u.Fragment, "/findings?")); q.Get("severity") != "CRITICAL" || q.Has("findingStatus") {
		t.Errorf("the filter is not in the URL: %s", loc)
	}
	var list api.FindingList
	s.a.do("GET", "/v1/findings?severity=CRITICAL&limit=1000", nil, &list)
	var sevs []string
	p.run("rows", chromedp.Evaluate(`[...document.querySelectorAll('#findings-table tbody tr')].map(r => r.dataset.severity)`, &sevs))
	if len(sevs) != len(list.Findings) {
		t.Errorf("%d rows, the API lists %d CRITICAL findings", len(sevs), len(list.Findings))
	}
	for _, v := range sevs {
		if v != "CRITICAL" {
			t.Errorf("row of severity %s in the CRITICAL view", v)
		}
	}
	p.shot("03-findings-critical")
	filtered := loc

	// Open the first finding.
	first := list.Findings[0]
	p.run("open a finding",
		chromedp.Click(`#findings-table tbody tr:first-child .finding-link`, chromedp.ByQuery),
		chromedp.WaitVisible(`#main[data-ready^="/findings/"] #finding-title`, chromedp.ByQuery))
	detail := p.text("#main")
	for _, w := range []string{"why it matched", "packages", "history", "first observed", "installed", "fixed in", "score adjustments"} {
		if !strings.Contains(strings.ToLower(detail), w) {
			t.Errorf("the finding page lacks %q", w)
		}
	}
	var opened string
	p.run("location", chromedp.Location(&opened))
	id := opened[strings.LastIndex(opened, "/")+1:]
	var f model.Finding
	s.a.do("GET", "/v1/findings/"+id, nil, &f)
	if !strings.Contains(detail, f.CheckID) || !strings.Contains(detail, f.Package.VulnerablePackages[0].Version) {
		t.Errorf("the finding page does not show %s %s", f.CheckID, f.Package.VulnerablePackages[0].Version)
	}
	_ = first
	p.shot("04-finding")

	// Suppress what the filter selects.
	expiry := time.Now().AddDate(0, 3, 0).Format("2006-01-02")
	p.run("suppress",
		chromedp.Navigate(filtered),
		chromedp.WaitVisible(`#main[data-ready="/findings"] #findings-table`, chromedp.ByQuery),
		chromedp.Click(`#suppress`, chromedp.ByQuery),
		chromedp.WaitVisible(`#suppress-dialog`, chromedp.ByQuery),
		chromedp.SendKeys(`#rule-name`, "accept critical npm", chromedp.ByQuery),
		chromedp.SendKeys(`#rule-reason`, "compensating control: not reachable", chromedp.ByQuery),
		chromedp.SetValue(`#rule-expiry`, expiry, chromedp.ByQuery))
	p.shot("05-suppress-dialog")
	var outcome string
	p.run("create the rule",
		chromedp.Click(`#rule-create`, chromedp.ByQuery),
		chromedp.Poll(`(document.querySelector('#main[data-ready="/findings"] #notice')?.textContent || document.querySelector('#suppress-dialog .error')?.textContent || '')`, &outcome),
		chromedp.WaitVisible(`#main[data-ready="/findings"] #findings-table`, chromedp.ByQuery))
	if !strings.Contains(outcome, "accept critical npm") {
		t.Fatalf("creating the rule: %s", outcome)
	}
	var statuses []string
	p.run("statuses", chromedp.Evaluate(`[...document.querySelectorAll('#findings-table tbody tr [data-status]')].map(e => e.dataset.status)`, &statuses))
	if len(statuses) != len(list.Findings) {
		t.Errorf("%d rows after suppressing, want %d", len(statuses), len(list.Findings))
	}
	for _, st := range statuses {
		if st != "SUPPRESSED" {
			t.Errorf("status %s after the rule, want SUPPRESSED", st)
		}
	}
	s.a.do("GET", "/v1/findings/"+id, nil, &f)
	if f.Status != model.StatusSuppressed || f.Suppression == nil {
		t.Errorf("API: finding %s is %s", id, f.Status)
	}
	if !strings.Contains(p.text("#notice"), "accept critical npm") {
		t.Errorf("no notice of the new rule")
	}
	p.shot("06-findings-suppressed")

	// Every other page renders.
	for _, pg := range []struct{ hash, shot, want string }{
		{"#/resources", "07-resources", "alpha-web-7f3"},
		{"#/resources/" + string(s.aRes[1]), "08-image", "Layers"},
		{"#/resources/" + string(s.aRes[0]), "09-host", "Download SBOM"},
		{"#/suppression-rules", "10-rules", "accept critical npm"},
		{"#/accounts", "11-accounts", "member-b"},
		{"#/usage", "12-usage", "Resources scanned"},
		{"#/automation", "12b-rules-targets", "Event rules"},
	} {
		p.open(pg.hash)
		if txt := p.text("#main"); !strings.Contains(txt, pg.want) || strings.Contains(txt, "Error:") {
			t.Errorf("%s: want %q in\n%.600s", pg.hash, pg.want, txt)
		}
		p.shot(pg.shot)
	}

	// Phone layout.
	p.run("phone", chromedp.Emulate(device.IPhone12))
	p.open("#/")
	p.shot("13-phone-dashboard")
	p.open("#/findings?severity=CRITICAL")
	p.shot("14-phone-findings")
	p.run("desktop", chromedp.Emulate(device.Reset), chromedp.EmulateViewport(1366, 900))

	// Dark mode follows the system's preference.
	var light, dark string
	bg := `getComputedStyle(document.body).backgroundColor`
	p.open("#/")
	p.run("light background", chromedp.Evaluate(bg, &light))
	p.run("dark mode", emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "dark"}}))
	p.open("#/findings/" + id)
	p.run("dark background", chromedp.Evaluate(bg, &dark))
	if light == dark {
		t.Errorf("the background is %s in both light and dark mode", light)
	}
	p.shot("15-dark-finding")
	p.open("#/")
	p.shot("16-dark-dashboard")
	p.run("light mode", emulation.SetEmulatedMedia().WithFeatures([]*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: "light"}}))

	// Sign out: the token is gone and the login page is back.
	var stored any
	p.run("sign out",
		chromedp.Click(`#signout`, chromedp.ByQuery),
		chromedp.WaitVisible(`#token`, chromedp.ByQuery),
		chromedp.Evaluate(`sessionStorage.getItem('vigil.token')`, &stored))
	if stored != nil {
		t.Errorf("token still stored after sign-out: %v", stored)
	}
	p.run("signed-out visit", chromedp.Navigate(s.base+"/#/findings"), chromedp.WaitVisible(`#token`, chromedp.ByQuery))
	if strings.Contains(p.text("#main"), "alpha-web-7f3") {
		t.Errorf("a signed-out visit shows data")
	}
}

// TestConsoleMemberIsolation signs in with member account B's admin token
// and visits every page (and links to A's objects): nothing of account A
// ever appears.
func TestConsoleMemberIsolation(t *testing.T) {
	ctx := browser(t)
	s := startSite(t)
	p := &page{t: t, ctx: ctx, base: s.base, dir: artifacts(t)}
	var fl api.FindingList
	s.a.do("GET", "/v1/findings?resourceId="+string(s.aRes[0])+"&limit=5", nil, &fl)
	if len(fl.Findings) == 0 {
		t.Fatal("account A has no findings")
	}
	secrets := []string{"alpha-web-7f3", "node-app", "payments", string(fl.Findings[0].ID)}
	for _, id := range s.aRes {
		secrets = append(secrets, string(id))
	}
	p.login(s.b.token)
	hashes := []string{"#/", "#/findings", "#/findings?findingStatus=ACTIVE", "#/findings?severity=CRITICAL",
		"#/resources", "#/resources?type=IMAGE", "#/resources/" + string(s.bRes), "#/suppression-rules", "#/accounts", "#/usage", "#/automation",
		"#/findings/" + string(fl.Findings[0].ID), "#/resources/" + string(s.aRes[0])}
	for i, h := range hashes {
		p.open(h)
		html := p.html()
		for _, sec := range secrets {
			// An id typed into the URL may be echoed ("… not found");
			// nothing else of A may show.
			if !strings.Contains(h, sec) && strings.Contains(html, sec) {
				t.Errorf("%s shows %q of account A", h, sec)
			}
		}
		if strings.Contains(h, string(s.aRes[0])) || strings.Contains(h, string(fl.Findings[0].ID)) {
			if txt := p.text("#main"); !strings.Contains(txt, "Error:") || strings.Contains(txt, "alpha-web-7f3") {
				t.Errorf("%s as B: %.300s", h, txt)
			}
		}
		p.shot(fmt.Sprintf("member-%02d", i))
	}
	p.open("#/resources")
	if !strings.Contains(p.text("#main"), "bravo-db-2c9") {
		t.Errorf("B does not see its own host")
	}
}

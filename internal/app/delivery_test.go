package app_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/app"
	"github.com/vigilsec/vigil/internal/delivery"
	"github.com/vigilsec/vigil/internal/event"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
)

// received is a request a test webhook got, and when.
type received struct {
	at     time.Time
	header http.Header
	body   []byte
	env    event.Envelope
}

// receiver is a webhook on 127.0.0.1 that records every request and
// answers with status(n) (204 when it returns 0).
type receiver struct {
	mu     sync.Mutex
	reqs   []received
	srv    *httptest.Server
	status func(n int) int
}

func newReceiver(t *testing.T, status func(n int) int) *receiver {
	rc := &receiver{status: status}
	rc.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rq := received{at: time.Now(), header: r.Header.Clone(), body: body}
		_ = json.Unmarshal(body, &rq.env)
		rc.mu.Lock()
		rc.reqs = append(rc.reqs, rq)
		n := len(rc.reqs)
		rc.mu.Unlock()
		if rc.status != nil {
			if st := rc.status(n); st != 0 {
				w.WriteHeader(st)
				return
			}
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(rc.srv.Close)
	return rc
}

func (rc *receiver) requests() []received {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]received(nil), rc.reqs...)
}

// hostInventory is a pushed inventory of npm packages ("name@version").
func hostInventory(pkgs ...string) *model.Inventory {
	inv := &model.Inventory{}
	for _, p := range pkgs {
		name, version, _ := strings.Cut(p, "@")
		inv.Packages = append(inv.Packages, model.Package{Ecosystem: model.EcosystemNPM, Name: name, Version: version,
			PURL: "pkg:npm/" + name + "@" + version, Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"})
	}
	return inv
}

// scrape reads /metrics with the client's token: sample → value.
func scrape(t *testing.T, c *client) map[string]float64 {
	t.Helper()
	req, _ := http.NewRequest("GET", c.base+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+c.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /metrics: %s", resp.Status)
	}
	out := map[string]float64{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if v, err := strconv.ParseFloat(line[i+1:], 64); err == nil {
			out[line[:i]] = v
		}
	}
	return out
}

// critProdRule is the acceptance rule: CRITICAL findings created on
// resources tagged Env=Prod.
const critProdRule = `{"source":["vigil"],"detail-type":["Finding Created"],"detail":{"severity":["CRITICAL"],"resources":{"tags":{"Env":["Prod"]}}}}`

// createWebhook creates a webhook target and a rule sending pattern's
// events to it; it returns the target.
func createWebhook(t *testing.T, c *client, url, secret, pattern string) api.TargetView {
	t.Helper()
	var tg api.CreatedTarget
	if st := c.do("POST", "/v1/targets", api.TargetRequest{Name: "siem", Kind: "webhook", Secret: secret,
		Config: json.RawMessage(`{"url":"` + url + `","maxAttempts":50,"backoffMin":"50ms","backoffMax":"500ms"}`)}, &tg); st != http.StatusCreated {
		t.Fatalf("create target: %d", st)
	}
	if st := c.do("POST", "/v1/rules", api.EventRuleRequest{Name: "crit-prod", Pattern: json.RawMessage(pattern),
		Targets: []store.TargetID{tg.Target.ID}}, nil); st != http.StatusCreated {
		t.Fatalf("create rule: %d", st)
	}
	return tg.Target
}

// TestDeliveryEndToEnd is issue 7's first acceptance line on each store:
// the server scans a pushed host (real advisories) and the rule's webhook
// on 127.0.0.1 gets the CRITICAL finding on the Prod host, signed, within
// 1 s of the commit that created it; the HIGH finding, the Dev host's
// CRITICAL one and the closing events are not delivered. /metrics is
// scraped as findings are created and closed.
func TestDeliveryEndToEnd(t *testing.T) {
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			dbURL := be.url(t)
			dir := t.TempDir()
			advDir := importNPM(t)
			a := startApp(t, app.Config{
				Listen: "127.0.0.1:0", DataDir: filepath.Join(dir, "data"), DB: dbURL, AdvisoryDir: advDir,
				Workers: 2, Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second,
				BootstrapToken: "delivery-admin-token", Logger: quiet,
			})
			c := &client{t: t, base: "http://" + a.Addr(), token: "delivery-admin-token"}
			hook := newReceiver(t, nil)
			tg := createWebhook(t, c, hook.srv.URL, "whsec-e2e", critProdRule)
			const active, closed = `vigil_findings{severity="CRITICAL",status="ACTIVE"}`, `vigil_findings{severity="CRITICAL",status="CLOSED"}`
			before := scrape(t, c)

			push := func(name, env string, pkgs ...string) model.ResourceID {
				t.Helper()
				var reg api.Registered
				if st := c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: name, Tags: map[string]string{"Env": env},
					Inventory: hostInventory(pkgs...)}, &reg); st >= 300 {
					t.Fatalf("push %s: %d", name, st)
				}
				return reg.Resource.ID
			}
			dev := push("web-dev", "Dev", "minimist@1.2.0")
			waitSuccessful(t, c, dev)
			prod := push("web-prod", "Prod", "minimist@1.2.0", "lodash@4.17.15")
			eventually(t, 20*time.Second, "the webhook delivery", func() bool { return len(hook.requests()) > 0 })
			waitSuccessful(t, c, prod)

			// The outbox says when the finding was committed.
			var evs api.EventList
			c.do("GET", "/v1/events?since=0&limit=1000", nil, &evs)
			var crit []api.EventView
			highProd, critDev := 0, 0
			for _, e := range evs.Events {
				if e.Type != "finding.created" {
					continue
				}
				var d event.Finding
				if err := json.Unmarshal(e.Payload, &d); err != nil {
					t.Fatal(err)
				}
				switch {
				case d.Severity == "CRITICAL" && d.Resources[0].ID == string(prod):
					crit = append(crit, e)
				case d.Severity == "CRITICAL" && d.Resources[0].ID == string(dev):
					critDev++
				case d.Resources[0].ID == string(prod):
					highProd++
				}
			}
			if len(crit) == 0 || critDev == 0 || highProd == 0 {
				t.Fatalf("findings: %d CRITICAL on prod, %d CRITICAL on dev, %d others on prod", len(crit), critDev, highProd)
			}
			time.Sleep(700 * time.Millisecond) // anything else would have arrived by now
			reqs := hook.requests()
			if len(reqs) != len(crit) {
				t.Fatalf("the webhook got %d requests, want %d (the CRITICAL findings on prod only)", len(reqs), len(crit))
			}
			for i, r := range reqs {
				e := crit[i]
				if err := delivery.Verify("whsec-e2e", r.header.Get(delivery.HeaderTimestamp), r.header.Get(delivery.HeaderSignature), r.body, time.Now(), 5*time.Minute); err != nil {
					t.Errorf("request %d: %v", i, err)
				}
				if got, want := r.header.Get(delivery.HeaderIdempotencyKey), delivery.EventID(e.AccountID, e.Seq); got != want || r.env.ID != want {
					t.Errorf("request %d: key %s, envelope id %s, want %s", i, got, r.env.ID, want)
				}
				lag := r.at.Sub(e.CreatedAt)
				t.Logf("seq %d delivered %s after its commit", e.Seq, lag)
				if lag > time.Second {
					t.Errorf("seq %d delivered %s after the scan committed it (want ≤ 1 s)", e.Seq, lag)
				}
			}

			// The scrape follows: created, then closed when the package goes.
			mid := scrape(t, c)
			feedAge := -1.0
			for k, v := range mid {
				if strings.HasPrefix(k, "vigil_advisory_feed_age_seconds{") {
					feedAge = v
				}
			}
			if feedAge < 0 || mid[`vigil_store_up`] != 1 || mid[`vigil_resources{coverage_reason="SUCCESSFUL",coverage_status="ACTIVE"}`] != 2 {
				t.Errorf("feed age %v, store up %v, covered resources %v", feedAge, mid[`vigil_store_up`],
					mid[`vigil_resources{coverage_reason="SUCCESSFUL",coverage_status="ACTIVE"}`])
			}
			for _, tc := range []struct {
				token string
				want  int
			}{{"", http.StatusUnauthorized}, {"not-a-token", http.StatusUnauthorized}, {readOnlyToken(t, c), http.StatusForbidden}} {
				req, _ := http.NewRequest("GET", c.base+"/metrics", nil)
				if tc.token != "" {
					req.Header.Set("Authorization", "Bearer "+tc.token)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.want {
					t.Errorf("/metrics with %q: %d, want %d", tc.token, resp.StatusCode, tc.want)
				}
			}
			if mid[active]-before[active] != 2 {
				t.Errorf("%s: %v → %v, want +2", active, before[active], mid[active])
			}
			key := `vigil_deliveries_total{kind="webhook",outcome="delivered",target="` + string(tg.ID) + `"}`
			if mid[key] != float64(len(crit)) {
				t.Errorf("%s = %v, want %d", key, mid[key], len(crit))
			}
			if mid[`vigil_scan_duration_seconds_count{kind="scan",outcome="ok"}`] < 2 {
				t.Errorf("scan durations: %v", mid[`vigil_scan_duration_seconds_count{kind="scan",outcome="ok"}`])
			}
			push("web-prod", "Prod", "lodash@4.17.15")
			eventually(t, 20*time.Second, "the CRITICAL finding to close", func() bool {
				m := scrape(t, c)
				return m[closed]-mid[closed] == float64(len(crit)) && mid[active]-m[active] == float64(len(crit))
			})
			time.Sleep(700 * time.Millisecond)
			if n := len(hook.requests()); n != len(crit) {
				t.Errorf("%d requests after the close, want %d (the rule takes created only)", n, len(crit))
			}
		})
	}
}

// TestDeliveryKillServer kills the real server (SIGKILL) while its relay
// waits on a webhook request, restarts it, and checks that every created
// finding reached the webhook, first deliveries in sequence order, and
// that an event sent twice carried the same idempotency key both times.
func TestDeliveryKillServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin, err := buildVigil()
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range backends {
		t.Run(be.name, func(t *testing.T) {
			held, release := make(chan struct{}), make(chan struct{})
			var once sync.Once
			hook := newReceiver(t, func(n int) int {
				if n == 3 {
					once.Do(func() { close(held) })
					<-release // the server dies while this request is open
					return http.StatusServiceUnavailable
				}
				return 0
			})
			s := &server{t: t, bin: bin, dataDir: t.TempDir(), db: be.url(t), adv: importNPM(t), args: []string{"--update-interval", "0"}}
			s.start()
			createWebhook(t, s.c, hook.srv.URL, "whsec-crash", `{"detail-type":["Finding Created"]}`)
			var reg api.Registered
			if st := s.c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "web-1", Tags: map[string]string{"Env": "Prod"},
				Inventory: hostInventory("minimist@1.2.0", "lodash@4.17.15", "axios@0.21.0", "node-fetch@2.6.0", "jsonwebtoken@8.5.1")}, &reg); st >= 300 {
				t.Fatalf("push: %d", st)
			}
			select {
			case <-held:
			case <-time.After(60 * time.Second):
				t.Fatalf("no third delivery:\n%s", s.logs)
			}
			s.kill()
			close(release)
			s.start()
			defer s.stop()
			waitSuccessful(t, s.c, reg.Resource.ID)
			var evs api.EventList
			s.c.do("GET", "/v1/events?since=0&limit=1000", nil, &evs)
			want := map[int64]string{}
			for _, e := range evs.Events {
				if e.Type == "finding.created" {
					want[e.Seq] = delivery.EventID(e.AccountID, e.Seq)
				}
			}
			if len(want) < 5 {
				t.Fatalf("only %d findings created", len(want))
			}
			eventually(t, 30*time.Second, "every event delivered after the restart", func() bool {
				got := map[int64]bool{}
				for i, r := range hook.requests() {
					if i != 2 { // the held request was answered 503
						seq, _ := strconv.ParseInt(r.header.Get(delivery.HeaderSeq), 10, 64)
						got[seq] = true
					}
				}
				for seq := range want {
					if !got[seq] {
						return false
					}
				}
				return true
			})
			var first []int64
			seen := map[int64]int{}
			for _, r := range hook.requests() {
				seq, _ := strconv.ParseInt(r.header.Get(delivery.HeaderSeq), 10, 64)
				if k := r.header.Get(delivery.HeaderIdempotencyKey); k != want[seq] || r.env.ID != want[seq] {
					t.Errorf("seq %d: key %q, id %q, want %q", seq, k, r.env.ID, want[seq])
				}
				if seen[seq] == 0 {
					first = append(first, seq)
				}
				seen[seq]++
			}
			for i := 1; i < len(first); i++ {
				if first[i] <= first[i-1] {
					t.Errorf("first deliveries out of order: %v", first)
					break
				}
			}
			dups := 0
			for _, n := range seen {
				dups += n - 1
			}
			t.Logf("%d events, %d requests, %d sent again after the kill (same key)", len(want), len(hook.requests()), dups)
		})
	}
}

// TestForwardToHub: a site forwards its findings to a hub server, which
// records each envelope once, whole, and routes it by its origin's region
// to its own webhook.
func TestForwardToHub(t *testing.T) {
	advDir := importNPM(t)
	start := func(token, region string) (*app.App, *client) {
		a := startApp(t, app.Config{Listen: "127.0.0.1:0", DataDir: t.TempDir(), AdvisoryDir: advDir, Workers: 2,
			Poll: 50 * time.Millisecond, ShutdownGrace: 5 * time.Second, BootstrapToken: token, Logger: quiet,
			Delivery: app.DeliveryConfig{Region: region}})
		return a, &client{t: t, base: "http://" + a.Addr(), token: token}
	}
	_, hub := start("hub-admin-token", "hub")
	_, site := start("site-admin-token", "eu-site")
	hook := newReceiver(t, nil)
	createWebhook(t, hub, hook.srv.URL, "whsec-hub", `{"detail-type":["Finding Created"],"region":["eu-site"]}`)
	var fwd api.CreatedTarget
	if st := site.do("POST", "/v1/targets", api.TargetRequest{Name: "hub", Kind: "forward", Secret: "hub-admin-token",
		Config: json.RawMessage(`{"url":"` + hub.base + `"}`)}, &fwd); st != http.StatusCreated || fwd.Secret != "hub-admin-token" {
		t.Fatalf("create forward target: %d %+v", st, fwd)
	}
	if st := site.do("POST", "/v1/rules", api.EventRuleRequest{Name: "all-findings", Pattern: json.RawMessage(`{"source":["vigil"],"detail-type":[{"prefix":"Finding"}]}`),
		Targets: []store.TargetID{fwd.Target.ID}}, nil); st != http.StatusCreated {
		t.Fatalf("create rule: %d", st)
	}
	var reg api.Registered
	site.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: "web-eu", Tags: map[string]string{"Env": "Prod"},
		Inventory: hostInventory("minimist@1.2.0")}, &reg)
	eventually(t, 20*time.Second, "the forwarded finding at the hub's webhook", func() bool { return len(hook.requests()) > 0 })
	var siteEvents api.EventList
	site.do("GET", "/v1/events?since=0&limit=1000", nil, &siteEvents)
	var created []api.EventView
	for _, e := range siteEvents.Events {
		if e.Type == "finding.created" {
			created = append(created, e)
		}
	}
	eventually(t, 10*time.Second, "every finding forwarded", func() bool { return len(hook.requests()) == len(created) })
	for i, r := range hook.requests() {
		e := created[i]
		if r.env.Region != "eu-site" || r.env.Account != string(e.AccountID) || r.env.ID != delivery.EventID(e.AccountID, e.Seq) ||
			r.env.Resources[0] != string(reg.Resource.ID) {
			t.Errorf("forwarded %d: %+v", i, r.env)
		}
		if err := delivery.Verify("whsec-hub", r.header.Get(delivery.HeaderTimestamp), r.header.Get(delivery.HeaderSignature), r.body, time.Now(), time.Minute); err != nil {
			t.Errorf("hub signature: %v", err)
		}
	}
	var hubEvents api.EventList
	hub.do("GET", "/v1/events?since=0&limit=1000", nil, &hubEvents)
	n := 0
	for _, e := range hubEvents.Events {
		if e.Type == delivery.TypeForwarded {
			n++
		}
	}
	if n != len(created) {
		t.Errorf("the hub recorded %d forwarded events, want %d", n, len(created))
	}
}

// readOnlyToken creates a read-only token and returns its secret.
func readOnlyToken(t *testing.T, c *client) string {
	t.Helper()
	var ct api.CreatedToken
	if st := c.do("POST", "/v1/tokens", api.CreateTokenRequest{Name: "viewer", Role: model.RoleReadOnly}, &ct); st != http.StatusCreated {
		t.Fatalf("create token: %d", st)
	}
	return ct.Secret
}

package app_test

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-containerregistry/pkg/registry"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
	"github.com/vigilsec/vigil/internal/model"
	"github.com/vigilsec/vigil/internal/store"
	"github.com/vigilsec/vigil/internal/store/storeopen"
)

// buildVigil builds the real binary once per test binary run.
var buildVigil = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "vigil-crash-bin-")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "vigil")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/vigil").CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

// stall makes an HTTP handler hold the requests whose path matches until
// it is turned off; each held request signals held once.
type stall struct {
	mu    sync.Mutex
	match func(r *http.Request) bool
	held  chan struct{}
	open  chan struct{}
}

func newStall() *stall { return &stall{held: make(chan struct{}, 1), open: make(chan struct{})} }

// on holds the requests match selects from now on.
func (s *stall) on(match func(r *http.Request) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.match, s.open = match, make(chan struct{})
}

// off lets held and new requests through.
func (s *stall) off() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.match != nil {
		close(s.open)
	}
	s.match = nil
}

func (s *stall) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		match, open := s.match, s.open
		s.mu.Unlock()
		if match != nil && match(r) {
			select {
			case s.held <- struct{}{}:
			default:
			}
			select {
			case <-open:
			case <-r.Context().Done():
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// waitHeld waits until the stall holds a request.
func (s *stall) waitHeld(t *testing.T, what string) {
	t.Helper()
	select {
	case <-s.held:
	case <-time.After(60 * time.Second):
		t.Fatalf("%s: nothing was requested", what)
	}
}

// server is a `vigil server` process over a data directory or a
// PostgreSQL schema that outlives it.
type server struct {
	t                     *testing.T
	bin, dataDir, db, adv string
	args                  []string
	cmd                   *exec.Cmd
	done                  chan error
	logs                  *strings.Builder
	c                     *client
}

const crashToken = "crash-test-admin-token"

func (s *server) start() {
	s.t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		s.t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	args := append([]string{"--db-dir", s.adv, "--log-level", "info", "server", "--listen", addr, "--data-dir", s.dataDir, "--workers", "2"}, s.args...)
	if s.db != "" {
		args = append(args, "--db", s.db)
	}
	s.cmd = exec.Command(s.bin, args...)
	s.cmd.Env = append(os.Environ(), "VIGIL_BOOTSTRAP_TOKEN="+crashToken)
	s.logs = &strings.Builder{}
	w := &lockedWriter{w: s.logs}
	s.cmd.Stdout, s.cmd.Stderr = w, w
	if err := s.cmd.Start(); err != nil {
		s.t.Fatal(err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	s.c = &client{t: s.t, base: "http://" + addr, token: crashToken}
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(s.c.base + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		select {
		case err := <-s.done:
			s.t.Fatalf("vigil server exited: %v\n%s", err, w.String())
		default:
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("vigil server does not answer:\n%s", w.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill sends SIGKILL and waits for the process to go.
func (s *server) kill() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		s.t.Fatal(err)
	}
	<-s.done
}

// stop sends SIGTERM and waits for a clean exit.
func (s *server) stop() {
	s.t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		s.t.Fatal(err)
	}
	select {
	case err := <-s.done:
		if err != nil {
			s.t.Errorf("vigil server after SIGTERM: %v\n%s", err, s.logs)
		}
	case <-time.After(60 * time.Second):
		s.cmd.Process.Kill()
		s.t.Fatalf("vigil server ignored SIGTERM")
	}
}

type lockedWriter struct {
	mu sync.Mutex
	w  *strings.Builder
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}

// findingKeys lists a resource's findings as "vulnerability package
// status" (finding ids differ between installations), sorted, and fails on
// a finding listed twice.
func findingKeys(t *testing.T, c *client, id model.ResourceID) []string {
	t.Helper()
	var fl api.FindingList
	if st := c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl); st != http.StatusOK {
		t.Fatalf("findings: %d", st)
	}
	var keys []string
	for _, f := range fl.Findings {
		pkg := ""
		if p := f.FirstPackage(); p != nil {
			pkg = p.Name + "@" + p.Version
		}
		keys = append(keys, f.CheckID+" "+pkg+" "+string(f.Status))
	}
	slices.Sort(keys)
	if n := len(slices.Compact(slices.Clone(keys))); n != len(keys) {
		t.Errorf("%d findings listed twice: %v", len(keys)-n, keys)
	}
	return keys
}

// createdOnce checks that each finding of the account was created by
// exactly one finding.created event.
func createdOnce(t *testing.T, c *client) {
	t.Helper()
	seen := map[string]int{}
	var since int64
	for {
		var ev api.EventList
		c.do("GET", fmt.Sprintf("/v1/events?since=%d&limit=1000", since), nil, &ev)
		if len(ev.Events) == 0 {
			break
		}
		for _, e := range ev.Events {
			if e.Type == "finding.created" {
				seen[e.Subject]++
			}
		}
		since = ev.Last
	}
	if n := len(allFindings(t, c, "")); len(seen) != n {
		t.Errorf("%d findings were created, %d exist", len(seen), n)
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("finding %s created %d times", id, n)
		}
	}
}

// queueDrained opens the store after the server stopped: no job queued,
// leased or dead is left.
func queueDrained(t *testing.T, s *server) {
	t.Helper()
	st, err := storeopen.Open(context.Background(), s.db, s.dataDir, store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	stats, err := st.Queue().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for state, n := range stats {
		if n != 0 {
			t.Errorf("%d %s jobs left: %v", n, state, stats)
		}
	}
}

// waitDrained waits until the running server's queue is empty (a job
// leased by a killed process is delivered again once its lease expires).
func waitDrained(t *testing.T, s *server, timeout time.Duration) {
	t.Helper()
	st, err := storeopen.Open(context.Background(), s.db, s.dataDir, store.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	poll(t, timeout, 200*time.Millisecond, "an empty queue", func() bool {
		stats, err := st.Queue().Stats(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range stats {
			if n != 0 {
				return false
			}
		}
		return true
	})
}

// waitScanned waits until the resource's last scan is later than after
// and successful, and returns it.
func waitScanned(t *testing.T, c *client, id model.ResourceID, after time.Time, timeout time.Duration) api.ResourceView {
	t.Helper()
	var res api.ResourceView
	eventually(t, timeout, "the scan of "+string(id), func() bool {
		res = api.ResourceView{}
		c.do("GET", "/v1/resources/"+string(id), nil, &res)
		return res.Coverage.Reason == model.ReasonSuccessful && res.Coverage.LastScannedAt.After(after)
	})
	return res
}

// crashScan scans the vulnerable image, pushes the fixed one under the same
// tag and requests a scan; with kill, the server is killed while the scan
// job is leased (its image download held by the registry) and restarted.
// It returns the resource's findings at the end.
func crashScan(t *testing.T, bin, dbURL string, kill bool) []string {
	st := newStall()
	reg := httptest.NewServer(st.wrap(registry.New(registry.Logger(log.New(io.Discard, "", 0)))))
	t.Cleanup(reg.Close)
	u, _ := url.Parse(reg.URL)
	ref := u.Host + "/team/node-app:1.0"
	write(t, ref, nodeImage(t))
	s := &server{t: t, bin: bin, dataDir: t.TempDir(), db: dbURL, adv: importNPM(t), args: []string{"--update-interval", "0"}}
	s.start()
	var img api.Registered
	if code := s.c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	first := waitScanned(t, s.c, img.Resource.ID, time.Time{}, 30*time.Second)
	before := findingIDs(t, s.c, img.Resource.ID)
	if !slices.ContainsFunc(findingKeys(t, s.c, img.Resource.ID), func(k string) bool { return strings.HasPrefix(k, lodashCVE+" ") }) {
		t.Fatal("the vulnerable image has no lodash finding")
	}

	write(t, ref, fixedImage(t))
	if kill {
		st.on(func(r *http.Request) bool { return r.Method == "GET" && strings.Contains(r.URL.Path, "/blobs/") })
	}
	if code := s.c.do("POST", "/v1/scans", api.ScanRequest{ResourceID: img.Resource.ID}, nil); code != http.StatusAccepted {
		t.Fatalf("scan request: %d", code)
	}
	if kill {
		st.waitHeld(t, "the rescan's image download")
		s.kill()
		st.off()
		s.start() // the killed lease expires (1 min) and the job is delivered again
	}
	waitScanned(t, s.c, img.Resource.ID, first.Coverage.LastScannedAt, 120*time.Second)
	keys := findingKeys(t, s.c, img.Resource.ID)
	if after := findingIDs(t, s.c, img.Resource.ID); !isSubset(before, after) {
		t.Errorf("findings of the first scan lost: before %v, after %v", before, after)
	}
	createdOnce(t, s.c)
	s.stop()
	queueDrained(t, s)
	return keys
}

// findingIDs lists the ids of a resource's findings, sorted.
func findingIDs(t *testing.T, c *client, id model.ResourceID) []string {
	t.Helper()
	var fl api.FindingList
	c.do("GET", "/v1/findings?resourceId="+string(id)+"&limit=1000", nil, &fl)
	var ids []string
	for _, f := range fl.Findings {
		ids = append(ids, string(f.ID))
	}
	slices.Sort(ids)
	return ids
}

func isSubset(a, b []string) bool {
	for _, x := range a {
		if !slices.Contains(b, x) {
			return false
		}
	}
	return true
}

// crashUpdate scans the image with an advisory database that lacks the
// lodash advisory, then publishes it on the mirror; with kill, the server
// is killed while the updater downloads it and restarted. It returns the
// resource's findings once the lodash finding exists.
func crashUpdate(t *testing.T, bin, dbURL string, kill bool) []string {
	dir := t.TempDir()
	advDir, mirror := filepath.Join(dir, "advisories"), filepath.Join(dir, "mirror")
	reduced := filepath.Join(dir, "reduced", "all.zip")
	zipWithout(t, npmZip, reduced, lodashRecord)
	db, err := advisory.Open(advDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(context.Background(), reduced, advisory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mirror, "npm"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, reduced, filepath.Join(mirror, "npm", "all.zip"))
	st := newStall()
	feed := httptest.NewServer(st.wrap(http.FileServer(http.Dir(mirror))))
	t.Cleanup(feed.Close)
	ref := pushImage(t, nodeImage(t), "team/node-app:1.0")

	s := &server{t: t, bin: bin, dataDir: filepath.Join(dir, "data"), db: dbURL, adv: advDir,
		args: []string{"--update-interval", "1s", "--mirror", feed.URL, "--no-enrich"}}
	s.start()
	var img api.Registered
	if code := s.c.do("POST", "/v1/resources/images", api.RegisterImageRequest{Reference: ref}, &img); code != http.StatusCreated {
		t.Fatalf("register: %d", code)
	}
	waitScanned(t, s.c, img.Resource.ID, time.Time{}, 30*time.Second)
	if slices.ContainsFunc(findingKeys(t, s.c, img.Resource.ID), func(k string) bool { return strings.HasPrefix(k, lodashCVE+" ") }) {
		t.Fatal("lodash finding before the update")
	}
	if kill {
		st.on(func(r *http.Request) bool { return strings.HasSuffix(r.URL.Path, "/npm/all.zip") })
	}
	copyFile(t, npmZip, filepath.Join(mirror, "npm", "all.zip"))
	if kill {
		st.waitHeld(t, "the update's download")
		s.kill()
		st.off()
		s.start()
	}
	eventually(t, 60*time.Second, "the lodash finding", func() bool {
		return slices.ContainsFunc(findingKeys(t, s.c, img.Resource.ID), func(k string) bool { return strings.HasPrefix(k, lodashCVE+" ") })
	})
	keys := findingKeys(t, s.c, img.Resource.ID)
	createdOnce(t, s.c)
	s.stop()
	queueDrained(t, s)
	return keys
}

// allFindings lists every finding of the account as "resource vulnerability
// package status", sorted, following the cursor.
func allFindings(t *testing.T, c *client, query string) []string {
	t.Helper()
	var keys []string
	cursor := ""
	for {
		var fl api.FindingList
		if st := c.do("GET", "/v1/findings?limit=1000&"+query+"&cursor="+url.QueryEscape(cursor), nil, &fl); st != http.StatusOK {
			t.Fatalf("findings: %d", st)
		}
		for _, f := range fl.Findings {
			pkg := ""
			if p := f.FirstPackage(); p != nil {
				pkg = p.Name + "@" + p.Version
			}
			keys = append(keys, f.Resource.Name+" "+f.CheckID+" "+pkg+" "+string(f.Status))
		}
		if cursor = fl.Next; cursor == "" {
			break
		}
	}
	slices.Sort(keys)
	return keys
}

// countFindings counts the account's findings of one vulnerability.
func countFindings(t *testing.T, c *client, vuln string) int {
	t.Helper()
	var al api.AggregationList
	if st := c.do("GET", "/v1/findings/aggregations?by=VULNERABILITY&vulnerabilityId="+vuln, nil, &al); st != http.StatusOK {
		t.Fatalf("aggregations: %d", st)
	}
	n := 0
	for _, g := range al.Groups {
		n += g.Counts.Total
	}
	return n
}

// poll checks cond every interval until it holds or the timeout passes.
func poll(t *testing.T, timeout, interval time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(interval)
	}
}

// lastEvent returns the highest event sequence number.
func lastEvent(t *testing.T, c *client) int64 {
	t.Helper()
	var since int64
	for {
		var ev api.EventList
		c.do("GET", fmt.Sprintf("/v1/events?since=%d&limit=1000", since), nil, &ev)
		if len(ev.Events) == 0 {
			return since
		}
		since = ev.Last
	}
}

// rematchHosts is how many host inventories the rematch scenario stores,
// re-matched rematchTestBatch at a time (the server's --rematch-batch):
// thirty transactions, so that the kill, sent as soon as the first one's
// findings are seen, lands before the last commits.
const (
	rematchHosts     = 3000
	rematchTestBatch = 100
)

// crashRematch stores rematchHosts host inventories holding lodash, then
// publishes the lodash advisory; with kill, the server is killed as soon as
// the rematch committed its first lodash finding (the rest not yet
// re-matched) and restarted. It returns every finding of the account.
func crashRematch(t *testing.T, bin, dbURL string, kill bool) []string {
	dir := t.TempDir()
	advDir, mirror := filepath.Join(dir, "advisories"), filepath.Join(dir, "mirror")
	reduced := filepath.Join(dir, "reduced", "all.zip")
	zipWithout(t, npmZip, reduced, lodashRecord)
	db, err := advisory.Open(advDir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Import(context.Background(), reduced, advisory.ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(mirror, "npm"), 0o755); err != nil {
		t.Fatal(err)
	}
	copyFile(t, reduced, filepath.Join(mirror, "npm", "all.zip"))
	feed := httptest.NewServer(http.FileServer(http.Dir(mirror)))
	t.Cleanup(feed.Close)
	s := &server{t: t, bin: bin, dataDir: filepath.Join(dir, "data"), db: dbURL, adv: advDir,
		args: []string{"--update-interval", "1s", "--mirror", feed.URL, "--no-enrich", "--rematch-batch", strconv.Itoa(rematchTestBatch)}}
	s.start()

	pushStart := time.Now()
	var wg sync.WaitGroup
	names := make(chan string)
	for range 8 {
		wg.Go(func() {
			for n := range names {
				inv := model.Inventory{Packages: []model.Package{
					{Ecosystem: model.EcosystemNPM, Name: "lodash", Version: "4.17.15", PURL: "pkg:npm/lodash@4.17.15", Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"},
					{Ecosystem: model.EcosystemNPM, Name: "minimist", Version: "1.2.5", PURL: "pkg:npm/minimist@1.2.5", Manager: model.ManagerNPM, Path: "/srv/app/package-lock.json"},
				}}
				if code := s.c.do("POST", "/v1/resources/hosts", api.PushHostRequest{Name: n, Inventory: &inv}, nil); code != http.StatusCreated {
					t.Errorf("push %s: %d", n, code)
				}
			}
		})
	}
	for i := range rematchHosts {
		names <- fmt.Sprintf("host-%05d", i)
	}
	close(names)
	wg.Wait()
	t.Logf("%d hosts pushed in %s", rematchHosts, time.Since(pushStart))
	poll(t, 300*time.Second, 500*time.Millisecond, "every host matched", func() bool {
		n, after := 0, ""
		for {
			var rl api.ResourceList
			s.c.do("GET", "/v1/resources?reason=SUCCESSFUL&limit=1000&after="+after, nil, &rl)
			n += len(rl.Resources)
			if after = rl.Next; after == "" {
				return n == rematchHosts
			}
		}
	})
	if n := countFindings(t, s.c, lodashCVE); n != 0 {
		t.Fatalf("%d lodash findings before the update", n)
	}
	before := allFindings(t, s.c, "")
	since := lastEvent(t, s.c)

	copyFile(t, npmZip, filepath.Join(mirror, "npm", "all.zip"))
	if kill {
		deadline := time.Now().Add(60 * time.Second)
		for {
			var ev api.EventList
			s.c.do("GET", fmt.Sprintf("/v1/events?since=%d&limit=1000", since), nil, &ev)
			if slices.ContainsFunc(ev.Events, func(e api.EventView) bool { return e.Type == "finding.created" }) {
				break
			}
			if len(ev.Events) > 0 {
				since = ev.Last
			}
			if time.Now().After(deadline) {
				t.Fatal("the rematch created no finding")
			}
			time.Sleep(2 * time.Millisecond)
		}
		s.kill()
		s.start()
		// The killed rematch's lease has not expired yet: this is what it
		// had committed.
		partial := countFindings(t, s.c, lodashCVE)
		t.Logf("killed after the rematch committed %d of %d lodash findings", partial, rematchHosts)
		if partial == 0 || partial >= rematchHosts {
			t.Errorf("%d lodash findings after the kill: the kill did not come mid-rematch", partial)
		}
	}
	poll(t, 150*time.Second, 200*time.Millisecond, "the lodash finding on every host", func() bool {
		return countFindings(t, s.c, lodashCVE) >= rematchHosts
	})
	waitDrained(t, s, 150*time.Second)
	keys := allFindings(t, s.c, "")
	if n := countFindings(t, s.c, lodashCVE); n != rematchHosts {
		t.Errorf("%d lodash findings, want one on each of %d hosts", n, rematchHosts)
	}
	// Nothing lost, nothing duplicated: the findings are those before the
	// update plus one new lodash finding per host.
	added := map[string]bool{}
	for _, k := range keys {
		added[k] = true
	}
	for _, k := range before {
		if !added[k] {
			t.Errorf("finding lost by the rematch: %s", k)
		}
		delete(added, k)
	}
	hosts := map[string]bool{}
	for k := range added {
		if !strings.Contains(k, " lodash@4.17.15 ACTIVE") {
			t.Errorf("unexpected finding after the rematch: %s", k)
		}
		hosts[strings.Fields(k)[0]] = true
	}
	if len(hosts) != rematchHosts || len(added) != rematchHosts {
		t.Errorf("the rematch added %d findings on %d hosts, want one on each of %d", len(added), len(hosts), rematchHosts)
	}
	createdOnce(t, s.c)
	s.stop()
	queueDrained(t, s)
	return keys
}

// TestKillServer kills `vigil server` (SIGKILL) mid-scan, mid-update
// (download) and mid-rematch on each store, restarts it, and compares the findings with a run that was
// not killed: the job completes once (the queue is empty, each finding was
// created once) and no finding is lost or duplicated.
func TestKillServer(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the real binary; skipped with -short")
	}
	bin, err := buildVigil()
	if err != nil {
		t.Fatal(err)
	}
	for _, be := range backends {
		for _, sc := range []struct {
			name string
			run  func(t *testing.T, bin, dbURL string, kill bool) []string
			// selfChecked scenarios know their expected findings, so
			// they need no clean run to compare with.
			selfChecked bool
		}{{"scan", crashScan, false}, {"update", crashUpdate, false}, {"rematch", crashRematch, true}} {
			t.Run(be.name+"/"+sc.name, func(t *testing.T) {
				t.Parallel() // the killed scan waits for its lease to expire
				if sc.selfChecked {
					sc.run(t, bin, be.url(t), true)
					return
				}
				clean := sc.run(t, bin, be.url(t), false)
				killed := sc.run(t, bin, be.url(t), true)
				if diff := cmp.Diff(clean, killed); diff != "" {
					t.Errorf("findings after the kill differ from a clean run (-clean +killed):\n%s", diff)
				}
			})
		}
	}
}

package app

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/vigilsec/vigil/internal/advisory"
	"github.com/vigilsec/vigil/internal/api"
)

// BenchmarkServerPush runs the real `vigil server` (built from this tree)
// on SQLite with every OSV feed of the corpus and KEV and EPSS, pushes N
// host inventories through the API (N from VIGIL_BENCH_RESOURCES, default
// 10,000; realistic mixes, see hostMix) from VIGIL_BENCH_PUSHERS clients
// (default 64: a fleet's agents push without waiting for each other;
// with a few clients that each wait for their answer, every commit of
// the writer carries at most as many new hosts as there are clients),
// waits until every host is scanned (matched and reconciled
// by the server's workers) and reports: inventories per second from the
// first push to the last scan, the server's CPU time per inventory, and
// its peak resident memory (VmHWM). VIGIL_BENCH_DIR puts the data
// directory elsewhere than the test's temporary directory;
// VIGIL_BENCH_KEEP=DIR keeps each run's data directory in DIR for
// inspection. VIGIL_BENCH_SERVER_ARGS adds arguments to the server's
// command line, VIGIL_BENCH_SERVER_ENV (NAME=VALUE …) variables to its
// environment only.
func BenchmarkServerPush(b *testing.B) {
	n := envInt("VIGIL_BENCH_RESOURCES", 10000)
	pushers := envInt("VIGIL_BENCH_PUSHERS", 64)
	ctx := context.Background()
	dir := b.TempDir()
	if d := os.Getenv("VIGIL_BENCH_DIR"); d != "" {
		var err error
		if dir, err = os.MkdirTemp(d, "vigil-bench-"); err != nil {
			b.Fatal(err)
		}
		defer os.RemoveAll(dir)
	}
	bin := filepath.Join(dir, "vigil")
	build := exec.Command("go", "build", "-o", bin, "github.com/vigilsec/vigil/cmd/vigil")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	adv := filepath.Join(dir, "advisories")
	db, err := advisory.Open(adv)
	if err != nil {
		b.Fatal(err)
	}
	for _, p := range []string{filepath.Join(testdataDir, "osv"), filepath.Join(testdataDir, "kev", "known_exploited_vulnerabilities.json"),
		filepath.Join(testdataDir, "epss", "epss_scores-2025-02-20.first5rows.csv")} {
		if _, err := db.Import(ctx, p, advisory.ImportOptions{}); err != nil {
			b.Fatal(err)
		}
	}
	mix := newHostMix(b)
	bodies := make([][]byte, n)
	for i := range bodies {
		inv := mix.host(i)
		if bodies[i], err = json.Marshal(api.PushHostRequest{Name: inv.Target.Name, Tags: map[string]string{"Env": []string{"Prod", "Dev"}[i%2]}, Inventory: inv}); err != nil {
			b.Fatal(err)
		}
	}
	keep := dir
	if d := os.Getenv("VIGIL_BENCH_KEEP"); d != "" {
		keep = d
	}
	for b.Loop() {
		runServerPush(b, bin, adv, filepath.Join(keep, fmt.Sprint("data-", time.Now().UnixNano())), bodies, pushers)
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// runServerPush is one run of BenchmarkServerPush on a fresh data
// directory.
func runServerPush(b *testing.B, bin, adv, data string, bodies [][]byte, pushers int) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	token := "bench" + strconv.FormatInt(time.Now().UnixNano(), 36)
	logf, err := os.Create(data + ".log")
	if err != nil {
		b.Fatal(err)
	}
	defer logf.Close()
	srv := exec.Command(bin, append([]string{"server", "--listen", addr, "--data-dir", data, "--update-interval", "0", "--rescan-interval", "0"}, strings.Fields(os.Getenv("VIGIL_BENCH_SERVER_ARGS"))...)...)
	srv.Env = append(os.Environ(), "VIGIL_DB_DIR="+adv, "VIGIL_BOOTSTRAP_TOKEN="+token)
	srv.Env = append(srv.Env, strings.Fields(os.Getenv("VIGIL_BENCH_SERVER_ENV"))...)
	srv.Stdout, srv.Stderr = logf, logf
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() {
		_ = srv.Process.Signal(syscall.SIGTERM)
		_ = srv.Wait()
	}()
	base := "http://" + addr
	c := &http.Client{Timeout: 60 * time.Second}
	call := func(method, path string, body []byte, out any) error {
		req, err := http.NewRequest(method, base+path, bytes.NewReader(body))
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := c.Do(req)
		if err != nil {
			return err
		}
		defer resp.Body.Close()
		if resp.StatusCode >= 300 {
			var e bytes.Buffer
			_, _ = e.ReadFrom(resp.Body)
			return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, e.String())
		}
		if out == nil {
			return nil
		}
		return json.NewDecoder(resp.Body).Decode(out)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for call("GET", "/readyz", nil, nil) != nil {
		if time.Now().After(deadline) {
			b.Fatalf("server not ready; see %s.log", data)
		}
		time.Sleep(100 * time.Millisecond)
	}
	pid := srv.Process.Pid
	cpu0 := procCPU(b, pid)
	wchar0, syscw0 := procIO(pid, "wchar"), procIO(pid, "syscw")
	var peak atomic.Int64
	stop := make(chan struct{})
	var sampler sync.WaitGroup
	sampler.Add(1)
	go func() {
		defer sampler.Done()
		for {
			if rss := procStatus(pid, "VmRSS"); rss > peak.Load() {
				peak.Store(rss)
			}
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
		}
	}()

	calib := calibrate()
	stat0 := cpuStat()
	start := time.Now()
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, pushers)
	for range pushers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(bodies) {
					return
				}
				if err := call("POST", "/v1/resources/hosts", bodies[i], nil); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	pushed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	for {
		var page api.ResourceList
		if err := call("GET", "/v1/resources?reason=PENDING_INITIAL_SCAN&limit=1", nil, &page); err != nil {
			b.Fatal(err)
		}
		if len(page.Resources) == 0 {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	elapsed := time.Since(start)
	close(stop)
	sampler.Wait()
	var failed api.ResourceList
	if err := call("GET", "/v1/resources?reason=SCAN_FAILED&limit=10", nil, &failed); err != nil {
		b.Fatal(err)
	}
	if len(failed.Resources) > 0 {
		b.Fatalf("%d+ scans failed (first %s); see %s.log", len(failed.Resources), failed.Resources[0].ID, data)
	}
	stat := cpuStat().sub(stat0)
	cpu := procCPU(b, pid) - cpu0
	hwm := procStatus(pid, "VmHWM")
	wchar, syscw := procIO(pid, "wchar")-wchar0, procIO(pid, "syscw")-syscw0
	b.ReportMetric(float64(wchar)/1024/float64(len(bodies)), "written-KiB/inventory")
	b.ReportMetric(float64(syscw)/float64(len(bodies)), "writes/inventory")
	b.ReportMetric(float64(len(bodies))/elapsed.Seconds(), "inventories/s")
	b.ReportMetric(float64(len(bodies))/pushed.Seconds(), "pushes/s")
	b.ReportMetric(cpu.Seconds()*1000/float64(len(bodies)), "server-cpu-ms/inventory")
	b.ReportMetric(float64(hwm)/1024, "peak-rss-MB")
	b.ReportMetric(float64(peak.Load())/1024, "sampled-rss-MB")
	// The machine's own speed, to tell a slow minute from a slower tree:
	// a fixed single-threaded computation just before the run, and the
	// share of the run's CPU time the hypervisor took (steal).
	b.ReportMetric(float64(calib.Microseconds())/1000, "calib-ms")
	b.ReportMetric(stat.stealPercent(), "steal-%")
	b.Logf("%d hosts pushed in %v, scanned in %v; server CPU %v; VmHWM %d kB; data in %s", len(bodies), pushed, elapsed, cpu, hwm, data)
}

// procIO returns a field of /proc/PID/io (bytes or calls; 0 when
// unreadable): what the server wrote, WAL and checkpoints included.
func procIO(pid int, field string) int64 {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/io", pid))
	if err != nil {
		return 0
	}
	for line := range strings.Lines(string(data)) {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			return n
		}
	}
	return 0
}

// procStatus returns a kB field of /proc/PID/status (0 when unreadable).
func procStatus(pid int, field string) int64 {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), field+":"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb
		}
	}
	return 0
}

// procCPU returns the user + system CPU time of process pid.
func procCPU(tb testing.TB, pid int) time.Duration {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		tb.Fatal(err)
	}
	// Fields after the command (which may hold spaces) start after ')'.
	rest := strings.Fields(string(data[bytes.LastIndexByte(data, ')')+1:]))
	utime, _ := strconv.ParseInt(rest[11], 10, 64)
	stime, _ := strconv.ParseInt(rest[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// calibrate times a fixed CPU-bound computation (SHA-256 of 64 MiB, one
// goroutine): ≈ 40 ms on an idle core of the 2-core development machine.
func calibrate() time.Duration {
	buf := make([]byte, 1<<20)
	start := time.Now()
	h := sha256.New()
	for range 64 {
		h.Write(buf)
	}
	_ = h.Sum(nil)
	return time.Since(start)
}

// cpuTicks are the machine's CPU times from /proc/stat (all CPUs, in
// clock ticks; zero when unreadable).
type cpuTicks struct{ total, steal int64 }

func cpuStat() cpuTicks {
	data, err := os.ReadFile("/proc/stat")
	if err != nil {
		return cpuTicks{}
	}
	line, _, _ := strings.Cut(string(data), "\n")
	fields := strings.Fields(line)
	var t cpuTicks
	for i, f := range fields[1:] {
		v, _ := strconv.ParseInt(f, 10, 64)
		if i < 8 { // user nice system idle iowait irq softirq steal
			t.total += v
		}
		if i == 7 {
			t.steal = v
		}
	}
	return t
}

func (t cpuTicks) sub(u cpuTicks) cpuTicks { return cpuTicks{t.total - u.total, t.steal - u.steal} }

func (t cpuTicks) stealPercent() float64 {
	if t.total <= 0 {
		return 0
	}
	return 100 * float64(t.steal) / float64(t.total)
}

package agent_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// lab is a bridge in the root network namespace (10.231.0.1/24) with
// hosts in network namespaces of their own, attached by veth pairs.
type lab struct {
	t      *testing.T
	prefix string // unique per test run: names of links and namespaces
	bin    string // the vigil binary
	dir    string
}

// skipUnlessNetns skips the test when it cannot create network namespaces.
func skipUnlessNetns(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create network namespaces (ip netns add)")
	}
	for _, tool := range []string{"ip", "nft", "iptables-restore", "python3", "nmap"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	name := fmt.Sprintf("vg6probe%d", os.Getpid())
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		t.Skipf("ip netns unavailable: %v: %s", err, out)
	}
	_ = exec.Command("ip", "netns", "del", name).Run()
}

func (l *lab) sh(args ...string) string {
	l.t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// newLab creates the bridge; hosts are added with addHost.
func newLab(t *testing.T, bin string) *lab {
	l := &lab{t: t, prefix: fmt.Sprintf("vg%d", os.Getpid()%100000), bin: bin, dir: t.TempDir()}
	br := l.prefix + "br"
	l.sh("ip", "link", "add", br, "type", "bridge")
	t.Cleanup(func() { _ = exec.Command("ip", "link", "del", br).Run() })
	l.sh("ip", "addr", "add", "10.231.0.1/24", "dev", br)
	l.sh("ip", "link", "set", br, "up")
	return l
}

// addHost creates namespace NAME with address addr (and extra addresses)
// on a veth attached to the bridge, default route via the bridge.
func (l *lab) addHost(name, addr string, extra ...string) string {
	ns := l.prefix + name
	l.sh("ip", "netns", "add", ns)
	l.t.Cleanup(func() {
		// Processes left in the namespace die with their parents' cleanup;
		// the namespace goes once its last process has.
		_ = exec.Command("ip", "netns", "del", ns).Run()
	})
	veth, peer := l.prefix+name+"a", l.prefix+name+"b"
	l.sh("ip", "link", "add", veth, "type", "veth", "peer", "name", peer)
	l.sh("ip", "link", "set", peer, "netns", ns)
	l.sh("ip", "link", "set", veth, "master", l.prefix+"br", "up")
	l.sh("ip", "netns", "exec", ns, "ip", "link", "set", "lo", "up")
	l.sh("ip", "netns", "exec", ns, "ip", "link", "set", peer, "name", "eth0")
	for _, a := range append([]string{addr}, extra...) {
		l.sh("ip", "netns", "exec", ns, "ip", "addr", "add", a, "dev", "eth0")
	}
	l.sh("ip", "netns", "exec", ns, "ip", "link", "set", "eth0", "up")
	l.sh("ip", "netns", "exec", ns, "ip", "route", "add", "default", "via", "10.231.0.1")
	return ns
}

// proc is a background process, stopped at cleanup.
type proc struct {
	cmd  *exec.Cmd
	out  *syncBuffer
	done chan struct{}
	err  error
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// start runs a command in the background (in namespace ns unless empty).
func (l *lab) start(ns string, env []string, args ...string) *proc {
	l.t.Helper()
	if ns != "" {
		args = append([]string{"ip", "netns", "exec", ns}, args...)
	}
	p := &proc{cmd: exec.Command(args[0], args[1:]...), out: &syncBuffer{}, done: make(chan struct{})}
	p.cmd.Env = append(os.Environ(), env...)
	p.cmd.Stdout, p.cmd.Stderr = p.out, p.out
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		l.t.Fatalf("%v: %v", args, err)
	}
	go func() { p.err = p.cmd.Wait(); close(p.done) }()
	l.t.Cleanup(func() { p.stop() })
	return p
}

// stop ends the process group (SIGTERM, then SIGKILL) and waits.
func (p *proc) stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

// api calls the server with a token and decodes the answer.
func api(t *testing.T, base, token, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, base+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, path, err, data)
		}
	}
	return resp.StatusCode
}

// eventually polls cond until it holds or the timeout passes.
func eventually(t *testing.T, what string, timeout time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, state := cond()
		if ok {
			return
		}
		last = state
		time.Sleep(300 * time.Millisecond)
	}
	t.Fatalf("%s: not reached within %v; last state:\n%s", what, timeout, last)
}

// buildVigil builds the vigil binary once per test binary.
func buildVigil(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "vigil")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/vigil")
	cmd.Dir = "../.."
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

package probe

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParsePorts(t *testing.T) {
	tests := []struct {
		spec string
		n    int
		head []int
		err  bool
	}{
		{spec: "22", n: 1, head: []int{22}},
		{spec: "80,22,22,8000-8002", n: 5, head: []int{22, 80, 8000, 8001, 8002}},
		{spec: "-", n: 65535, head: []int{1, 2}},
		{spec: "1-65535", n: 65535, head: []int{1, 2}},
		{spec: "-3", n: 3, head: []int{1, 2, 3}},
		{spec: "65534-", n: 2, head: []int{65534, 65535}},
		{spec: "0", err: true},
		{spec: "10-5", err: true},
		{spec: "http", err: true},
		{spec: "22,", err: true},
	}
	for _, tc := range tests {
		got, err := ParsePorts(tc.spec)
		if (err != nil) != tc.err {
			t.Errorf("%q: err %v", tc.spec, err)
			continue
		}
		if tc.err {
			continue
		}
		if len(got) != tc.n {
			t.Errorf("%q: %d ports, want %d", tc.spec, len(got), tc.n)
		}
		if diff := cmp.Diff(tc.head, got[:len(tc.head)]); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tc.spec, diff)
		}
	}
}

func FuzzParsePorts(f *testing.F) {
	for _, s := range []string{"22", "1-65535", "-", "80,443,8000-8100", "-1024", "60000-"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		ps, err := ParsePorts(spec)
		if err != nil {
			return
		}
		for i, p := range ps {
			if p < 1 || p > 65535 || i > 0 && ps[i-1] >= p {
				t.Fatalf("%q: bad port list at %d: %v", spec, i, ps[max(0, i-1):i+1])
			}
		}
	})
}

func port(t *testing.T, addr net.Addr) int {
	t.Helper()
	_, p, err := net.SplitHostPort(addr.String())
	if err != nil {
		t.Fatal(err)
	}
	n, _ := strconv.Atoi(p)
	return n
}

// TestScanLoopback scans real servers on loopback: Go's HTTP server with
// a Server header, its TLS server with HTTP/2 (ALPN h2), a listener that
// sends an SSH identification line first (RFC 4253 §4.2; no SSH server is
// installed here), and a port known to be closed.
func TestScanLoopback(t *testing.T) {
	web := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.Header().Set("Server", "vigil-test/1.0") }))
	defer web.Close()
	tlsSrv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	tlsSrv.EnableHTTP2 = true
	tlsSrv.StartTLS()
	defer tlsSrv.Close()
	ssh, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ssh.Close()
	go func() {
		for {
			c, err := ssh.Accept()
			if err != nil {
				return
			}
			_, _ = c.Write([]byte("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n"))
			c.Close()
		}
	}()
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := port(t, closed.Addr())
	closed.Close()
	ports := []int{port(t, web.Listener.Addr()), port(t, tlsSrv.Listener.Addr()), port(t, ssh.Addr()), closedPort}
	rep, err := Scan(context.Background(), "127.0.0.1", ports, Options{Rate: 1000, Banners: true, Timeout: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	got := map[int]Service{}
	for _, r := range rep.Open {
		if r.Service == nil {
			t.Errorf("port %d: no service", r.Port)
			continue
		}
		s := *r.Service
		s.TLSNames = nil
		got[r.Port] = s
	}
	want := map[int]Service{
		ports[0]: {Name: "http", Server: "vigil-test/1.0"},
		ports[1]: {Name: "tls", ALPN: "h2", TLSVersion: "TLS 1.3", TLSSubject: "O=Acme Co"},
		ports[2]: {Name: "ssh", Banner: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("services (-want +got):\n%s", diff)
	}
	if rep.Scanned != 4 {
		t.Errorf("scanned %d", rep.Scanned)
	}
}

// TestScanRate checks the pacing: 50 attempts at 500/s take about 0.1 s.
func TestScanRate(t *testing.T) {
	ports := make([]int, 50)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := port(t, l.Addr())
	l.Close()
	for i := range ports {
		ports[i] = p
	}
	rep, err := Scan(context.Background(), "127.0.0.1", ports, Options{Rate: 500})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Elapsed < 90*time.Millisecond {
		t.Errorf("50 attempts at 500/s took %v, want ≥ 98ms", rep.Elapsed)
	}
}

package hostinfo

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/vigilsec/vigil/internal/exposure"
)

// TestParseProcNet reads tables copied from /proc/net of a network
// namespace with known listeners (see testdata): TCP LISTEN on 0.0.0.0:22,
// 127.0.0.1:5432, [::]:22 and [::1]:8080, one established connection, UDP
// bound to 0.0.0.0:53 and [::]:123.
func TestParseProcNet(t *testing.T) {
	tests := []struct {
		file string
		want []string // "addr:port state" of every socket
	}{
		{"tcp", []string{"0.0.0.0:22 10", "127.0.0.1:5432 10", "127.0.0.1:* 1", "127.0.0.1:5432 1"}},
		{"tcp6", []string{"::1:8080 10", ":::22 10"}},
		{"udp", []string{"0.0.0.0:53 7"}},
		{"udp6", []string{":::123 7"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			socks, err := ParseProcNet(bytes.NewReader(data))
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range socks {
				port := itoa(s.Port)
				if s.State == 1 && s.Port != 5432 {
					port = "*" // the client's ephemeral port
				}
				got = append(got, s.Addr.String()+":"+port+" "+itoa(s.State))
				if s.Inode == 0 && s.State == stateListen {
					t.Errorf("%v: no inode", s)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func itoa(i int) string {
	return netip.AddrPortFrom(netip.IPv4Unspecified(), uint16(i)).String()[len("0.0.0.0:"):]
}

// FuzzParseProcNet: arbitrary tables give sockets or an error, never a
// panic.
func FuzzParseProcNet(f *testing.F) {
	for _, n := range []string{"tcp", "tcp6", "udp", "udp6"} {
		data, err := os.ReadFile(filepath.Join("testdata", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		_, _ = ParseProcNet(bytes.NewReader(data))
	})
}

// TestSocketsOwnListener opens a real listener and finds it in /proc with
// this process as its owner.
func TestSocketsOwnListener(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	socks, err := Sockets(context.Background(), "/proc", &OwnerCache{})
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	i := slices.IndexFunc(socks, func(s exposure.Socket) bool { return s.Port == port && s.Protocol == exposure.ProtoTCP })
	if i < 0 {
		t.Fatalf("listener on %d not found in %v", port, socks)
	}
	want := exposure.Socket{Protocol: exposure.ProtoTCP, Addr: netip.MustParseAddr("127.0.0.1"), Port: port, PID: os.Getpid(), Process: socks[i].Process, Exe: exe}
	if diff := cmp.Diff(want, socks[i], cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if socks[i].Process == "" {
		t.Error("no process name")
	}
}

// TestOwners looks executables up in the dpkg file lists of the real
// Debian root file system of the corpus.
func TestOwners(t *testing.T) {
	root := filepath.Join(os.Getenv("VIGIL_CORPUS"), "rootfs-debian")
	if os.Getenv("VIGIL_CORPUS") == "" {
		t.Skip("VIGIL_CORPUS not set")
	}
	got, err := Owners(context.Background(), root, []string{"/usr/bin/perl", "/bin/bash", "/usr/sbin/nologin", "/opt/app/server"}, NewLimiter(0))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/usr/bin/perl": "perl-base", "/bin/bash": "bash", "/usr/sbin/nologin": "login"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	socks := []exposure.Socket{{Exe: filepath.Join(root, "usr/bin/perl")}, {Exe: "/usr/bin/perl"}}
	if err := AttachPackages(context.Background(), root, socks, nil); err != nil {
		t.Fatal(err)
	}
	if socks[0].Package != "perl-base" || socks[0].Exe != "/usr/bin/perl" || socks[1].Package != "" || socks[1].Exe != "/usr/bin/perl" {
		t.Errorf("AttachPackages: %q %q; want perl-base for the file below root and nothing outside it", socks[0].Package, socks[1].Package)
	}
}

// TestKernel compares with the kernel's own file.
func TestKernel(t *testing.T) {
	rel, _, err := Kernel()
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile("/proc/sys/kernel/osrelease")
	if err != nil {
		t.Skip(err)
	}
	if rel != string(bytes.TrimSpace(want)) {
		t.Errorf("Kernel() = %q, want %q", rel, want)
	}
}

// TestLowerPriority runs in a child process (the change cannot be undone
// without privileges) and reads every thread's nice value back from /proc.
func TestLowerPriority(t *testing.T) {
	if os.Getenv("VIGIL_PRIORITY_CHILD") == "1" {
		if err := LowerPriority(7); err != nil {
			t.Fatal(err)
		}
		ents, err := os.ReadDir("/proc/self/task")
		if err != nil {
			t.Skip(err)
		}
		for _, e := range ents {
			stat, err := os.ReadFile(filepath.Join("/proc/self/task", e.Name(), "stat"))
			if err != nil {
				continue
			}
			// Field 19 is the nice value; the command (field 2) has no
			// spaces here.
			f := bytes.Fields(stat)
			if len(f) > 18 && string(f[18]) != "7" {
				t.Errorf("thread %s: nice %s, want 7", e.Name(), f[18])
			}
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestLowerPriority$", "-test.v")
	cmd.Env = append(os.Environ(), "VIGIL_PRIORITY_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestLowerPriority")) {
		t.Errorf("child: %v\n%s", err, out)
	}
}

// TestAPKOwners reads a real Alpine installed database (syft's test data).
func TestAPKOwners(t *testing.T) {
	f, err := os.Open("../../../shared/testdata/pkgdb/apk/installed.syft-image-pkg-coverage")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	want := map[string]string{"/usr/bin/ldd": "/usr/bin/ldd", "/sbin/ldconfig": "/sbin/ldconfig", "/bin/nope": "/bin/nope"}
	got := map[string]string{}
	if err := parseAPKOwners(context.Background(), bufio.NewScanner(f), want, got); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]string{"/usr/bin/ldd": "musl-utils", "/sbin/ldconfig": "musl-utils"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

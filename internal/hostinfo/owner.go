package hostinfo

import (
	"bufio"
	"context"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/vigilsec/vigil/internal/exposure"
)

// maxListBytes bounds the dpkg file lists read to find owners.
const maxListBytes = 256 << 20

// Owners finds, for each absolute path (as seen inside root), the dpkg
// package whose file list (var/lib/dpkg/info/*.list) names it, else the
// Alpine package whose entry in lib/apk/db/installed does; merged-/usr
// aliases (/bin ↔ /usr/bin, /sbin ↔ /usr/sbin, /lib ↔ /usr/lib) count as
// the same file. Paths no package owns are absent from the answer. Reads
// are paced by lim when it is not nil.
func Owners(ctx context.Context, root string, paths []string, lim *Limiter) (map[string]string, error) {
	want := map[string]string{} // alias → asked path
	for _, p := range paths {
		for _, a := range aliases(p) {
			want[a] = p
		}
	}
	out := map[string]string{}
	if len(want) == 0 {
		return out, nil
	}
	lists, err := filepath.Glob(filepath.Join(root, "var/lib/dpkg/info/*.list"))
	if err != nil {
		return nil, err
	}
	var total int64
	for _, l := range lists {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		pkg := strings.TrimSuffix(filepath.Base(l), ".list")
		pkg, _, _ = strings.Cut(pkg, ":") // libc6:amd64
		f, err := os.Open(l)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			line := sc.Text()
			total += int64(len(line) + 1)
			if asked, ok := want[line]; ok {
				if _, done := out[asked]; !done {
					out[asked] = pkg
				}
			}
		}
		f.Close()
		if lim != nil {
			lim.Wait(ctx, total)
		}
		if total > maxListBytes || len(out) == len(paths) {
			break
		}
	}
	if len(out) < len(paths) {
		if err := apkOwners(ctx, root, want, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// apkOwners adds the owners recorded in Alpine's installed database
// (lib/apk/db/installed: P: starts a package, F: names a directory, R: a
// file in it).
func apkOwners(ctx context.Context, root string, want, out map[string]string) error {
	f, err := os.Open(filepath.Join(root, "lib/apk/db/installed"))
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	return parseAPKOwners(ctx, bufio.NewScanner(io.LimitReader(f, maxListBytes)), want, out)
}

func parseAPKOwners(ctx context.Context, sc *bufio.Scanner, want, out map[string]string) error {
	var pkg, dir string
	for n := 0; sc.Scan(); n++ {
		if n%4096 == 0 && ctx.Err() != nil {
			return ctx.Err()
		}
		line := sc.Text()
		if len(line) < 2 || line[1] != ':' {
			if line == "" {
				pkg, dir = "", ""
			}
			continue
		}
		switch line[0] {
		case 'P':
			pkg = line[2:]
		case 'F':
			dir = line[2:]
		case 'R':
			p := path.Clean("/" + dir + "/" + line[2:])
			if asked, ok := want[p]; ok && pkg != "" {
				if _, done := out[asked]; !done {
					out[asked] = pkg
				}
			}
		}
	}
	return sc.Err()
}

// aliases returns p and its merged-/usr twin.
func aliases(p string) []string {
	p = path.Clean("/" + p)
	out := []string{p}
	for _, d := range []string{"/bin/", "/sbin/", "/lib/", "/lib64/"} {
		if strings.HasPrefix(p, d) {
			out = append(out, "/usr"+p)
		}
		if strings.HasPrefix(p, "/usr"+d) {
			out = append(out, strings.TrimPrefix(p, "/usr"))
		}
	}
	return out
}

// AttachPackages fills Socket.Package with the dpkg package owning each
// socket's executable. Executables are looked up below root (the agent's
// configured root) and their path is rewritten as seen from root; a
// process whose executable lies outside root keeps its path and no
// package.
func AttachPackages(ctx context.Context, root string, socks []exposure.Socket, lim *Limiter) error {
	rel := map[int]string{}
	var paths []string
	for i, s := range socks {
		if s.Exe == "" {
			continue
		}
		p, ok := RootRelative(root, s.Exe)
		if !ok {
			continue
		}
		rel[i] = p
		paths = append(paths, p)
	}
	owners, err := Owners(ctx, root, paths, lim)
	if err != nil {
		return err
	}
	eco := PackageManager(root)
	for i, p := range rel {
		socks[i].Exe = p
		if pkg, ok := owners[p]; ok {
			socks[i].Package, socks[i].Ecosystem = pkg, eco
		}
	}
	return nil
}

// Limiter paces reads to a byte rate: after n bytes it sleeps until n/rate
// seconds have passed since it started.
type Limiter struct {
	rate  int64 // bytes per second; 0 = unlimited
	start time.Time
}

// NewLimiter returns a limiter of bytesPerSecond (0 = unlimited).
func NewLimiter(bytesPerSecond int64) *Limiter {
	return &Limiter{rate: bytesPerSecond, start: time.Now()}
}

// Wait sleeps until total bytes are within the rate, or ctx ends.
func (l *Limiter) Wait(ctx context.Context, total int64) {
	if l == nil || l.rate <= 0 {
		return
	}
	due := l.start.Add(time.Duration(float64(total) / float64(l.rate) * float64(time.Second)))
	if d := time.Until(due); d > 0 {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
		case <-t.C:
		}
	}
}

// RootRelative returns an executable's path as seen from root, and
// whether it lies below root at all.
func RootRelative(root, exe string) (string, bool) {
	root = filepath.Clean(root)
	if root == "/" {
		return exe, true
	}
	r, err := filepath.Rel(root, exe)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return exe, false
	}
	return "/" + r, true
}

// PackageManager names the OS package database of root whose file lists
// Owners reads: "dpkg", "apk", or "" when there is none.
func PackageManager(root string) string {
	if _, err := os.Stat(filepath.Join(root, "var/lib/dpkg/status")); err == nil {
		return "dpkg"
	}
	if _, err := os.Stat(filepath.Join(root, "lib/apk/db/installed")); err == nil {
		return "apk"
	}
	return ""
}

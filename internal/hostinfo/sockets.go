package hostinfo

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/vigilsec/vigil/internal/exposure"
)

// Proc is a process owning sockets.
type Proc struct {
	PID  int
	Comm string
	Exe  string
}

// maxProcs bounds the processes inspected.
const maxProcs = 1 << 16

// OwnerCache remembers the process owning each socket inode between calls
// of Sockets, so that /proc/PID/fd of every process is walked only when a
// new socket appears. The zero value is ready; nil disables caching.
type OwnerCache struct{ m map[uint64]Proc }

// Sockets returns the listening TCP sockets and bound unconnected UDP
// sockets of the network namespace procRoot ("/proc") describes, each
// with its owning process when the caller may read the process's file
// descriptors (root). Sorted by protocol, port and address.
func Sockets(ctx context.Context, procRoot string, cache *OwnerCache) ([]exposure.Socket, error) {
	var out []exposure.Socket
	var inos []uint64 // inode of out[i]
	inodes := map[uint64]int{}
	for _, t := range []struct {
		file  string
		proto exposure.Protocol
		state int
	}{{"tcp", exposure.ProtoTCP, stateListen}, {"tcp6", exposure.ProtoTCP, stateListen}, {"udp", exposure.ProtoUDP, stateClose}, {"udp6", exposure.ProtoUDP, stateClose}} {
		f, err := os.Open(filepath.Join(procRoot, "net", t.file))
		if os.IsNotExist(err) {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		raws, err := ParseProcNet(f)
		f.Close()
		if err != nil {
			return nil, err
		}
		for _, r := range raws {
			if r.State != t.state || r.Port == 0 {
				continue
			}
			inodes[r.Inode] = len(out)
			out = append(out, exposure.Socket{Protocol: t.proto, Addr: r.Addr.Unmap(), Port: r.Port})
			inos = append(inos, r.Inode)
		}
	}
	owners, err := cache.owners(ctx, procRoot, inodes)
	if err != nil {
		return nil, err
	}
	for i := range out {
		if p, ok := owners[inos[i]]; ok {
			out[i].PID, out[i].Process, out[i].Exe = p.PID, p.Comm, p.Exe
		}
	}
	slices.SortFunc(out, func(a, b exposure.Socket) int {
		if c := strings.Compare(string(a.Protocol), string(b.Protocol)); c != 0 {
			return c
		}
		if a.Port != b.Port {
			return a.Port - b.Port
		}
		return a.Addr.Compare(b.Addr)
	})
	return out, nil
}

// socketOwners maps socket inodes to the processes holding them, by
// reading /proc/PID/fd links ("socket:[12345]").
func socketOwners(ctx context.Context, procRoot string, want map[uint64]int) (map[uint64]Proc, error) {
	out := map[uint64]Proc{}
	if len(want) == 0 {
		return out, nil
	}
	ents, err := os.ReadDir(procRoot)
	if err != nil {
		return nil, err
	}
	for i, e := range ents {
		if i >= maxProcs || len(out) == len(want) {
			break
		}
		if i%64 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid <= 0 {
			continue
		}
		dir := filepath.Join(procRoot, e.Name())
		fds, err := os.ReadDir(filepath.Join(dir, "fd"))
		if err != nil {
			continue // gone, or not ours to read
		}
		var p *Proc
		for _, fd := range fds {
			l, err := os.Readlink(filepath.Join(dir, "fd", fd.Name()))
			if err != nil || !strings.HasPrefix(l, "socket:[") {
				continue
			}
			ino, err := strconv.ParseUint(strings.TrimSuffix(l[len("socket:["):], "]"), 10, 64)
			if _, ok := want[ino]; err != nil || !ok {
				continue
			}
			if p == nil {
				p = &Proc{PID: pid}
				if c, err := os.ReadFile(filepath.Join(dir, "comm")); err == nil {
					p.Comm = strings.TrimSpace(string(c))
				}
				p.Exe, _ = os.Readlink(filepath.Join(dir, "exe"))
				p.Exe = strings.TrimSuffix(p.Exe, " (deleted)")
			}
			if _, seen := out[ino]; !seen {
				out[ino] = *p
			}
		}
	}
	return out, nil
}

// owners answers from the cache when it knows every inode, else walks
// /proc and refreshes the cache (dropping sockets that are gone).
func (c *OwnerCache) owners(ctx context.Context, procRoot string, want map[uint64]int) (map[uint64]Proc, error) {
	if c == nil {
		return socketOwners(ctx, procRoot, want)
	}
	hit := c.m != nil
	for ino := range want {
		if _, ok := c.m[ino]; !ok {
			hit = false
			break
		}
	}
	if hit {
		return c.m, nil
	}
	m, err := socketOwners(ctx, procRoot, want)
	if err != nil {
		return nil, err
	}
	for ino := range want {
		if _, ok := m[ino]; !ok {
			m[ino] = Proc{} // unreadable owner: do not walk again for it
		}
	}
	c.m = m
	return m, nil
}

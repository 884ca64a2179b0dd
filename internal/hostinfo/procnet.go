package hostinfo

import (
	"bufio"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"net/netip"
	"strconv"
	"strings"
)

// RawSocket is one line of /proc/net/{tcp,tcp6,udp,udp6}.
type RawSocket struct {
	Addr  netip.Addr
	Port  int
	State int
	Inode uint64
}

// TCP socket states of /proc/net/tcp (include/net/tcp_states.h).
const (
	stateListen = 0x0A
	stateClose  = 0x07 // an unconnected UDP socket
)

// ProcNetError is a malformed /proc/net table.
type ProcNetError struct {
	Line int
	Why  string
}

func (e *ProcNetError) Error() string { return fmt.Sprintf("/proc/net line %d: %s", e.Line, e.Why) }

// maxProcNetLines bounds the sockets read from one table.
const maxProcNetLines = 1 << 20

// ParseProcNet reads a /proc/net/tcp-style table (IPv4 or IPv6, told
// apart by the address width) and returns every socket in it.
func ParseProcNet(r io.Reader) ([]RawSocket, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 64*1024)
	var out []RawSocket
	for n := 1; sc.Scan(); n++ {
		if n == 1 {
			continue // header
		}
		if n > maxProcNetLines {
			return nil, &ProcNetError{Line: n, Why: "too many lines"}
		}
		f := strings.Fields(sc.Text())
		if len(f) < 10 {
			if len(f) == 0 {
				continue
			}
			return nil, &ProcNetError{Line: n, Why: "too few fields"}
		}
		addr, port, err := parseHexAddr(f[1])
		if err != nil {
			return nil, &ProcNetError{Line: n, Why: err.Error()}
		}
		st, err := strconv.ParseUint(f[3], 16, 8)
		if err != nil {
			return nil, &ProcNetError{Line: n, Why: "state " + f[3]}
		}
		ino, err := strconv.ParseUint(f[9], 10, 64)
		if err != nil {
			return nil, &ProcNetError{Line: n, Why: "inode " + f[9]}
		}
		out = append(out, RawSocket{Addr: addr, Port: port, State: int(st), Inode: ino})
	}
	return out, sc.Err()
}

// parseHexAddr reads "0100007F:1F90" (IPv4) or the 32-digit IPv6 form:
// the address is stored as 32-bit words in host (little-endian) order.
func parseHexAddr(s string) (netip.Addr, int, error) {
	a, p, ok := strings.Cut(s, ":")
	if !ok {
		return netip.Addr{}, 0, fmt.Errorf("address %q: no port", s)
	}
	port, err := strconv.ParseUint(p, 16, 16)
	if err != nil {
		return netip.Addr{}, 0, fmt.Errorf("port %q", p)
	}
	b, err := hex.DecodeString(a)
	if err != nil || (len(b) != 4 && len(b) != 16) {
		return netip.Addr{}, 0, fmt.Errorf("address %q", a)
	}
	for i := 0; i < len(b); i += 4 {
		binary.BigEndian.PutUint32(b[i:], binary.LittleEndian.Uint32(b[i:]))
	}
	addr, _ := netip.AddrFromSlice(b)
	return addr, int(port), nil
}

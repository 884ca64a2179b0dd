package hostinfo

import (
	"net"
	"net/netip"
	"syscall"

	"github.com/vigilsec/vigil/internal/exposure"
)

// Kernel returns the running kernel's release (uname -r) and machine.
func Kernel() (release, machine string, err error) {
	var u syscall.Utsname
	if err := syscall.Uname(&u); err != nil {
		return "", "", err
	}
	return utsString(u.Release[:]), utsString(u.Machine[:]), nil
}

func utsString(b []int8) string {
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c == 0 {
			break
		}
		out = append(out, byte(c))
	}
	return string(out)
}

// Interfaces lists the network interfaces of the current network namespace
// that are up, with their addresses.
func Interfaces() ([]exposure.HostInterface, error) {
	ifs, err := net.Interfaces()
	if err != nil {
		return nil, err
	}
	var out []exposure.HostInterface
	for _, i := range ifs {
		if i.Flags&net.FlagUp == 0 {
			continue
		}
		h := exposure.HostInterface{Name: i.Name, Loopback: i.Flags&net.FlagLoopback != 0}
		addrs, err := i.Addrs()
		if err != nil {
			return nil, err
		}
		for _, a := range addrs {
			n, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip, ok := netip.AddrFromSlice(n.IP)
			if !ok {
				continue
			}
			ones, _ := n.Mask.Size()
			h.Addrs = append(h.Addrs, netip.PrefixFrom(ip.Unmap(), ones))
		}
		out = append(out, h)
	}
	return out, nil
}

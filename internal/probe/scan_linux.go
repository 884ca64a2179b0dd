package probe

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"syscall"
	"time"
)

// inflight is a connection attempt waiting for its outcome.
type inflight struct {
	port     int
	deadline time.Time
}

// connectScan runs non-blocking connect(2) calls multiplexed with epoll:
// up to opt.Concurrency attempts in flight, started no faster than
// opt.Rate per second; a port is open when the connection completes
// (SO_ERROR 0) and is then closed at once. Refused, unreachable and timed
// out attempts count as not open. It returns the open ports, sorted.
func connectScan(ctx context.Context, ip netip.Addr, ports []int, opt Options) ([]int, error) {
	ep, err := syscall.EpollCreate1(syscall.EPOLL_CLOEXEC)
	if err != nil {
		return nil, err
	}
	defer syscall.Close(ep)
	family := syscall.AF_INET
	if ip.Is6() {
		family = syscall.AF_INET6
	}
	sockaddr := func(port int) syscall.Sockaddr {
		if ip.Is4() {
			return &syscall.SockaddrInet4{Port: port, Addr: ip.As4()}
		}
		return &syscall.SockaddrInet6{Port: port, Addr: ip.As16()}
	}
	live := make(map[int]inflight, opt.Concurrency)
	defer func() {
		for fd := range live {
			syscall.Close(fd)
		}
	}()
	var open []int
	events := make([]syscall.EpollEvent, 256)
	start := time.Now()
	next := 0
	lastExpire := start
	for next < len(ports) || len(live) > 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		now := time.Now()
		// Start attempts while the rate and the concurrency allow.
		for next < len(ports) && len(live) < opt.Concurrency {
			if opt.Rate > 0 && float64(next) >= now.Sub(start).Seconds()*float64(opt.Rate) {
				break
			}
			fd, err := syscall.Socket(family, syscall.SOCK_STREAM|syscall.SOCK_NONBLOCK|syscall.SOCK_CLOEXEC, 0)
			if errors.Is(err, syscall.EMFILE) || errors.Is(err, syscall.ENFILE) {
				if len(live) == 0 {
					return nil, err
				}
				break // wait for attempts to finish
			}
			if err != nil {
				return nil, err
			}
			port := ports[next]
			next++
			err = syscall.Connect(fd, sockaddr(port))
			switch {
			case err == nil:
				open = append(open, port)
				syscall.Close(fd)
			case errors.Is(err, syscall.EINPROGRESS):
				ev := syscall.EpollEvent{Events: syscall.EPOLLOUT | syscall.EPOLLERR | syscall.EPOLLHUP, Fd: int32(fd)}
				if err := syscall.EpollCtl(ep, syscall.EPOLL_CTL_ADD, fd, &ev); err != nil {
					syscall.Close(fd)
					return nil, err
				}
				live[fd] = inflight{port: port, deadline: now.Add(opt.Timeout)}
			default: // refused, unreachable
				syscall.Close(fd)
			}
		}
		wait := 20 // ms; short enough for the pacer and the deadlines
		if next >= len(ports) || len(live) >= opt.Concurrency {
			wait = 50
		}
		n, err := syscall.EpollWait(ep, events, wait)
		if err != nil && !errors.Is(err, syscall.EINTR) {
			return nil, err
		}
		for _, ev := range events[:max(n, 0)] {
			fd := int(ev.Fd)
			a, ok := live[fd]
			if !ok {
				continue
			}
			if v, err := syscall.GetsockoptInt(fd, syscall.SOL_SOCKET, syscall.SO_ERROR); err == nil && v == 0 {
				open = append(open, a.port)
			}
			syscall.Close(fd) // also leaves the epoll set
			delete(live, fd)
		}
		if now := time.Now(); now.Sub(lastExpire) >= 50*time.Millisecond {
			lastExpire = now
			for fd, a := range live {
				if now.After(a.deadline) {
					syscall.Close(fd)
					delete(live, fd)
				}
			}
		}
	}
	slices.Sort(open)
	return open, nil
}

package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"
)

// Options configure a scan.
type Options struct {
	// Rate bounds new connection attempts per second (0 = unbounded).
	Rate int
	// Concurrency bounds connections in flight; 512 when zero.
	Concurrency int
	// Timeout bounds one connection attempt (a filtered port costs this
	// much); 1s when zero.
	Timeout time.Duration
	// Banners reads a service banner from each open port.
	Banners bool
	// BannerTimeout bounds each banner step; 2s when zero.
	BannerTimeout time.Duration
}

// Result is one open port.
type Result struct {
	Port    int      `json:"port"`
	Service *Service `json:"service,omitempty"`
}

// Service is what a banner says about an open port.
type Service struct {
	// Name is "ssh", "http", "https" or "tls" when recognised.
	Name   string `json:"name,omitempty"`
	Banner string `json:"banner,omitempty"` // SSH identification line
	Server string `json:"server,omitempty"` // HTTP Server header
	// TLS details: certificate subject, DNS names, negotiated ALPN.
	TLSSubject string   `json:"tlsSubject,omitempty"`
	TLSNames   []string `json:"tlsNames,omitempty"`
	ALPN       string   `json:"alpn,omitempty"`
	TLSVersion string   `json:"tlsVersion,omitempty"`
}

// Report is the answer of Scan.
type Report struct {
	Target  string        `json:"target"`
	Addr    string        `json:"addr"`
	Scanned int           `json:"scanned"`
	Open    []Result      `json:"open"`
	Elapsed time.Duration `json:"elapsedNs"`
}

// Scan connects to every port of target (a host name or address; the
// first resolved address is used) and returns the open ones, sorted, with
// banners when asked.
func Scan(ctx context.Context, target string, ports []int, opt Options) (*Report, error) {
	if opt.Concurrency <= 0 {
		opt.Concurrency = 512
	}
	if opt.Timeout <= 0 {
		opt.Timeout = time.Second
	}
	if opt.BannerTimeout <= 0 {
		opt.BannerTimeout = 2 * time.Second
	}
	addrs, err := net.DefaultResolver.LookupHost(ctx, target)
	if err != nil {
		return nil, err
	}
	if len(addrs) == 0 {
		return nil, errors.New("probe: " + target + " has no address")
	}
	addr := addrs[0]
	ip, err := netip.ParseAddr(addr)
	if err != nil {
		return nil, err
	}
	start := time.Now()
	open, err := connectScan(ctx, ip.Unmap(), ports, opt)
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep := &Report{Target: target, Addr: addr, Scanned: len(ports), Open: []Result{}}
	for _, port := range open {
		rep.Open = append(rep.Open, Result{Port: port})
	}
	if opt.Banners {
		var bw sync.WaitGroup
		sem := make(chan struct{}, 32)
		for i := range rep.Open {
			bw.Add(1)
			sem <- struct{}{}
			go func(r *Result) {
				defer bw.Done()
				defer func() { <-sem }()
				r.Service = banner(ctx, addr, r.Port, opt.BannerTimeout)
			}(&rep.Open[i])
		}
		bw.Wait()
	}
	rep.Elapsed = time.Since(start)
	return rep, nil
}

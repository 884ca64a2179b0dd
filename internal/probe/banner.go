package probe

import (
	"bufio"
	"context"
	"crypto/tls"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// banner identifies the service on an open port: a banner the server
// sends first (SSH), else a TLS handshake (certificate subject, ALPN; then
// HTTP over TLS), else a plain HTTP request (Server header). Nil when
// nothing was recognised.
func banner(ctx context.Context, addr string, port int, timeout time.Duration) *Service {
	hp := net.JoinHostPort(addr, strconv.Itoa(port))
	d := net.Dialer{Timeout: timeout}
	if c, err := d.DialContext(ctx, "tcp", hp); err == nil {
		_ = c.SetReadDeadline(time.Now().Add(timeout / 2))
		line, _ := bufio.NewReaderSize(c, 512).ReadString('\n')
		c.Close()
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "SSH-") {
			return &Service{Name: "ssh", Banner: clip(line)}
		}
		if line != "" {
			return &Service{Banner: clip(line)}
		}
	}
	if s := tlsProbe(ctx, &d, hp, timeout); s != nil {
		return s
	}
	if srv, ok := httpProbe(ctx, &d, hp, timeout, nil); ok {
		return &Service{Name: "http", Server: srv}
	}
	return nil
}

func clip(s string) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) > 200 {
		return s[:200]
	}
	return s
}

func tlsProbe(ctx context.Context, d *net.Dialer, hp string, timeout time.Duration) *Service {
	raw, err := d.DialContext(ctx, "tcp", hp)
	if err != nil {
		return nil
	}
	defer raw.Close()
	_ = raw.SetDeadline(time.Now().Add(timeout))
	// Identification only: the certificate is reported, not trusted.
	c := tls.Client(raw, &tls.Config{InsecureSkipVerify: true, NextProtos: []string{"h2", "http/1.1"}}) //nolint:gosec // a probe reports certificates, it does not trust them
	if err := c.HandshakeContext(ctx); err != nil {
		return nil
	}
	st := c.ConnectionState()
	s := &Service{Name: "tls", ALPN: st.NegotiatedProtocol, TLSVersion: tls.VersionName(st.Version)}
	if len(st.PeerCertificates) > 0 {
		cert := st.PeerCertificates[0]
		s.TLSSubject, s.TLSNames = cert.Subject.String(), cert.DNSNames
	}
	if st.NegotiatedProtocol != "h2" {
		if srv, ok := httpProbe(ctx, d, hp, timeout, c); ok {
			s.Name, s.Server = "https", srv
		}
	}
	return s
}

// httpProbe sends HEAD / and returns the Server header; conn, when not
// nil, is an established (TLS) connection to use.
func httpProbe(ctx context.Context, d *net.Dialer, hp string, timeout time.Duration, conn net.Conn) (string, bool) {
	if conn == nil {
		c, err := d.DialContext(ctx, "tcp", hp)
		if err != nil {
			return "", false
		}
		defer c.Close()
		conn = c
	}
	_ = conn.SetDeadline(time.Now().Add(timeout))
	if _, err := conn.Write([]byte("HEAD / HTTP/1.0\r\nHost: " + hp + "\r\nUser-Agent: vigil-probe\r\n\r\n")); err != nil {
		return "", false
	}
	resp, err := http.ReadResponse(bufio.NewReaderSize(conn, 4096), nil)
	if err != nil {
		return "", false
	}
	resp.Body.Close()
	return clip(resp.Header.Get("Server")), true
}

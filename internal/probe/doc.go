// Package probe is vigil's optional active check: a rate-limited,
// concurrent TCP connect scan of one target with service banners (SSH
// banner, HTTP Server header, TLS certificate subject and ALPN), to
// confirm from the scanner's vantage point what the static reachability
// analysis predicts. It is never run unless asked for.
package probe

// Package agent is the vigil host agent: it enrolls once with an
// enrollment token and keeps the credential it receives in its state
// directory, then reports the host's package inventory (the extractors of
// `vigil scan fs`), OS and running kernel, listening sockets with their
// process and package, and host firewall to the server — at start, when
// the content changes, and on an interval — retrying with bounded,
// jittered exponential backoff while the server is unreachable. It runs at
// low CPU and I/O priority.
package agent

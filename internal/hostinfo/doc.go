// Package hostinfo collects what the vigil agent reports about the host it
// runs on, besides the package inventory: listening sockets with their
// owning process and package (from /proc), network interfaces, the host
// firewall (nft or iptables-save output, parsed by internal/exposure), the
// running kernel, and the process's own CPU and I/O priority.
package hostinfo

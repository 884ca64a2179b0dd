package match

import (
	"strings"

	"github.com/vigilsec/vigil/internal/model"
)

// notKernel lists source packages named linux-* that are not a kernel.
var notKernel = map[string]bool{
	"linux-pam":        true,
	"linux-atm":        true,
	"linux-ftpd":       true,
	"linux-firmware":   true,
	"linux-base":       true,
	"linux-headers":    true, // Alpine's userspace kernel headers
	"linux-sound-base": true,
}

// isKernel reports whether p is a kernel package: a Debian, Ubuntu or
// Alpine package built from a linux* source, or an RPM kernel* package.
func isKernel(fam family, p *model.Package) bool {
	switch fam {
	case famDeb, famAPK:
		name := p.SourceName
		if name == "" {
			name = p.Name
		}
		return name == "linux" || strings.HasPrefix(name, "linux-") && !notKernel[name]
	case famRPM:
		return p.Name == "kernel" || strings.HasPrefix(p.Name, "kernel-")
	}
	return false
}

// skipKernel says whether a kernel package must not be matched: always in
// images (a container runs its host's kernel), and on hosts every kernel
// package but the running one unless opts.AllKernels. When the running
// kernel is unknown, a host's kernel packages are all matched.
func skipKernel(fam family, p *model.Package, os *model.OS, opts *Options) bool {
	if !isKernel(fam, p) {
		return false
	}
	switch opts.Target {
	case model.TargetImage:
		return true
	case model.TargetHost:
		if opts.AllKernels || os == nil || os.Kernel == "" {
			return false
		}
		return !isRunningKernel(fam, p, os.Kernel)
	}
	return false
}

// isRunningKernel reports whether p belongs to the kernel whose release
// (uname -r) is running.
func isRunningKernel(fam family, p *model.Package, running string) bool {
	switch fam {
	case famDeb:
		// linux-image-6.1.0-13-amd64 for 6.1.0-13-amd64.
		return strings.HasSuffix(p.Name, "-"+running)
	case famRPM:
		// kernel-core 5.14.0-362.8.1.el9_3 for 5.14.0-362.8.1.el9_3.x86_64.
		v := p.Version
		if i := strings.IndexByte(v, ':'); i >= 0 {
			v = v[i+1:]
		}
		return running == v || strings.HasPrefix(running, v+".")
	case famAPK:
		// linux-lts 6.6.14-r0 for 6.6.14-0-lts.
		v, _, _ := strings.Cut(p.Version, "-r")
		return strings.HasPrefix(running, v+"-")
	}
	return false
}

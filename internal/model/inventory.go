package model

import "time"

// Package is one installed or declared software package found by the index
// stage.
type Package struct {
	// Ecosystem is the OSV base ecosystem ("Debian", "npm"). For packages of
	// a distribution it is the distribution's ecosystem; the release comes
	// from the inventory's OS.
	Ecosystem Ecosystem `json:"ecosystem"`
	// Name is the package name as its ecosystem spells it (dpkg binary
	// package name, npm name with scope, Maven "group:artifact", Go module
	// path, "stdlib" for the Go toolchain).
	Name string `json:"name"`
	// Version is the full version as the ecosystem writes it, including any
	// epoch and revision (dpkg "1:2.3-4", rpm "1:2.3-4.el9", apk "1.2-r3").
	Version string `json:"version"`
	// SourceName and SourceVersion are the source package for distro
	// packages (dpkg Source:, rpm SOURCERPM, apk origin); empty when the
	// binary package is its own source.
	SourceName    string `json:"sourceName,omitempty"`
	SourceVersion string `json:"sourceVersion,omitempty"`
	// Arch is the package architecture when the database records one.
	Arch string `json:"arch,omitempty"`
	// PURL is the package URL (https://github.com/package-url/purl-spec).
	PURL string `json:"purl"`
	// Manager says what kind of file the package was found in.
	Manager PackageManager `json:"packageManager"`
	// Path is the file the package was read from, relative to the scanned
	// root and slash-separated, with a leading slash ("/var/lib/dpkg/status",
	// "/app/package-lock.json"); for nested archives, "/a.jar!/b.jar".
	Path string `json:"path"`
	// Layer is the digest (diff id) of the image layer that introduced the
	// package; empty outside images.
	Layer string `json:"layer,omitempty"`
	// Extractor names the extractor that found it.
	Extractor string `json:"extractor,omitempty"`
	// Dev is true for development-only dependencies declared in a lockfile.
	Dev bool `json:"dev,omitempty"`
	// Licenses lists declared licences, when the source records them.
	Licenses []string `json:"licenses,omitempty"`
	// OwnedBy is the name of the OS package that installed this file;
	// such packages are matched through the OS package, not their own
	// ecosystem. Empty for OS packages and for files no OS package owns.
	OwnedBy string `json:"ownedBy,omitempty"`
}

// Key identifies a package within one inventory: ecosystem, name, version
// and path. Two findings on the same key describe the same installed thing.
func (p *Package) Key() string {
	return string(p.Ecosystem) + "\x00" + p.Name + "\x00" + p.Version + "\x00" + p.Path
}

// OS describes the operating system of a scanned root, read from
// os-release and the distribution's own release files.
type OS struct {
	// ID is os-release's ID ("debian", "ubuntu", "alpine", "rhel", …).
	ID string `json:"id"`
	// VersionID is os-release's VERSION_ID ("12", "22.04", "3.18.4").
	VersionID string `json:"versionId,omitempty"`
	// Codename is VERSION_CODENAME ("bookworm", "jammy").
	Codename string `json:"codename,omitempty"`
	// PrettyName is PRETTY_NAME, for people.
	PrettyName string `json:"prettyName,omitempty"`
	// Ecosystem is the OSV ecosystem of the distribution's packages;
	// empty when the distribution is unknown.
	Ecosystem Ecosystem `json:"ecosystem,omitempty"`
	// Release is the OSV ecosystem suffix of this release: "12" for
	// Debian:12, "22.04:LTS" for Ubuntu, "v3.18" for Alpine, "9" for
	// AlmaLinux:9. Empty when unknown.
	Release string `json:"release,omitempty"`
	// Distroless is true when the root holds dpkg status.d but no dpkg.
	Distroless bool `json:"distroless,omitempty"`
	// Kernel is the running kernel release, reported by agents for hosts
	// only (never for images).
	Kernel string `json:"kernel,omitempty"`
	// Unknown is true when a distribution was present but not recognised;
	// its language packages are still inventoried.
	Unknown bool `json:"unknown,omitempty"`
}

// OSVEcosystem returns the OSV ecosystem string for this OS's packages
// ("Debian:12", "Alpine:v3.18"), or "" when the OS is not known.
func (o *OS) OSVEcosystem() string {
	if o == nil || o.Ecosystem == "" {
		return ""
	}
	if o.Release == "" {
		return string(o.Ecosystem)
	}
	return string(o.Ecosystem) + ":" + o.Release
}

// Layer is one layer of a container image.
type Layer struct {
	// Digest is the compressed blob digest; DiffID the uncompressed one.
	Digest string `json:"digest"`
	DiffID string `json:"diffId"`
	// CreatedBy is the history command that made the layer, when known.
	CreatedBy string `json:"createdBy,omitempty"`
	// Size is the compressed size in bytes.
	Size int64 `json:"size,omitempty"`
}

// TargetKind says what sort of thing was indexed.
type TargetKind string

// Target kinds.
const (
	TargetImage    TargetKind = "image"
	TargetFS       TargetKind = "fs"
	TargetFunction TargetKind = "function"
	TargetSBOM     TargetKind = "sbom"
	TargetHost     TargetKind = "host"
)

// Target names the indexed resource.
type Target struct {
	Kind TargetKind `json:"kind"`
	// Name is what the user gave: an image reference, a path, a file.
	Name string `json:"name"`
	// Digest is the image manifest digest, or a content hash for other
	// targets when one is known.
	Digest string `json:"digest,omitempty"`
	// Repository and Tags are set for images from a registry reference.
	Repository string   `json:"repository,omitempty"`
	Tags       []string `json:"tags,omitempty"`
	// Platform is "os/arch[/variant]" for images.
	Platform string `json:"platform,omitempty"`
}

// Issue records something that made an inventory incomplete: a limit hit,
// a file that could not be parsed, a plugin that failed.
type Issue struct {
	// Plugin is the extractor or stage that met the problem.
	Plugin string `json:"plugin"`
	// Path is the file concerned, when there is one.
	Path string `json:"path,omitempty"`
	// Reason says what happened, in a sentence.
	Reason string `json:"reason"`
	// Limit is set when the issue is a limit being hit ("max-files", …).
	Limit string `json:"limit,omitempty"`
}

// Inventory is the result of the index stage for one target: what is
// installed, where it came from, and whether the view is complete.
type Inventory struct {
	Target   Target    `json:"target"`
	OS       *OS       `json:"os,omitempty"`
	Packages []Package `json:"packages"`
	Layers   []Layer   `json:"layers,omitempty"`
	// Partial is true when a limit or a failing plugin left the inventory
	// incomplete; Issues says why.
	Partial bool    `json:"partial,omitempty"`
	Issues  []Issue `json:"issues,omitempty"`
	// IndexedAt is when the index stage finished.
	IndexedAt time.Time `json:"indexedAt"`
}

// Package dpkg extracts the packages installed on Debian and Ubuntu systems
// from the dpkg database: /var/lib/dpkg/status, and the one-file-per-package
// /var/lib/dpkg/status.d/<name> stanzas of distroless images (the .md5sums
// and other control files beside them are skipped).
//
// Only installed packages are reported: in the status file a stanza needs a
// Status whose state is "installed" (or "triggers-awaited" /
// "triggers-pending", which dpkg also counts as installed); a status.d
// stanza without Status counts as installed. Stanzas without a package name
// or version are skipped.
//
// Version is the Version field exactly as dpkg prints it, epoch included
// ("1:2.5.1-4"). SourceName is the Source field's name and SourceVersion
// its "(version)" suffix, or the binary version when there is none; both are
// empty when there is no Source field (the package is its own source).
// Packages carry Ecosystem Debian and a pkg:deb/debian purl, because an
// extractor does not know the OS: the index stage calls Qualify with the
// detected OS to switch Ubuntu packages to the Ubuntu ecosystem and to set
// the purl namespace and distro qualifier.
//
// Owner reads the per-package file lists (/var/lib/dpkg/info/<name>.list)
// for the index stage, which marks the language packages those files are
// (model.Package.OwnedBy); status.d roots have no lists.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. This parser
// is vigil's own; scalibr was read for reference only.
package dpkg

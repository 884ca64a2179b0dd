// Package rpm extracts the packages installed on RPM-based systems (Red Hat
// Enterprise Linux and its rebuilds, Fedora, SUSE, Azure Linux, Amazon and
// Oracle Linux) from the rpm database in any of its three formats:
//
//   - Berkeley DB hash ("Packages", rpm before 4.16),
//   - NDB ("Packages.db", SUSE),
//   - SQLite ("rpmdb.sqlite", rpm 4.16 and later),
//
// under /var/lib/rpm or /usr/lib/sysimage/rpm. The format is recognised from
// the file's content, not its name. The Berkeley DB and NDB readers and the
// header parser are vigil's own and read through Input.ReaderAt with every
// size, count and page chain bounded; a damaged or hostile file gives a
// ParseError, never a panic or a hang. The SQLite database is copied into
// Input.TempDir and opened read-only with the pure-Go modernc.org/sqlite
// driver, the one SQLite vigil links.
//
// What the matcher gets: Name is the rpm NAME; Version is "VERSION-RELEASE"
// ("1.11-16.1.el8"), prefixed with "EPOCH:" when the epoch is greater than
// zero ("1:2.3-4.el9") — the form OSV's RPM ecosystems use. SourceName is
// the source rpm's name (SOURCERPM without "-VERSION-RELEASE.src.rpm") and
// SourceVersion its "VERSION-RELEASE", with the binary's epoch prefixed the
// same way. Arch is ARCH; Licenses holds LICENSE as one expression. The
// gpg-pubkey pseudo-packages (imported signing keys) are skipped.
//
// An extractor does not know the OS: packages carry Ecosystem "Red Hat" and
// a pkg:rpm purl without namespace, and the index stage calls Qualify with
// the detected OS to set the distribution's ecosystem, purl namespace and
// distro qualifier.
//
// Owner reads the file lists of the same headers (BASENAMES, DIRNAMES,
// DIRINDEXES; OLDFILENAMES in pre-4.1 headers) through the same database
// readers, for the index stage, which marks the language packages those
// files are (model.Package.OwnedBy). It is checked against rpm's own
// FILENAMES where rpm reads the format.
//
// github.com/knqyf263/go-rpmdb was considered: it opens files by path, and
// its SQLite backend registers a second "sqlite" database/sql driver next
// to modernc.org/sqlite, which panics at start-up when both are linked.
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. Both were
// read for reference only.
package rpm

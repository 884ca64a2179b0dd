// Package composer extracts PHP (Packagist) packages from composer.lock and
// from Composer's record of installed packages, vendor/composer/installed.json
// (the Composer 1 list form and the Composer 2 {"packages": [...]} form).
//
// composer.lock "packages" are runtime dependencies and "packages-dev" are
// reported with Dev set; in installed.json v2, the names listed in
// "dev-package-names" are Dev. Manager is COMPOSER for both.
//
// Versions keep Composer's string as written, including a leading "v"
// ("v1.27.0"): OSV Packagist records list affected versions exactly as
// published ("v3.10.0" in GHSA-77rm-9x9h-xj3g's versions) while their range
// events are normalised ("3.15.0"), so the exact string is what enumerated
// versions match, and the Packagist comparison in internal/version is the
// place that ignores the "v" for ranges.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. These parsers
// are vigil's own; scalibr was read for reference only.
package composer

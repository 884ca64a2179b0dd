// Package npm holds the extractors for the JavaScript (npm registry)
// ecosystem: package-lock.json and npm-shrinkwrap.json (lockfile versions
// 1, 2 and 3), yarn.lock (classic v1 and berry v2+), pnpm-lock.yaml
// (lockfile versions 5, 6 and 9) and the package.json files of packages
// installed under node_modules.
//
// Every extractor is pure: it reads the bytes of one file and returns
// packages with Ecosystem npm, the package name as npm spells it (with its
// scope, "@babel/core"), the exact version, a purl
// ("pkg:npm/%40babel/core@7.0.0") and the Manager of the file kind. A
// lockfile lists each (name, version) once even when the tree installs it
// at several places; Dev is set only when every occurrence is a
// development dependency.
//
// Lockfiles found inside node_modules are ignored: they describe how a
// dependency was developed, not what is installed. The project's own
// package and its workspace members (links, "workspace:", "link:" and
// "portal:" resolutions) are not reported: they are the code being
// scanned, not dependencies.
//
// osv-scalibr v0.5.3 was evaluated as a source of these parsers and not
// used: its extractors are bound to its own file system, ScanInput and
// walker and it would add about 140 modules, while vigil's walker streams
// image layers and offers single files. These parsers are written for
// vigil; other scanners' code was read for reference only.
package npm

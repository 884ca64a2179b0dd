// Package python holds the extractors for the Python (PyPI) ecosystem:
// installed distributions (*.dist-info/METADATA, *.egg-info/PKG-INFO and
// bare PKG-INFO files), pinned requirements files, poetry.lock,
// Pipfile.lock and uv.lock.
//
// Every extractor is pure: it reads the bytes of one file and returns
// packages with Ecosystem PyPI, the name as the file spells it ("Flask"),
// the version, a purl carrying the PEP 503 normalised name
// ("pkg:pypi/flask@2.0.0") and the Manager of the file kind. Matching must
// compare names normalised (NormalizeName), as PyPI does.
//
// Only what a file pins is reported: a requirements line is a package
// when it says name==version (or ===); ranges, URLs and editable
// installs are not versions. The project itself (uv's editable or virtual
// root, workspace members) is not a dependency and is left out.
//
// osv-scalibr v0.5.3 was evaluated as a source of these parsers and not
// used: its extractors are bound to its own file system, ScanInput and
// walker and it would add about 140 modules, while vigil's walker streams
// image layers and offers single files. These parsers are written for
// vigil; other scanners' code was read for reference only.
package python

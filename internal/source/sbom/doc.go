// Package sbom reads a software bill of materials — CycloneDX JSON (1.2 to
// 1.6) or SPDX 2.x JSON, as written by syft, trivy, vigil and others — and
// turns its packages into an inventory, so that an SBOM can be scanned
// like an image or a directory.
//
// Packages are identified by their purls. The purl type gives the
// ecosystem; the `distro` qualifier (or an operating-system component)
// gives the distribution release, so distro packages are matched against
// their own distribution's advisories; the source package of a deb or rpm
// comes from the `upstream` qualifier (syft) or the tool's properties
// (trivy's SrcName/SrcVersion, vigil's source-name/source-version). A
// package with no purl, or a purl of a type vigil does not match, is kept
// out and counted in an issue, never silently.
package sbom

// Package dotnet extracts NuGet packages from NuGet lockfiles
// (packages.lock.json, Manager NUGET) and from the dependency manifests .NET
// writes next to a built application (*.deps.json, Manager DOTNET_CORE).
//
// packages.lock.json: every target framework's dependencies are read; types
// Direct, Transitive and CentralTransitive are reported and Project (another
// project of the same solution) is skipped. A package locked for several
// frameworks at the same version is reported once.
//
// *.deps.json: the "libraries" entries of type "package" ("Name/Version")
// are reported; "project" and "reference assembly" entries are the
// application's own code or the framework and are skipped.
//
// Output is sorted by name then version, so it does not depend on JSON
// object order.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. These parsers
// are vigil's own; scalibr was read for reference only.
package dotnet

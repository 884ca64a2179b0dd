// Package java extracts Maven packages from Java archives, pom.xml files
// and Gradle lockfiles. Every package has Ecosystem Maven, Name
// "groupId:artifactId" and a pkg:maven/group/artifact@version purl.
//
// # Archives (Manager JAR)
//
// jar, war, ear, par, sar (and Jenkins jpi/hpi) files are read as zip
// archives, in memory, never extracted to disk. An archive's own identity
// comes from the best source it holds, in decreasing confidence:
//
//  1. high: every META-INF/maven/**/pom.properties (groupId, artifactId,
//     version); a shaded jar holds several and yields several packages;
//  2. medium: META-INF/MANIFEST.MF — version from Implementation-Version,
//     then Bundle-Version, then Specification-Version; group from
//     Implementation-Vendor-Id, or Bundle-SymbolicName when it ends with the
//     artifact; artifact from Bundle-SymbolicName minus the group, then the
//     file name;
//  3. low: the file name alone ("name-1.2.3.jar"), only when nothing above is
//     known.
//
// When no group can be found (3, and 2 without a group), Name is the bare
// artifactId and the purl has no namespace: such a package stays in the
// inventory but will rarely match an OSV Maven record, which always names
// "group:artifact". model.Package has no confidence field; the manager JAR
// is the same for all three.
//
// Archives inside an archive (WEB-INF/lib/*.jar in a war, BOOT-INF/lib/*.jar
// in a Spring Boot fat jar, wars and jars in an ear) are read recursively;
// their packages carry Path "/outer.war!/WEB-INF/lib/x.jar". Nesting is
// bounded by Limits.MaxDepth; the entries listed by Limits.MaxFiles (and a
// per-file cap); every entry is inflated only when its declared size is
// within both an absolute cap and Limits.MaxDecompressionRatio times its
// compressed size, and the bytes read are capped again while inflating, so a
// zip bomb is never inflated. A limit that is hit yields the packages found
// so far plus an *extract.LimitError.
//
// # pom.xml (Manager POM)
//
// Declared dependencies with literal versions, or versions resolved from
// "${property}" references to the same pom's <properties>, project.* and
// parent.* coordinates, and from the same pom's <dependencyManagement>.
// Scope test is Dev; import-scoped BOMs are not dependencies. Parents and
// BOMs are never fetched: dependencies whose version stays unresolved are
// skipped and listed in an *UnresolvedError returned with the others. The
// project itself is not reported.
//
// # gradle.lockfile (Manager GRADLE)
//
// "group:artifact:version=configuration,…" lines. A package locked only in
// test configurations (names starting with "test") is Dev.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. These parsers
// are vigil's own; scalibr was read for reference only.
package java

// Package debian parses the Debian Security Tracker's advisory lists into
// OSV records.
//
// # Upstream format
//
// The tracker (https://salsa.debian.org/security-tracker-team/security-tracker,
// served at https://security-tracker.debian.org/) keeps one plain-text list
// per advisory kind: data/DSA/list (Debian Security Advisories) and
// data/DLA/list (Debian LTS Advisories). Each advisory is a header line
// followed by indented lines:
//
//	[29 Mar 2023] DSA-5380-1 xorg-server - security update
//		{CVE-2023-1393}
//		[bullseye] - xorg-server 2:1.20.11-1+deb11u6
//		NOTE: free text
//
// The braces hold the CVE ids the advisory fixes; every "[release] -
// source-package version" line names a fixed source version in one Debian
// release. In place of a version a line may hold a marker: <not-affected>
// (followed by a reason in parentheses), <unfixed>, <end-of-life>, and in
// the tracker's other lists <no-dsa>, <ignored>, <postponed>, <removed>,
// <undetermined>. A trailing parenthesised note may carry bug numbers and a
// Debian urgency: "(bug #322591; medium)".
//
// # Mapping to OSV
//
// ParseTrackerList follows osv.dev's Debian converter (which also reads
// these lists), without the web pages it joins for details:
//
//   - one record per header line; id is the advisory id ("DSA-5380-1"),
//     summary the rest of the header line, published the header date and
//     modified the same date (the list has no better one);
//   - the ids in braces go to upstream, not aliases: one DSA fixes many CVEs,
//     so it is not another name of any single one of them;
//   - each version line becomes one affected entry for ecosystem
//     "Debian:<release number>" (codename mapped by ReleaseNumber), package
//     = the source package, with an ECOSYSTEM range introduced "0" → fixed
//     <version>;
//   - a marker line becomes an affected entry without a fixed event whose
//     ecosystem_specific holds {"fix_state": "not-fixed"|"wont-fix",
//     "debian_status": "<marker>"}; <not-affected> lines produce no affected
//     entry and are listed in the record's database_specific.not_affected;
//   - an urgency in the note goes to ecosystem_specific.urgency, bug numbers
//     become REPORT references to bugs.debian.org; NOTE lines are ignored;
//   - every record gets an ADVISORY reference to its tracker page;
//   - unlike osv.dev, advisories without affected entries (end-of-life
//     notices, key changes, all-<not-affected>) are kept, so that there is
//     one record per header line; a feed may drop them.
//
// Input is untrusted: lines, records and per-record entries are bounded
// (MaxLineLength, MaxRecords, MaxEntries) and anything the parser does not
// recognise is a *ParseError naming the line, never a panic.
package debian

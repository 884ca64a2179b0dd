// Package kev parses CISA's Known Exploited Vulnerabilities catalog.
//
// # Upstream format
//
// The catalog is one JSON document, published at
// https://www.cisa.gov/sites/default/files/feeds/known_exploited_vulnerabilities.json
// (mirrored at https://github.com/cisagov/kev-data, which also holds its
// JSON schema):
//
//	{"title": "…", "catalogVersion": "2025.08.25",
//	 "dateReleased": "2025-08-25T17:04:19.9796Z", "count": 1404,
//	 "vulnerabilities": [{"cveID": "CVE-2025-48384", "vendorProject": "Git",
//	   "product": "Git", "vulnerabilityName": "…", "dateAdded": "2025-08-25",
//	   "shortDescription": "…", "requiredAction": "…", "dueDate": "2025-09-15",
//	   "knownRansomwareCampaignUse": "Unknown", "notes": "…", "cwes": […]}]}
//
// Parse checks what the schema requires (catalogVersion, dateReleased,
// count, vulnerabilities; per entry cveID, vendorProject, product,
// vulnerabilityName, dateAdded, shortDescription, requiredAction, dueDate),
// the formats of ids and dates, that count matches the entries and that no
// CVE is listed twice, so that a truncated or damaged download is refused
// rather than silently used. Errors are *ParseError. Sizes are bounded by
// MaxFileSize and MaxEntries.
package kev

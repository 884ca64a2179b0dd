// Package nvd reads NVD CVE API 2.0 responses for the CVSS vectors and
// weaknesses that enrich vigil's findings.
//
// # Upstream format
//
// The NVD CVE API (https://services.nvd.nist.gov/rest/json/cves/2.0,
// documented at https://nvd.nist.gov/developers/vulnerabilities) answers
// with pages like
//
//	{"resultsPerPage": 1, "startIndex": 0, "totalResults": 1,
//	 "format": "NVD_CVE", "version": "2.0", "timestamp": "…",
//	 "vulnerabilities": [{"cve": {"id": "CVE-2024-3094",
//	   "published": "2024-03-29T17:15:21.150", "lastModified": "…",
//	   "metrics": {"cvssMetricV31": [{"source": "nvd@nist.gov",
//	     "type": "Primary", "cvssData": {"version": "3.1",
//	     "vectorString": "CVSS:3.1/…", "baseScore": 10, …}}], …},
//	   "weaknesses": [{"source": "…", "type": "Primary",
//	     "description": [{"lang": "en", "value": "CWE-506"}]}]}}]}
//
// # What Parse keeps
//
// For each CVE: its id, published and lastModified times (NVD writes them
// without a zone; they are UTC), every CVSS metric of versions 2.0, 3.0,
// 3.1 and 4.0 (other metrics, such as CISA's SSVC, are skipped) with the
// base score as NVD gives it and Source "<source> (<type>)", e.g.
// "nvd@nist.gov (Primary)", ordered newest CVSS version first and within a
// version Primary before Secondary; and the CWE ids of all weaknesses,
// deduplicated and sorted (NVD's placeholders NVD-CWE-noinfo and
// NVD-CWE-Other are not weaknesses and are dropped).
//
// Input is untrusted: the response size and CVE count are bounded
// (MaxFileSize, MaxCVEs), and a CVE without a valid id or dates, or a
// metric without a vector, a score in [0, 10] or a version matching its
// key, is a *ParseError naming the CVE.
package nvd

// Package epss parses FIRST's Exploit Prediction Scoring System daily
// score files.
//
// # Upstream format
//
// FIRST publishes one CSV per day, gzipped, at
// https://epss.empiricalsecurity.com/epss_scores-YYYY-MM-DD.csv.gz (formerly
// https://epss.cyentia.com/; the current one is linked from
// https://www.first.org/epss/data_stats). The file starts with a comment
// line naming the model and score date, then a header and one row per CVE
// (about 300,000 rows):
//
//	#model_version:v2023.03.01,score_date:2025-02-20T00:00:00+0000
//	cve,epss,percentile
//	CVE-1999-0001,0.00383,0.73075
//
// Parse accepts the file gzipped or plain (it sniffs the gzip magic), and
// also without the comment line (as in the oldest files). It is written
// for the full daily file: rows are read without per-row allocations except
// for the result, and the CVE ids share one backing string. Input is
// bounded by MaxRows and MaxLineLength; a malformed row is a *ParseError
// naming its line, never a panic.
package epss

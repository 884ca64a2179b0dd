// Package ruby extracts RubyGems packages from Bundler's Gemfile.lock and
// from installed gem specifications (specifications/*.gemspec).
//
// Gemfile.lock: the specs of the GEM and GIT sections ("    name (version)"
// lines, four spaces deep) are reported with Manager BUNDLER. A platform
// suffix ("1.13.3-x86_64-linux") is split off the version, as Bundler does
// (everything after the first '-'), and kept as the purl's "platform"
// qualifier. PATH specs are local gems of the project itself, not something
// installed from rubygems.org, and are skipped (the same rule as local crates
// in package cargo); unknown sections are ignored.
//
// Installed gemspecs: the stub gemspecs RubyGems writes under
// specifications/ assign literal strings ("s.name = \"rss\".freeze",
// "s.version = \"0.2.9\""); those literals are read with Manager GEMSPEC. A
// gemspec whose name or version is computed (a constant, a method call) is
// reported as a ParseError rather than guessed.
//
// osv-scalibr v0.5.3 was evaluated and not used: its extractors are bound to
// its own FS, ScanInput and walker and it adds about 140 modules, while
// vigil's walker streams image layers and offers single files. These parsers
// are vigil's own; scalibr was read for reference only.
package ruby

-- The index on seq keeps only the package index rows written before
-- migration 014 (their packages inline, part NULL). A newer row is
-- deleted by its place in the primary key, (ecosystem, name, seq), the
-- names read from its inventory's chunks; an entry per row in this
-- index cost every push one more insert per package name (BENCHMARKS.md,
-- "package data in chunks").
DROP INDEX inventory_packages_seq;
CREATE INDEX inventory_packages_seq ON inventory_packages(seq) WHERE part IS NULL;

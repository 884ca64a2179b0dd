package rpm

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"os"

	// The pure-Go SQLite driver vigil uses everywhere ("sqlite").
	_ "modernc.org/sqlite"
)

// sqliteMagic starts every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// readSQLite copies an rpmdb.sqlite into tempDir (the driver needs a real
// file), opens it read-only and calls fn with each package header blob.
func readSQLite(ctx context.Context, r io.ReaderAt, size int64, tempDir string, fn func([]byte) error) error {
	f, err := os.CreateTemp(tempDir, "rpmdb-*.sqlite")
	if err != nil {
		return err
	}
	name := f.Name()
	defer os.Remove(name)
	_, err = io.Copy(f, io.NewSectionReader(r, 0, size))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("copying the database: %w", err)
	}

	dsn := (&url.URL{Scheme: "file", Path: name, RawQuery: "mode=ro&immutable=1"}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)

	rows, err := db.QueryContext(ctx, "SELECT blob FROM Packages ORDER BY hnum")
	if err != nil {
		return fmt.Errorf("reading Packages: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var blob []byte
		if err := rows.Scan(&blob); err != nil {
			return err
		}
		if len(blob) > MaxBlobSize {
			return fmt.Errorf("blob of %d bytes out of bounds", len(blob))
		}
		if err := fn(blob); err != nil {
			return err
		}
	}
	return rows.Err()
}

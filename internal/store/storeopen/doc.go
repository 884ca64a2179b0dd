// Package storeopen chooses and opens a store implementation from the
// server's --db and --data-dir settings: a postgres:// or postgresql:// URL
// opens PostgreSQL, anything else the embedded SQLite database in the data
// directory.
package storeopen

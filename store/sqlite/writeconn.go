package sqlite

import (
	"database/sql"
	"fmt"
	"strconv"
)

// Page caches. SQLite allocates a connection's cache as it reads pages, outside Go's memory
// limit, and keeps it for the connection's life; each cached page costs 8 KB, as modernc's
// allocator rounds a 4 KB page and its header up to an 8 KB slot. When one pool of 16 MB caches
// served reads and writes, every connection took turns writing and grew its cache: with 500
// streams open the proxy held 30 MB of them (bench: RSS 135 MB, 101 MB with these sizes), and
// four such caches could reach 128 MB. The writer's random keys (blobs, nodes, linking hashes)
// might gain from a larger cache than a reader's point lookups, but it did not show: at 1M
// requests (3.6 GB) the writer took 9 min 7 s with 4 MB and 9 min 3 s with a cache growing with
// the file to 16 MB (bench/storage), while 16 MB made the RSS at 500 streams 23 MB larger.
// SQLite's own default is 2 MB.
const (
	writerCacheKB = 4 << 10
	readerCacheKB = 2 << 10
)

// dsn is the database at path with the pragmas every connection runs when it opens.
func dsn(path string, cacheKB int) string {
	return "file:" + path + "?_pragma=cache_size(-" + strconv.Itoa(cacheKB) + ")" +
		"&_pragma=busy_timeout(10000)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)" +
		"&_pragma=wal_autocheckpoint(" + strconv.Itoa(walBackstopPages) + ")" +
		"&_pragma=journal_size_limit(" + strconv.Itoa(walKeepBytes) + ")&_txlock=immediate"
}

// openWriter opens the handle every write uses: one connection, with a writer's page
// cache. SQLite has one writer at a time anyway; transactions queue for the connection (in
// database/sql, with their context) instead of for SQLite's lock.
func openWriter(path string) (*sql.DB, error) {
	db, err := sql.Open("sqlite", dsn(path, writerCacheKB))
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	return db, nil
}

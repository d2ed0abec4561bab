package sqlstore

import (
	"context"
	"strings"
)

// maxIn bounds the hashes one "hash IN (…)" query asks about.
const maxIn = 512

// insertNew inserts rows into table ("name (columns…)", keyed by hash) unless their hash is
// there, a few hundred values per statement.
func (w *writer) insertNew(ctx context.Context, table string, rows [][]any) error {
	insert, onConflict := `INSERT INTO `, ` ON CONFLICT (hash) DO NOTHING`
	if w.s.d.OrIgnore {
		insert, onConflict = `INSERT OR IGNORE INTO `, ``
	}
	for len(rows) > 0 {
		n := min(len(rows), maxIn/len(rows[0]))
		row := `(?` + strings.Repeat(`, ?`, len(rows[0])-1) + `)`
		var args []any
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		err := w.exec(ctx, insert+table+` VALUES `+row+strings.Repeat(`, `+row, n-1)+onConflict, args...)
		if err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

// stored returns which of hashes are keys of table (blobs or nodes), asking in as few
// queries as it can.
func (w *writer) stored(ctx context.Context, table string, hashes [][]byte) (map[string]bool, error) {
	found := make(map[string]bool, len(hashes))
	for len(hashes) > 0 {
		n := min(len(hashes), maxIn)
		// Pad the list to a power of two with its last hash, so that a batch prepares a
		// few statements, not one per length.
		size := 1
		for size < n {
			size *= 2
		}
		args := make([]any, size)
		for i := range args {
			args[i] = hashes[min(i, n-1)]
		}
		rows, err := w.query(ctx, `SELECT hash FROM `+table+` WHERE hash IN (?`+strings.Repeat(`, ?`, size-1)+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rows.Next() {
			var h []byte
			if err := rows.Scan(&h); err != nil {
				rows.Close()
				return nil, err
			}
			found[string(h)] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, err
		}
		hashes = hashes[n:]
	}
	return found, nil
}

package sqlstore

import (
	"context"
	"strings"
)

// maxIn bounds the hashes one "hash IN (…)" query asks about.
const maxIn = 512

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

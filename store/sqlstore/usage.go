package sqlstore

import (
	"context"
	"fmt"
	"time"

	"nexus/store"
)

// Usage implements store.Store from the hourly rollup the writer keeps, so a month costs a
// few hundred rows whatever the traffic.
func (s *Store) Usage(ctx context.Context, q store.UsageQuery) ([]store.UsageRow, error) {
	size := hourMs
	switch q.Bucket {
	case "hour", "":
	case "day":
		size = 24 * hourMs
	default:
		return nil, fmt.Errorf("usage bucket %q: want hour or day", q.Bucket)
	}
	to := q.To
	if to.IsZero() {
		to = time.Now()
	}
	bucket := fmt.Sprintf("(hour / %d) * %d", size, size)
	query := `SELECT ` + bucket + `, model, account, CAST(sum(requests) AS BIGINT), CAST(sum(input_tokens) AS BIGINT),
		CAST(sum(output_tokens) AS BIGINT), CAST(sum(cache_creation_input_tokens) AS BIGINT),
		CAST(sum(cache_read_input_tokens) AS BIGINT), sum(cost_usd)
		FROM usage_hourly WHERE hour >= ? AND hour < ? GROUP BY ` + bucket + `, model, account ORDER BY 1, 2, 3`
	var out []store.UsageRow
	err := s.call(ctx, "summing usage", func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, s.q(query), q.From.UnixMilli()/hourMs*hourMs, to.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var u store.UsageRow
			var start int64
			if err := rows.Scan(&start, &u.Model, &u.Account, &u.Requests, &u.InputTokens, &u.OutputTokens,
				&u.CacheCreationInputTokens, &u.CacheReadInputTokens, &u.CostUSD); err != nil {
				return err
			}
			u.Start = time.UnixMilli(start).UTC()
			out = append(out, u)
		}
		return rows.Err()
	})
	return out, err
}

// authFailuresQuery counts the requests refused for a client key since a time, by who sent them.
const authFailuresQuery = `SELECT ` + failedClient + `, count(*), max(started_at) FROM requests
	WHERE status = 401 AND finished AND started_at >= ? GROUP BY ` + failedClient + ` ORDER BY 2 DESC, 1`

const failedClient = `CASE WHEN client_key_id <> '' THEN client_key_id WHEN user_agent <> '' THEN user_agent ELSE 'unknown' END`

// AuthFailures implements store.Store.
func (s *Store) AuthFailures(ctx context.Context, since time.Time) ([]store.ClientFailures, error) {
	var out []store.ClientFailures
	err := s.call(ctx, "counting authentication failures", func() error {
		out = out[:0]
		rows, err := s.db.QueryContext(ctx, s.q(authFailuresQuery), since.UnixMilli())
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var c store.ClientFailures
			var last int64
			if err := rows.Scan(&c.Client, &c.Count, &last); err != nil {
				return err
			}
			c.Last = time.UnixMilli(last).UTC()
			out = append(out, c)
		}
		return rows.Err()
	})
	return out, err
}

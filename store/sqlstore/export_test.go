package sqlstore

// LinkLookupQueries are the linking lookups by hash, for the query-plan test.
var LinkLookupQueries = map[string]string{"requests_cont": byContinuationQuery, "requests_cur": byCurrentQuery}

package sqlstore

// LinkLookupQueries are the linking lookups by hash, for the query-plan test.
var LinkLookupQueries = map[string]string{"requests_cont": byContinuationQuery, "requests_cur": byCurrentQuery}

// ChildrenQuery is the lookup of a request's children and its twins', for the query-plan test.
var ChildrenQuery = childrenQuery

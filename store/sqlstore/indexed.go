package sqlstore

import "nexus/store"

// IndexedQuery is a query, the index that must serve it, and the arguments of a sample
// call's placeholders: for the backends' query-plan tests.
type IndexedQuery struct {
	Index, Query string
	Args         []any
}

// PartialIndexQueries are the queries of the window and the CLI that PostgreSQL serves from
// a partial index (store/postgres migration 6). Each repeats its index's predicate (finished,
// or conversation_id not empty): PostgreSQL plans a prepared query once for any value of its
// parameters, so it cannot prove that "conversation_id = $1" implies the predicate, and
// without it the query walks another index, through every request when the value is rare.
var PartialIndexQueries = func() []IndexedQuery {
	list := func(index string, f store.RequestFilter) IndexedQuery {
		q, args := listRequestsQuery(f)
		return IndexedQuery{index, q, args}
	}
	conversations := func(index string, f store.ConversationFilter) IndexedQuery {
		q, args := listConversationsQuery(f)
		return IndexedQuery{index, q, args}
	}
	return []IndexedQuery{
		list("requests_model", store.RequestFilter{Model: "claude-rare"}),
		list("requests_status", store.RequestFilter{Status: 418}),
		list("requests_conversation", store.RequestFilter{Conversation: "c1"}),
		conversations("requests_model", store.ConversationFilter{Model: "claude-rare"}),
		{"requests_conversation", branchCountsQuery(2), []any{"c1", "c2"}},
		{"requests_conversation", branchesQuery, []any{"c1"}},
		{"requests_status", authFailuresQuery, []any{int64(0)}},
		{"requests_side_calls", sideCallsQuery, []any{"k1", "s1", true, int64(0)}},
		{"requests_conversation", mergeRequestsQuery, []any{"c1", "b", "c2"}},
		{"requests_conversation", recountQuery(2), []any{"c1", "c2"}},
	}
}()

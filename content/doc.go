// Package content prepares request and response bodies for storage: it redacts secrets,
// splits a Messages request into content-addressed pieces, seals them, and rebuilds them
// exactly.
package content

// Package conversation is the pure domain logic of Nexus: reading Anthropic responses (SSE
// events and usage), token arithmetic, and linking requests into conversations (message
// normalisation, prefix hashes, classification, the linking rules). It uses the standard
// library only and does no I/O.
package conversation

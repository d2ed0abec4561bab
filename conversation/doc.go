// Package conversation is the pure domain logic of Nexus: reading Anthropic responses (SSE
// events and usage), token arithmetic, and (later) message normalisation and linking. It uses
// the standard library only and does no I/O.
package conversation

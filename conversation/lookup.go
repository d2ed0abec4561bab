package conversation

import (
	"context"
	"time"
)

// Look-back windows of the lookups. The store applies them relative to Scope.At.
const (
	LinkWindow       = 7 * 24 * time.Hour // ByContinuation, ByCurrent
	AgentWindow      = 24 * time.Hour     // AgentCall
	CompactionWindow = 3 * 24 * time.Hour // Compactions
	// RetryWindow bounds how far back an identical root without a session id counts as a
	// retry (Link applies it to Candidate.At).
	RetryWindow = 10 * time.Minute
)

// Rules: which rule decided a Decision. Stored in the database; DO NOT change the values.
const (
	RuleContinuation = "continuation" // p_{n-1} is a request's continuation (its messages plus its answer)
	RuleTwoMessage   = "two-message"  // p_{n-2} is a request's current hash
	RuleToolLoop     = "tool-loop"    // the two-message rule, for a request carrying tool results
	RuleGrandparent  = "grandparent"  // p_{n-4} is a request's current hash (the parent was not recorded)
	RuleSession      = "session"      // by session: a retried root, a session's edited root or restart, a compaction request no hash links
	RuleCompaction   = "compaction"   // a compaction request, or the continuation after one
	RuleSubagent     = "subagent"     // the root of a sub-thread started by an Agent/Task call
	RuleAuxiliary    = "auxiliary"    // a side call attached to its session (or to nothing)
	RuleNew          = "new"          // the root of a new conversation
)

// Scope bounds every lookup of one Link call.
type Scope struct {
	Client  string    // client identity (client key id or account); lookups never cross it
	Session string    // Claude Code session id, may be ""
	At      time.Time // the request's start; lookups look back from here
}

// Candidate is a recorded request a lookup found.
type Candidate struct {
	RequestID, Conversation, Branch, SessionID string
	Kind                                       string
	At                                         time.Time
	System                                     Hash // its RequestKeys.System (a tie-breaker); may be zero
	Current                                    Hash // its RequestKeys.Current; may be zero
}

// Child is a request whose parent is a given request.
type Child struct {
	RequestID, Branch string
	Current           Hash
	// Prev2 is its RequestKeys.Prev2: the current hash of the request it continues, which
	// names its own parent when it was linked past a parent not yet written.
	Prev2 Hash
	Kind  string // its kind; auxiliary and compaction children never cause a fork ("" reads as turn)
}

// AgentCall is an Agent/Task tool call found in a recorded answer.
type AgentCall struct {
	RequestID, Conversation string
	Ordinal                 int // 1-based position among the Agent/Task calls of that answer
}

// CompactionCandidate is a recorded compaction request with its answer's text.
type CompactionCandidate struct {
	Candidate
	Text string
}

// Lookup is what Link asks of the store; each method is one indexed query (ByContinuation
// and ByCurrent may take two). Scoped methods return only requests of s.Client that started
// within their window (LinkWindow, AgentWindow, CompactionWindow) before s.At. Lists are
// newest first; a few entries suffice. Errors are returned as they are and end the Link call.
type Lookup interface {
	// ByContinuation returns the requests whose stored ResponseKeys.Continuation is h. When
	// the newest few are all of other sessions, it adds s.Session's newest (the session picks
	// among candidates, spec §2): a store may look for them among the newest few hundred only.
	ByContinuation(ctx context.Context, s Scope, h Hash) ([]Candidate, error)
	// ByCurrent returns the requests whose stored RequestKeys.Current is h, with s.Session's
	// as ByContinuation does.
	ByCurrent(ctx context.Context, s Scope, h Hash) ([]Candidate, error)
	// Children returns the requests whose ParentRequestID is parent or one of its twins, not
	// counting the request being linked, oldest first. Twins are the requests of s.Client in
	// parent's conversation, started within LinkWindow, whose current hash is parent's (not
	// zero): retries of the same body, which are one point of the tree.
	Children(ctx context.Context, s Scope, parent Candidate) ([]Child, error)
	// Branches returns the branch names used in a conversation.
	Branches(ctx context.Context, conversation string) ([]string, error)
	// AgentCall returns the newest unclaimed Agent/Task call whose prompt hash is prompt;
	// ok is false when there is none. Claiming it is the store's business.
	AgentCall(ctx context.Context, s Scope, prompt Hash) (call AgentCall, ok bool, err error)
	// Compactions returns recent requests of kind compaction with their answers' text.
	Compactions(ctx context.Context, s Scope) ([]CompactionCandidate, error)
	// SessionLatest returns the newest non-auxiliary request of s.Session; ok is false when
	// there is none or s.Session is "".
	SessionLatest(ctx context.Context, s Scope) (latest Candidate, ok bool, err error)
	// SessionConversation returns the newest non-auxiliary request of s.Session outside
	// sub-threads (conversations with a parent conversation, whose requests carry their
	// session's id): it names the session's own conversation. ok is false when there is none
	// or s.Session is "".
	SessionConversation(ctx context.Context, s Scope) (latest Candidate, ok bool, err error)
	// SessionFirstUser reports whether a request of s.Session, linked and started within
	// LinkWindow, has firstUser as its RequestKeys.FirstUser.
	SessionFirstUser(ctx context.Context, s Scope, firstUser Hash) (bool, error)
}

// Decision is where a request goes.
type Decision struct {
	Kind            string // final kind: turn, subagent, compaction or auxiliary
	Conversation    string // the existing conversation to join; "" when NewConversation or a lone auxiliary request
	NewConversation bool
	Branch          string // MainBranch for a new conversation; "" for a lone auxiliary request
	ParentRequestID string // the request this one continues; "" for a root and for auxiliary requests
	Rule            string // Rule… constant naming the rule that decided
	// ParentConversation and ParentRequest are set for the root of a new sub-thread: the
	// conversation and the request whose answer made the Agent/Task call numbered AgentOrdinal.
	ParentConversation, ParentRequest string
	AgentOrdinal                      int
	Title                             string // the request's title, to name a new conversation
}

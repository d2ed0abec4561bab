package conversation

import "strings"

// Kinds of request. Stored in the database; DO NOT change the values.
const (
	KindTurn       = "turn"       // a turn of a conversation
	KindSubagent   = "subagent"   // a turn of a sub-thread started by an Agent/Task call (decided by Link)
	KindCompaction = "compaction" // a summarisation request: the conversation so far plus a summary instruction
	KindAuxiliary  = "auxiliary"  // a side call (title, quota probe, command prefix…): starts nothing
)

// Where a kindRule looks for its phrase.
const (
	inSystem    = iota // the system prompt and any role "system" messages
	inLastUser         // the text of the last message, when it is the user's
	atLastUser         // the start of that text
	onlyMessage        // the whole text of a request made of one user message
)

// kindRule recognises a request by a phrase, matched case-insensitively.
type kindRule struct {
	kind    string
	where   int
	phrase  string // lower case
	noTools bool   // only when the request offers no tools
}

// kindRules are tried in order; the first match decides. A request matching none is a turn.
// Phrases come from the requests Claude Code sends (spec §4, §6).
var kindRules = []kindRule{
	// The quota probe: one user message "quota" with max_tokens 1.
	{KindAuxiliary, onlyMessage, "quota", false},
	// Cache warm-up of the main model and of agents.
	{KindAuxiliary, onlyMessage, "warmup", false},
	// Session titles and topics: old ("new conversation topic", JSON isNewTopic/title), newer
	// ("sentence-case title", 2.1.x "naming a coding session"), and the titles written on resume.
	{KindAuxiliary, inSystem, "analyze if this message indicates a new conversation topic", false},
	{KindAuxiliary, inSystem, "generate a concise, sentence-case title", false},
	{KindAuxiliary, inSystem, "you are naming a coding session", false},
	{KindAuxiliary, inSystem, "summarize this coding conversation in under", false},
	{KindAuxiliary, inLastUser, "write a 5-10 word title for the following conversation", false},
	// Bash permission helpers, sent without tools: the command-prefix check and the
	// extraction of the file paths a command read.
	{KindAuxiliary, inSystem, "your task is to process bash commands that an ai coding agent wants to run", true},
	{KindAuxiliary, inSystem, "extract any file paths that this command reads or modifies", true},
	// WebFetch's second step: a small model answers a prompt about a fetched page.
	{KindAuxiliary, atLastUser, "web page content:", true},
	// Prompt suggestions: the conversation so far plus a request to guess the next prompt.
	{KindAuxiliary, atLastUser, "[suggestion mode:", false},
	// Compaction: older clients use a summariser system prompt; newer ones append the
	// instruction to the conversation, as a new user message or inside the last one.
	{KindCompaction, inSystem, "tasked with summarizing conversations", false},
	{KindCompaction, inLastUser, compactInstruction, false},
}

// compactInstruction starts Claude Code's summary instruction ("Your task is to create a
// detailed summary of the conversation so far", "… of the RECENT portion of the conversation").
const compactInstruction = "your task is to create a detailed summary of"

// systemRules returns the set of kindRules (bit i for kindRules[i]) looking in the system
// prompt whose phrase text contains, case-insensitively. Contract: the system of a request is
// several texts (prompt blocks, role "system" messages) joined by "\n"; no phrase holds a
// "\n", so the joined text contains a phrase exactly when one of the texts does, and the
// union of the texts' sets is the request's.
func systemRules(text string) uint64 {
	var set uint64
	lower := ""
	for i, k := range kindRules {
		if k.where != inSystem {
			continue
		}
		if lower == "" {
			lower = strings.ToLower(text)
		}
		if strings.Contains(lower, k.phrase) {
			set |= 1 << i
		}
	}
	return set
}

// requestShape is what classification looks at.
type requestShape struct {
	system   uint64 // systemRules of the system prompt and role "system" messages
	lastUser string // text of the last message when it is the user's, lower case
	only     bool   // the request is one user message
	tools    bool   // the request offers tools
	countTok bool   // no max_tokens: a count_tokens body
}

func classify(r requestShape) string {
	if r.countTok {
		return KindAuxiliary
	}
	for i, k := range kindRules {
		if k.noTools && r.tools {
			continue
		}
		var ok bool
		switch k.where {
		case inSystem:
			ok = r.system&(1<<i) != 0
		case inLastUser:
			ok = strings.Contains(r.lastUser, k.phrase)
		case atLastUser:
			ok = strings.HasPrefix(r.lastUser, k.phrase)
		case onlyMessage:
			ok = r.only && r.lastUser == k.phrase
		}
		if ok {
			return k.kind
		}
	}
	return KindTurn
}

package conversation

import "strings"

// A post-compaction request starts over with one user message carrying a summary of the
// conversation (spec §4), as Claude Code writes it:
//
//	This session is being continued from a previous conversation that ran out of context. …
//
//	Summary:
//	<the summary the compaction request answered, tags removed, blank runs collapsed>
//	[If you need specific details from before compaction … read the full transcript at: …]
//	[Continue the conversation from where it left off without asking the user any further questions. …]
//
// The probe is the start of the summary body, whitespace collapsed: a string that also occurs
// in the collapsed text of the compaction answer it came from.

const (
	continuedMarker = "This session is being continued from a previous conversation"
	summaryHeader   = "Summary:"
	// ProbeLength is the length in bytes of the summary probe; shorter summaries are probed
	// whole, summaries under MinSummary bytes not at all.
	ProbeLength = 2000
	MinSummary  = 100
)

// summaryTails is the boilerplate a client puts after the summary.
var summaryTails = []string{
	"If you need specific details from before compaction",
	"Please continue the conversation from where",
	"Continue the conversation from where it left off",
	"Recent messages are preserved verbatim",
}

// summaryProbe returns the probe for a text that carries a compaction summary, "" otherwise.
func summaryProbe(text string) string {
	body, ok := "", false
	if i := strings.Index(text, continuedMarker); i >= 0 {
		body, ok = text[i+len(continuedMarker):], true
		// The summary follows the "Summary:" header; without one, the marker's line.
		if j := strings.LastIndex(body, summaryHeader); j >= 0 {
			body = body[j+len(summaryHeader):]
		} else if j := strings.IndexByte(body, '\n'); j >= 0 {
			body = body[j+1:]
		} else {
			return ""
		}
	} else if j := strings.LastIndex(text, summaryHeader); j >= 0 {
		// Another client's wording: a summary followed by one of the tails.
		body = text[j+len(summaryHeader):]
		for _, t := range summaryTails {
			ok = ok || strings.Contains(body, t)
		}
	}
	if !ok {
		return ""
	}
	for _, t := range summaryTails {
		if j := strings.Index(body, t); j >= 0 {
			body = body[:j]
		}
	}
	probe := collapseSpace(body, ProbeLength)
	if len(probe) < MinSummary {
		return ""
	}
	return probe
}

// containsProbe reports whether an answer's text contains the summary probe.
func containsProbe(answer, probe string) bool {
	return probe != "" && strings.Contains(collapseSpace(answer, 0), probe)
}

package conversation

import (
	"context"
	"slices"
	"strconv"
)

// Branch names. A conversation starts on MainBranch; a fork opens "branch-2", "branch-3"…; the
// continuation after a compaction opens "compact", then "compact-2"…
const (
	MainBranch    = "main"
	CompactBranch = "compact"
	branchPrefix  = "branch"
)

// branchFor returns the branch of a request continuing parent (spec §3). The children that
// count are those of parent and of its twins, the requests of its conversation with the same
// current hash: a retry of parent that got another answer is the same point of the tree. A
// child with the request's current hash is a retry: its branch. Otherwise, with prefix
// branchPrefix, the request stays on the parent's branch unless a child already continues
// that branch, which makes this request a fork on a new branch; with prefix CompactBranch it
// always opens a new branch. Auxiliary and compaction children are side steps and fork
// nothing.
func branchFor(ctx context.Context, l Lookup, s Scope, parent Candidate, current Hash, prefix string) (string, error) {
	children, err := l.Children(ctx, s, parent)
	if err != nil {
		return "", err
	}
	fork := prefix != branchPrefix
	for _, c := range children {
		if c.Kind == KindAuxiliary || c.Kind == KindCompaction {
			continue
		}
		if c.Current == current {
			return c.Branch, nil
		}
		if !current.IsZero() && c.Prev2 == current {
			// This request's own child, written first and linked to its grandparent: the
			// store adopts it under this request, which continues its branch.
			return c.Branch, nil
		}
		fork = fork || c.Branch == parent.Branch
	}
	if !fork {
		return parent.Branch, nil
	}
	used, err := l.Branches(ctx, parent.Conversation)
	if err != nil {
		return "", err
	}
	return newBranch(prefix, used), nil
}

// newBranch returns the first name of the prefix's series not in used.
func newBranch(prefix string, used []string) string {
	if prefix == CompactBranch && !slices.Contains(used, prefix) {
		return prefix
	}
	for i := 2; ; i++ {
		if name := prefix + "-" + strconv.Itoa(i); !slices.Contains(used, name) {
			return name
		}
	}
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"nexus/engine"
	"nexus/store"
)

// runConversations prints conversations, the most recently active first.
func runConversations(ctx context.Context, args []string, stdio IO) error {
	var c commonFlags
	fs := newFlagSet("nexus conversations", stdio)
	c.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON document")
	limit := fs.Int("limit", 50, "how many conversations")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if *limit < 1 {
		return fmt.Errorf("%w: --limit %d: give a positive number", errUsage, *limit)
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	// The codec opens the sealed titles; without a keychain they stay empty.
	st, err := engine.OpenStore(ctx, cfg.Settings, engine.ReadCodec(nil), nil)
	if err != nil {
		return err
	}
	defer st.Close()
	// The store returns at most 1,000 conversations at a time.
	convs, err := readPages(*limit, 1_000, func(n int, last *store.Conversation) ([]store.Conversation, error) {
		f := store.ConversationFilter{Limit: n}
		if last != nil {
			f.Before, f.BeforeID = last.LastAt, last.ID
		}
		return st.ListConversations(ctx, f)
	})
	if err != nil {
		return err
	}
	if convs == nil {
		convs = []store.Conversation{}
	}
	for i := range convs {
		if convs[i].Branches == nil {
			convs[i].Branches = []store.Branch{}
		}
	}
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Conversations []store.Conversation `json:"conversations"`
		}{convs})
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "LAST\tREQUESTS\tBRANCHES\tIN\tOUT\tCOST\tTITLE")
	for _, c := range convs {
		names := make([]string, len(c.Branches))
		for i, b := range c.Branches {
			names[i] = fmt.Sprintf("%s(%d)", b.Name, b.RequestCount)
		}
		title := c.Title
		if title == "" {
			title = "(untitled)"
		}
		if c.ParentConversationID != "" {
			title = "↳ " + title
		}
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t$%.4f\t%s\n", c.LastAt.Local().Format("01-02 15:04:05"), c.RequestCount,
			strings.Join(names, " "), c.InputTokens, c.OutputTokens, c.CostUSD, title)
	}
	return tw.Flush()
}

package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"text/tabwriter"

	"nexus/engine"
	"nexus/store"
)

// runRequests prints recent requests, newest first.
func runRequests(ctx context.Context, args []string, stdio IO) error {
	var c commonFlags
	fs := newFlagSet("nexus requests", stdio)
	c.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON document")
	limit := fs.Int("limit", 50, "how many requests")
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
	st, err := engine.OpenStore(ctx, cfg.Settings, nil, nil)
	if err != nil {
		return err
	}
	defer st.Close()
	// The store returns at most 10,000 requests at a time.
	reqs, err := readPages(*limit, 10_000, func(n int, last *store.Request) ([]store.Request, error) {
		f := store.RequestFilter{Limit: n}
		if last != nil {
			f.Before, f.BeforeID = last.StartedAt, last.ID
		}
		return st.ListRequests(ctx, f)
	})
	if err != nil {
		return err
	}
	if *asJSON {
		if reqs == nil {
			reqs = []store.Request{}
		}
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(struct {
			Requests []store.Request `json:"requests"`
		}{reqs})
	}
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STARTED\tSTATUS\tMODEL\tPATH\tIN\tOUT\tCACHE R/W\tCOST\tMS\tNOTE")
	for _, r := range reqs {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\t%d\t%d\t%d/%d\t$%.4f\t%.0f\t%s\n", r.StartedAt.Local().Format("01-02 15:04:05"),
			r.Status, r.Model, r.Path, r.InputTokens, r.OutputTokens, r.CacheReadInputTokens,
			r.CacheCreationInputTokens, r.CostUSD, r.DurationMs, requestNote(r))
	}
	return tw.Flush()
}

// requestNote says in a word what the status alone does not: a stream cut short, a proxy
// refusal, an error type, a request still in flight.
func requestNote(r store.Request) string {
	switch {
	case !r.Finished:
		return "in flight"
	case r.Rejected != "":
		return "refused (" + r.Rejected + ")"
	case r.Incomplete && r.ErrorType != "":
		return "incomplete: " + r.ErrorType
	case r.Incomplete:
		return "incomplete"
	case r.ErrorType != "":
		return r.ErrorType
	case r.Attempts > 1:
		return fmt.Sprintf("%d attempts", r.Attempts)
	}
	return ""
}

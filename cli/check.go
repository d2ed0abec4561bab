package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"

	"nexus/checklist"
	"nexus/credentials"
	"nexus/engine"
)

// runCheck prints the security checklist and exits 1 when a critical item fails.
func runCheck(args []string, stdio IO) error {
	var c commonFlags
	fs := newFlagSet("nexus check", stdio)
	c.register(fs)
	asJSON := fs.Bool("json", false, "print one JSON document")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	cfg, err := c.resolve()
	if err != nil {
		return err
	}
	items := checklist.Run(engine.StandaloneFacts(context.Background(), cfg.Settings, credentials.SystemKeychain{}))
	if *asJSON {
		enc := json.NewEncoder(stdio.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(struct {
			Items []checklist.Item `json:"items"`
		}{items}); err != nil {
			return err
		}
	} else if err := printChecklist(stdio, items); err != nil {
		return err
	}
	if checklist.CriticalFailed(items) {
		return exitError(1)
	}
	return nil
}

func printChecklist(stdio IO, items []checklist.Item) error {
	tw := tabwriter.NewWriter(stdio.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "STATUS\tID\tTITLE")
	for _, it := range items {
		status := strings.ToUpper(it.Status)
		if it.Critical && it.Status == checklist.Fail {
			status += "!"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\n", status, it.ID, it.Title)
		switch {
		case it.Status != checklist.Pass:
			fmt.Fprintf(tw, "\t\t  evidence: %s\n", it.Evidence)
			if it.Fix != "" {
				fmt.Fprintf(tw, "\t\t  fix: %s\n", it.Fix)
			}
		case it.Fix != "": // a passing item with advice (subscription-terms)
			fmt.Fprintf(tw, "\t\t  note: %s\n\t\t  %s\n", it.Evidence, it.Fix)
		}
	}
	return tw.Flush()
}

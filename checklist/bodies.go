package checklist

import (
	"fmt"
	"strings"
)

// bodyStorage checks how request and response bodies are kept: stored, they must be
// encrypted, have secrets redacted, and be removed after a retention limit. Metadata only is
// the safe default and passes.
func bodyStorage(f Facts) Item {
	it := Item{ID: "body-storage", Title: "Stored bodies are encrypted, redacted and expire"}
	b := f.Bodies
	if !b.Enabled {
		it.Status = Pass
		it.Evidence = "metadata only: request and response bodies are not stored"
		if r := strings.TrimPrefix(b.Reason, "metadata only: "); r != "" {
			it.Evidence += " — " + r
		}
		return it
	}
	var bad, good, fixes []string
	if b.Encrypted {
		good = append(good, "encrypted with the data key in the keychain")
	} else {
		bad = append(bad, "stored without encryption")
		fixes = append(fixes, "make the OS keychain available so Nexus can keep a data key, or set STORAGE_ENABLED=false")
	}
	if b.Redacting {
		good = append(good, "secrets redacted")
	} else {
		bad = append(bad, "stored without redacting secrets")
		fixes = append(fixes, "turn redaction back on")
	}
	switch {
	case b.RetentionDays == 0 && b.RetentionMaxMB == 0:
		bad = append(bad, "kept forever (no retention limit)")
		fixes = append(fixes, "set retention_days (e.g. 90) or retention_max_mb in the settings, or RETENTION_DAYS")
	default:
		good = append(good, "kept "+retention(b))
	}
	if b.Unreadable != "" {
		bad = append(bad, "partly unreadable: "+b.Unreadable)
		fixes = append(fixes, "restore the keychain's earlier \"data-key\" item if you have a backup of it; otherwise those bodies are lost, and retention removes them in time")
	}
	if len(bad) == 0 {
		it.Status, it.Evidence = Pass, "bodies stored: "+strings.Join(good, ", ")
		return it
	}
	it.Status = Warn
	it.Evidence = "bodies " + strings.Join(bad, ", ")
	if len(good) > 0 {
		it.Evidence += "; " + strings.Join(good, ", ")
	}
	it.Fix = strings.Join(fixes, "; ")
	return it
}

func retention(b Bodies) string {
	var limits []string
	if b.RetentionDays > 0 {
		limits = append(limits, fmt.Sprintf("up to %d days", b.RetentionDays))
	}
	if b.RetentionMaxMB > 0 {
		limits = append(limits, fmt.Sprintf("up to %d MB", b.RetentionMaxMB))
	}
	return strings.Join(limits, " and ")
}

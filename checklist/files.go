package checklist

import (
	"fmt"
	"strings"
)

// dataFileModes checks that the data directory is 0700 and the SQLite database 0600, so that
// other users cannot read recorded conversations.
func dataFileModes(f Facts) Item {
	it := Item{ID: "data-file-modes", Title: "Data files are readable by you only"}
	if !f.DataDir.Exists && f.DataDir.Err == "" {
		it.Status, it.Evidence = Pass, fmt.Sprintf("data dir %s does not exist yet (it is created 0700)", f.DataDir.Path)
		return it
	}
	var bad, fixes, seen []string
	for _, c := range []struct {
		file File
		want uint32
		kind string
	}{{f.DataDir, 0o700, "data dir"}, {f.Database, 0o600, "database"}} {
		switch {
		case c.file.Err != "":
			bad = append(bad, fmt.Sprintf("%s %s: %s", c.kind, c.file.Path, c.file.Err))
		case !c.file.Exists:
		case uint32(c.file.Mode.Perm())&0o077 != 0:
			bad = append(bad, fmt.Sprintf("%s %s is %04o, want %04o", c.kind, c.file.Path, c.file.Mode.Perm(), c.want))
			fixes = append(fixes, fmt.Sprintf("chmod %o %s", c.want, c.file.Path))
		default:
			seen = append(seen, fmt.Sprintf("%s %s is %04o", c.kind, c.file.Path, c.file.Mode.Perm()))
		}
	}
	if len(bad) == 0 {
		it.Status, it.Evidence = Pass, strings.Join(seen, "; ")
		return it
	}
	it.Status, it.Evidence = Fail, strings.Join(bad, "; ")
	it.Fix = strings.Join(fixes, " && ")
	return it
}

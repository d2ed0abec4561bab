package checklist

import (
	"fmt"
	"strings"
)

// databasePrivileges checks the PostgreSQL server's grants: a database every role may
// connect to (the default grant to PUBLIC), or an app role that is a superuser (which
// bypasses every permission and can read other databases and files of the server), widen
// what a leaked DATABASE_URL or another account on the server can reach.
func databasePrivileges(f Facts) Item {
	it := Item{ID: "database-privileges", Title: "The database grants no more than Nexus needs"}
	db, p := f.DB, f.DBPrivileges
	switch {
	case !db.Set:
		it.Status, it.Evidence = Pass, "the embedded SQLite file: no network, no database roles"
		return it
	case !db.Postgres:
		it.Status, it.Evidence = Pass, "DATABASE_URL is not a postgres:// URL (see database-tls): no privileges to read"
		return it
	case p.Err != "":
		it.Status = Warn
		it.Evidence = "could not read the role's privileges: " + p.Err
		it.Fix = "make sure the PostgreSQL server in DATABASE_URL is reachable, then check again"
		return it
	}
	role, dbname := quoteIdent(p.Role), quoteIdent(p.Database)
	var bad, fixes []string
	if p.Superuser {
		bad = append(bad, fmt.Sprintf("role %s is a superuser", p.Role))
		fixes = append(fixes, fmt.Sprintf("connect as a role without SUPERUSER: create one (CREATE ROLE nexus_app LOGIN PASSWORD '…'), "+
			"make it own the database (ALTER DATABASE %s OWNER TO nexus_app) and put it in DATABASE_URL", dbname))
	}
	if p.PublicConnect {
		bad = append(bad, fmt.Sprintf("every role on the server may connect to database %s (CONNECT granted to PUBLIC)", p.Database))
		fixes = append(fixes, fmt.Sprintf("REVOKE CONNECT ON DATABASE %s FROM PUBLIC; GRANT CONNECT ON DATABASE %s TO %s;", dbname, dbname, role))
	}
	if len(bad) == 0 {
		it.Status = Pass
		it.Evidence = fmt.Sprintf("role %s is not a superuser, and only roles granted it may connect to database %s", p.Role, p.Database)
		return it
	}
	it.Status = Warn
	it.Evidence = strings.Join(bad, "; ")
	it.Fix = strings.Join(fixes, "; and ")
	return it
}

// quoteIdent quotes a PostgreSQL identifier for a fix to paste into psql.
func quoteIdent(s string) string {
	plain := s != ""
	for i, c := range s {
		if !(c == '_' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			plain = false
		}
	}
	if plain {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

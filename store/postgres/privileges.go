package postgres

import "context"

// Privileges is what the server says about the role the store connects as, for the security
// checklist: a superuser, or a database every role may connect to, widen what a leaked
// DATABASE_URL or another account on the server reaches.
type Privileges struct {
	Role     string // current_user
	Database string // current_database()
	// Superuser says the role bypasses every permission check.
	Superuser bool
	// PublicConnect says PUBLIC (every role) holds CONNECT on the database, which is
	// PostgreSQL's default for a new database.
	PublicConnect bool
}

// privilegesSQL reads the role and the database's ACL; a NULL datacl means the built-in
// default (acldefault), which grants CONNECT to PUBLIC (grantee 0).
const privilegesSQL = `SELECT current_user, current_database(),
	coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
	EXISTS (SELECT 1 FROM pg_database d, aclexplode(coalesce(d.datacl, acldefault('d', d.datdba))) a
		WHERE d.datname = current_database() AND a.grantee = 0 AND a.privilege_type = 'CONNECT')`

// Privileges reads the store's role and database privileges.
func (s *Store) Privileges(ctx context.Context) (Privileges, error) {
	var p Privileges
	err := s.retry(ctx, "reading the role's privileges", func() error {
		return s.pool.QueryRow(ctx, privilegesSQL).Scan(&p.Role, &p.Database, &p.Superuser, &p.PublicConnect)
	})
	return p, err
}

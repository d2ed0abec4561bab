package cli

import (
	"flag"
	"fmt"
	"os"
	"strconv"

	"nexus/settings"
)

// commonFlags are the flags every command that touches the proxy or the data accepts. Flags
// win over the environment, which wins over the settings file.
type commonFlags struct {
	port     string
	dataDir  string
	upstream string
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.port, "port", "", "proxy port (env PORT; default 3731)")
	fs.StringVar(&c.dataDir, "data-dir", "", "data directory (env NEXUS_DATA_DIR)")
	fs.StringVar(&c.upstream, "upstream", "", "Anthropic API base URL (env CLAUDE_API_BASE_URL)")
}

// Config is the resolved configuration of one command run.
type Config struct {
	Settings     settings.Settings
	SettingsPath string
}

// resolve loads the settings file, applies the environment and then the flags, fills the
// data dir default, and validates the result.
func (c *commonFlags) resolve() (Config, error) {
	path, err := settings.DefaultPath()
	if err != nil {
		return Config{}, err
	}
	s, err := settings.Load(path)
	if err != nil {
		return Config{}, err
	}
	// A variable a flag overrides is not read: a malformed one must not stop the command.
	getenv := func(name string) string {
		if name == "PORT" && c.port != "" || name == "NEXUS_DATA_DIR" && c.dataDir != "" ||
			name == "CLAUDE_API_BASE_URL" && c.upstream != "" {
			return ""
		}
		return os.Getenv(name)
	}
	if err := settings.ApplyEnv(&s, getenv); err != nil {
		return Config{}, err
	}
	if c.port != "" {
		p, err := strconv.Atoi(c.port)
		if err != nil || p < 0 || p > 65535 {
			return Config{}, fmt.Errorf("%w: --port %q is not a port number (0-65535)", errUsage, c.port)
		}
		s.Port = p
	}
	if c.dataDir != "" {
		s.DataDir = c.dataDir
	}
	if c.upstream != "" {
		s.Upstream = c.upstream
	}
	if s.DataDir == "" {
		if s.DataDir, err = settings.DefaultDataDir(); err != nil {
			return Config{}, err
		}
	}
	if err := s.Validate(); err != nil {
		return Config{}, err
	}
	return Config{Settings: s, SettingsPath: path}, nil
}

package config

import (
	"fmt"
	"runtime"
)

// readmeSetup is where a first-time user learns to write the configuration
// (README.md, "Running it for real").
const readmeSetup = `README.md "Running it for real"`

// missingCredential is the one-line error for a required key that is not
// set: where to set it (alternatives: the environment variable, the
// credential), what to do next, and tail (another way out, e.g. the demo).
// A user with no config file at all is told which file to create.
func (l *loader) missingCredential(key, alternatives, next, tail string) error {
	if l.cfg.File == "" {
		if p, err := userConfigPath(runtime.GOOS, l.getenv); err == nil {
			return fmt.Errorf("config: %s is required and there is no config file: create %s as %s shows (or set %s)%s",
				key, p, readmeSetup, alternatives, tail)
		}
	}
	file := l.cfg.File
	if file == "" {
		file = "a config file"
	}
	return fmt.Errorf("config: %s is required (set it in %s or %s): %s, as %s shows%s", key, file, alternatives, next, readmeSetup, tail)
}

package config

// origin is where a key's value came from. Messages name it so that a user
// knows which of file, environment and command line to fix.
type origin struct {
	kind string // "file", "env", "flag"; "" for a default
	name string // the file path or the environment variable
}

// suffix renders an origin for the end of an error message.
func (o origin) suffix() string {
	switch o.kind {
	case "file":
		return " (in " + o.name + ")"
	case "env":
		return " (from env " + o.name + ")"
	case "flag":
		return " (from the command line)"
	}
	return ""
}

// comment renders an origin for Dump; defaults and file values need none.
func (o origin) comment() string {
	switch o.kind {
	case "env":
		return "env " + o.name
	case "flag":
		return "command line"
	case "default":
		return o.name
	}
	return ""
}

func (c *Config) setOrigin(path string, o origin) {
	if c.origin == nil {
		c.origin = map[string]origin{}
	}
	c.origin[path] = o
}

// from renders where path's value came from, for the end of a message.
func (c *Config) from(path string) string { return c.originOf(path).suffix() }

// originOf is where path's value came from. A mirror's keys (mirror
// "NAME".api_root) come only from the file, recorded once for them all.
func (c *Config) originOf(path string) origin {
	if o, ok := c.origin[path]; ok || !isMirrorPath(path) {
		return o
	}
	return c.origin[mirrorTable]
}

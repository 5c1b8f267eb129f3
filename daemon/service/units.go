package service

import (
	_ "embed"
	"path/filepath"
)

// The unit templates `lastfmd install` hands to kardianos/service through
// its SystemdScript option. They use kardianos v1.3's own small template
// language ({{Key}}, {{Key | fn}}, {{range Key}}...{{end}}), not
// text/template: template_test.go checks every key and function against the
// library's source. The commented originals are systemd/lastfmd.service and
// systemd/user/lastfmd.service; units_test.go keeps them in step.
var (
	//go:embed unit_system.tmpl
	systemTemplate string
	//go:embed unit_user.tmpl
	userTemplate string
)

// Template returns the unit template for a system (user false) or per-user
// service.
func Template(user bool) string {
	if user {
		return userTemplate
	}
	return systemTemplate
}

// Files of the system-wide install (docs/security.md#the-listener-token).
const (
	// ConfigDir holds the system configuration, API secret and token.
	ConfigDir = "/etc/lastfmd"
	// SystemConfigFile is the configuration a system install uses.
	SystemConfigFile = ConfigDir + "/lastfmd.toml"
	// APISecretFile is handed to the service as the credential api-secret.
	APISecretFile = ConfigDir + "/api-secret"
	// TokenFile is the listener token, root:lastfmd 0640, handed to the
	// service as the credential token.
	TokenFile = ConfigDir + "/token"
	// Group may read the token and use the socket of lastfmd.socket.
	Group = "lastfmd"
	// systemUnitDir is where kardianos writes a system unit.
	systemUnitDir = "/etc/systemd/system"
)

// UnitName is the systemd unit of the service.
const UnitName = Name + ".service"

// UnitPath is where kardianos writes the unit: /etc/systemd/system for a
// system service, ~/.config/systemd/user for a user service (kardianos uses
// the home directory, not $XDG_CONFIG_HOME).
func UnitPath(user bool, home string) string {
	if user {
		return filepath.Join(home, ".config", "systemd", "user", UnitName)
	}
	return systemUnitDir + "/" + UnitName
}

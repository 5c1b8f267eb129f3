package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
)

// openBrowser opens u with xdg-open when a display is present (Linux and
// the BSDs), or with open on macOS. The browser gets this process's
// environment minus LASTFMD_* and CREDENTIALS_DIRECTORY
// (docs/configuration.md#the-api-secret): it needs DISPLAY, DBUS and XDG variables, never
// lastfmd's secrets.
func openBrowser(e *env, u string) bool {
	var cmd *exec.Cmd
	switch runtime.GOOS {
	case "windows":
		return false
	case "darwin":
		cmd = exec.Command("open", u)
	default:
		if os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
			return false
		}
		cmd = exec.Command("xdg-open", u)
	}
	cmd.Env = browserEnv(os.Environ())
	if err := cmd.Start(); err != nil {
		fmt.Fprintf(e.stderr, "(could not open a browser: %v; open the address yourself)\n", err)
		return false
	}
	go cmd.Wait() // reap it; xdg-open returns once the browser has the URL
	return true
}

// browserEnv is env without lastfmd's own variables and the systemd
// credentials directory.
func browserEnv(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		name, _, _ := strings.Cut(kv, "=")
		if strings.HasPrefix(name, "LASTFMD_") || name == "CREDENTIALS_DIRECTORY" {
			continue
		}
		out = append(out, kv)
	}
	return out
}

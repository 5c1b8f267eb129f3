//go:build !unix

package accounts

import "os"

// lockFile on systems without flock: an exclusive create of the lock file.
// Windows renames are atomic enough for a single-user service.
func lockFile(path string) (func(), error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	return func() { f.Close() }, nil
}

//go:build !linux

package journal

import "errors"

func evict(string) error { return errors.New("evicting a file from the page cache needs Linux") }

package proxy

import (
	"errors"
	"fmt"

	"github.com/lastfmd/lastfmd/daemon/upstream"
)

// failure carries a failed Last.fm answer through request coalescing, so
// every waiter sees the same answer and can decide on a stale one.
type failure struct{ resp *upstream.Response }

func (f *failure) Error() string {
	if f.resp.APIError != nil {
		return f.resp.APIError.Error()
	}
	return fmt.Sprintf("HTTP %d from Last.fm", f.resp.Status)
}

func asFailure(err error, f **failure) bool { return errors.As(err, f) }

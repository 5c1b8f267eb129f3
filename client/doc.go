// Package client is the Go client of lastfmd's own HTTP API: the /v1/
// Last.fm calls, /v1/status, /v1/queue, /v1/auth/ and the /healthz and
// /readyz probes. Every `lastfmd` command that talks to a running daemon
// goes through it, and any Go program may import it:
//
//	c, err := client.New("http://127.0.0.1:7375", client.WithToken(token))
//	ans, err := c.Call(ctx, "artist.getInfo", map[string]string{"artist": "Cher"}, "")
//
// It owns two things and nothing else:
//
//   - how a request reaches the daemon: the address (http://, https:// or
//     unix:/path/to.sock), the listener token (Authorization: Bearer), and
//     the verb of a /v1/ call (GET for a read, POST with a JSON body for a
//     write, from the method catalog in signer);
//   - how an answer is read: the documents the daemon sends (status.go,
//     queue.go, auth.go: each declared once, here) and the one error type,
//     [Error], for both a refusal ({"error":N,"message":"..."}, decoded by
//     signer.DecodeError) and a daemon that does not answer.
//
// It imports only the standard library and signer: no echo, no bbolt, no
// service manager. What to tell a person about an error (which command to
// run next) stays with the CLI.
package client

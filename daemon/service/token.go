package service

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"strings"
)

// tokenMode is the token file's mode: root writes, the group lastfmd reads
// (docs/security.md#the-listener-token). The service gets it through LoadCredential=token:.
const tokenMode fs.FileMode = 0o640

// newToken returns 32 random bytes in hex: enough that guessing is hopeless,
// and safe in a header, a URL and an api_key parameter.
func newToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("cannot make a token: %v", err)
	}
	return hex.EncodeToString(b), nil
}

// ensureToken creates the token file when missing, or keeps an existing one
// (clients already hold it) and puts its owner and mode right. It returns a
// note for the install report; never the token.
func ensureToken(h Host, gid int) (string, error) {
	note := "kept"
	data, err := h.ReadFile(TokenFile)
	switch {
	case notExist(err):
		tok, err := newToken()
		if err != nil {
			return "", err
		}
		if err := h.WriteFile(TokenFile, []byte(tok+"\n"), tokenMode); err != nil {
			return "", fmt.Errorf("cannot write %s: %v", TokenFile, pathError(err))
		}
		note = "created"
	case err != nil:
		return "", fmt.Errorf("cannot read %s: %v", TokenFile, pathError(err))
	case strings.TrimSpace(string(data)) == "":
		return "", fmt.Errorf("%s is empty: remove it and run install again to create a new token", TokenFile)
	}
	if err := h.Chown(TokenFile, 0, gid); err != nil {
		return "", fmt.Errorf("cannot give %s to root:%s: %v", TokenFile, Group, pathError(err))
	}
	if err := h.Chmod(TokenFile, tokenMode); err != nil {
		return "", fmt.Errorf("cannot chmod %s: %v", TokenFile, pathError(err))
	}
	return note + ", root:" + Group + " 0640", nil
}

// pathError drops the operation and path from an *fs.PathError, which the
// caller's message already names.
func pathError(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

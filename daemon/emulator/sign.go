package emulator

import (
	"crypto/md5"
	"encoding/hex"
	"net/url"
	"sort"
	"strings"
)

// Sign computes a Last.fm api_sig (https://www.last.fm/api/authspec#8) with the emulator's own code:
// every parameter except format, callback and api_sig, sorted by name byte-wise,
// concatenated as name+value without separators or escaping, then the secret, MD5,
// lowercase hex. It is independent of the project's signer package on purpose.
func Sign(params map[string]string, secret string) string {
	names := make([]string, 0, len(params))
	for k := range params {
		if unsigned(k) {
			continue
		}
		names = append(names, k)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteString(params[k])
	}
	b.WriteString(secret)
	sum := md5.Sum([]byte(b.String()))
	return hex.EncodeToString(sum[:])
}

// unsigned reports whether a parameter stays out of the signature.
func unsigned(name string) bool {
	return name == "format" || name == "callback" || name == "api_sig"
}

// checkSignature reports whether vals carries a correct api_sig for secret. A name
// sent more than once makes the signature fail, as it does on Last.fm, where the
// server reads a different multiset than the client signed. Hex case is ignored.
func checkSignature(vals url.Values, secret string) bool {
	sig := vals["api_sig"]
	if len(sig) != 1 || sig[0] == "" {
		return false
	}
	flat := make(map[string]string, len(vals))
	for k, v := range vals {
		if unsigned(k) {
			continue
		}
		if len(v) != 1 {
			return false
		}
		flat[k] = v[0]
	}
	return strings.EqualFold(Sign(flat, secret), sig[0])
}

// md5hex is the lowercase hex MD5 of s (used for the authToken form of
// auth.getMobileSession).
func md5hex(s string) string {
	sum := md5.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

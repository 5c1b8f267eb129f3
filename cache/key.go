package cache

import (
	"slices"
	"strconv"
	"strings"
)

// A key is a sequence of length-prefixed fields, each written as
// "<decimal length>:<bytes>":
//
//	method (ASCII-lowercased), account, name1, value1, name2, value2, ...
//
// with the names sorted. Length prefixes make the encoding unambiguous for
// any byte in any field (no escaping, so "a=b&c" and "a=b" + "c" cannot
// collide), keep keys readable in a debugger, and let KeyMethod, KeyParam
// and friends walk a key without a second encoding to keep in sync.

// stackParams is how many parameters Key sorts without a heap allocation;
// Last.fm reads rarely carry more than a handful.
const stackParams = 16

// stackKey is the longest key Key builds in a stack buffer before copying
// it into its string; longer keys are built in an exact-size heap buffer.
const stackKey = 256

// ignoredParam reports whether a parameter never takes part in a key.
// api_key, api_sig and sk are credentials, not part of the question asked
// (and a key must not keep a session key alive in memory); "method" is
// carried by Key's own method argument, so a copy in params (as /2.0/
// clients send it, in any case) must not split one read into several keys.
func ignoredParam(name string) bool {
	switch name {
	case "api_key", "api_sig", "sk", "method":
		return true
	}
	return false
}

type param struct{ name, value string }

// Key builds the cache key of a read: the method (ASCII case folded, since
// Last.fm method names are case-insensitive), every parameter in params
// sorted by name — format and callback included as given, since they
// change the bytes of the answer — and account, which callers pass only
// for signed reads ("" for unsigned reads, so every caller shares them).
// The parameters api_key, api_sig, sk and method are never part of a key.
//
// Parameter names and values, and the account, are taken byte for byte:
// callers canonicalise what Last.fm treats as equal (for example format's
// case) before calling Key.
//
// Key allocates once (the string) for up to 16 parameters and keys up to
// 256 bytes, two or three times otherwise.
func Key(method string, params map[string]string, account string) string {
	// Names and values are copied out in one pass over the map, so that
	// building the key needs no second lookup per name. They go into a
	// local array written by index and are sorted through a byte-sized
	// index: stores into a local are free of GC write barriers, where
	// stores through a slice are not.
	var stack [stackParams]param
	var more []param // all parameters, when there are more than stackParams
	n := 0
	size := fieldSize(method) + fieldSize(account)
	for name, value := range params {
		if ignoredParam(name) {
			continue
		}
		switch {
		case n < stackParams:
			stack[n] = param{name, value}
		case more == nil:
			more = append(make([]param, 0, len(params)), stack[:]...)
			fallthrough
		default:
			more = append(more, param{name, value})
		}
		n++
		size += fieldSize(name) + fieldSize(value)
	}

	var buf []byte
	var kb [stackKey]byte
	if size <= len(kb) {
		buf = kb[:0]
	} else {
		buf = make([]byte, 0, size)
	}
	buf = appendLen(buf, len(method))
	for i := 0; i < len(method); i++ {
		c := method[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf = append(buf, c)
	}
	buf = appendField(buf, account)
	if more != nil {
		slices.SortFunc(more, func(a, b param) int { return strings.Compare(a.name, b.name) })
		for _, p := range more {
			buf = appendField(appendField(buf, p.name), p.value)
		}
		return string(buf)
	}
	// Insertion sort: the fastest for the few parameters of a read.
	var order [stackParams]uint8
	for i := 1; i < n; i++ {
		order[i] = uint8(i)
		for j := i; j > 0 && stack[order[j]].name < stack[order[j-1]].name; j-- {
			order[j], order[j-1] = order[j-1], order[j]
		}
	}
	for _, i := range order[:n] {
		buf = appendField(appendField(buf, stack[i].name), stack[i].value)
	}
	return string(buf)
}

// fieldSize is the encoded size of s: its length's digits, ':' and s.
func fieldSize(s string) int {
	n, d := len(s), 1
	for n >= 10 {
		n /= 10
		d++
	}
	return d + 1 + len(s)
}

func appendLen(buf []byte, n int) []byte {
	if n < 10 { // the common case, without strconv's generality
		return append(buf, byte('0'+n), ':')
	}
	return append(strconv.AppendUint(buf, uint64(n), 10), ':')
}

func appendField(buf []byte, s string) []byte {
	return append(appendLen(buf, len(s)), s...)
}

// nextField splits the first field off an encoded key. ok is false when
// key is empty or not in Key's encoding.
func nextField(key string) (field, rest string, ok bool) {
	i := strings.IndexByte(key, ':')
	if i <= 0 || i > 19 {
		return "", "", false
	}
	n := 0
	for j := 0; j < i; j++ {
		c := key[j]
		if c < '0' || c > '9' {
			return "", "", false
		}
		n = n*10 + int(c-'0')
	}
	key = key[i+1:]
	if n > len(key) {
		return "", "", false
	}
	return key[:n], key[n:], true
}

// KeyMethod returns the method of a key built by Key, lowercased as Key
// stores it ("" if key was not built by Key).
func KeyMethod(key string) string {
	m, _, _ := nextField(key)
	return m
}

// KeyAccount returns the account of a key built by Key: "" for an
// unsigned read.
func KeyAccount(key string) string {
	_, rest, ok := nextField(key)
	if !ok {
		return ""
	}
	a, _, _ := nextField(rest)
	return a
}

// KeyParam returns the value of parameter name in a key built by Key, and
// whether the key has that parameter. Names compare exactly.
func KeyParam(key, name string) (string, bool) {
	_, rest, ok := nextField(key)
	if !ok {
		return "", false
	}
	if _, rest, ok = nextField(rest); !ok {
		return "", false
	}
	for rest != "" {
		var n, v string
		if n, rest, ok = nextField(rest); !ok {
			return "", false
		}
		if v, rest, ok = nextField(rest); !ok {
			return "", false
		}
		if n == name {
			return v, true
		}
		if n > name {
			// Names are sorted: name cannot come later.
			return "", false
		}
	}
	return "", false
}

// KeyHasParam reports whether a key built by Key has parameter name with a
// value equal to value under Unicode case folding — Last.fm user, artist
// and tag names are case-insensitive, so an invalidation for "RJ" must
// also drop the entry cached for "rj".
func KeyHasParam(key, name, value string) bool {
	v, ok := KeyParam(key, name)
	return ok && strings.EqualFold(v, value)
}

package api

// The words for what a retry or drop did, one home for `lastfmd queue
// retry|drop` and the page at / (its Retry and Drop buttons).

// ChangeWords says what retry or drop on dest ("" for every destination)
// did to an item (QueueChange.Result), in words.
func ChangeWords(result, dest string) string {
	switch result {
	case "retrying":
		return "queued to be sent again"
	case "sent":
		return "already sent: " + DestinationName(dest) + " answered it, so there is nothing to retry or drop"
	case "unknown":
		where := "the queue"
		if dest != "" {
			where = dest + "'s queue"
		}
		return "not in " + where + ": no item has this id (see `" + WithMirror("lastfmd queue list", dest) + "`)"
	}
	return result
}

// DestinationName is how a destination is called in a sentence: Last.fm
// by its name, a mirror by its own; "" (every destination) as "its
// destination".
func DestinationName(dest string) string {
	switch dest {
	case "":
		return "its destination"
	case "lastfm":
		return "Last.fm"
	}
	return dest
}

// WithMirror is a suggested command, with --mirror when it is about one
// destination.
func WithMirror(command, dest string) string {
	if dest == "" {
		return command
	}
	return command + " --mirror " + dest
}

package daemon_test

import (
	"strconv"
	"time"
)

func nowTS() string { return strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10) }

package e2e_test

import (
	"os"
	"strconv"
	"time"
)

func nowTS() string { return strconv.FormatInt(time.Now().Add(-time.Minute).Unix(), 10) }

func getenv(name string) string { return os.Getenv(name) }

// Command barehandler is the yardstick for bench/load.sh: the smallest Go
// net/http server that answers every request with the same bytes from
// memory, as lastfmd's cache does on a hit.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:7398", "address")
	file := flag.String("body", "", "file holding the body to serve")
	ctype := flag.String("type", "application/json; charset=UTF-8", "Content-Type")
	timeouts := flag.Bool("timeouts", false, "use lastfmd's server timeouts (read 30 s, write 3 min, idle 2 min)")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	srv := &http.Server{Addr: *addr, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", *ctype)
		w.Write(body)
	})}
	if *timeouts {
		// The same hardening lastfmd's server has (daemon/httpapi/server.go):
		// each costs net/http a deadline update per request.
		srv.ReadHeaderTimeout, srv.ReadTimeout = 30*time.Second, 30*time.Second
		srv.WriteTimeout, srv.IdleTimeout = 3*time.Minute, 2*time.Minute
	}
	log.Fatal(srv.ListenAndServe())
}

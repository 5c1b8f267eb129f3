// Command barehandler is the yardstick for bench/load.sh: the smallest Go
// net/http server that answers every request with the same bytes from
// memory, as lastfmd's cache does on a hit.
package main

import (
	"flag"
	"log"
	"net/http"
	"os"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:7398", "address")
	file := flag.String("body", "", "file holding the body to serve")
	ctype := flag.String("type", "application/json; charset=UTF-8", "Content-Type")
	flag.Parse()
	body, err := os.ReadFile(*file)
	if err != nil {
		log.Fatal(err)
	}
	log.Fatal(http.ListenAndServe(*addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", *ctype)
		w.Write(body)
	})))
}

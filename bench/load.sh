#!/usr/bin/env bash
# Cached-read load over loopback TCP: lastfmd (answering from its cache)
# against a bare net/http handler serving the same bytes, in alternating
# runs, medians compared. Not run by CI: it installs wrk and takes minutes.
#
#   bench/load.sh [RUNS] [SECONDS] [CONNECTIONS]     (default 5 10 64)
#   BARE_TIMEOUTS=1 bench/load.sh                    the bare handler with lastfmd's server timeouts
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-5} SECS=${2:-10} CONNS=${3:-64}
command -v wrk >/dev/null || { sudo=; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y wrk >/dev/null; }
tmp=$(mktemp -d); trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$tmp"' EXIT
go build -o "$tmp/lastfmd" ./cmd/lastfmd
go build -o "$tmp/bare" ./bench/barehandler

"$tmp/lastfmd" demo --listen 127.0.0.1:7397 >"$tmp/demo.out" 2>&1 &
for _ in $(seq 50); do grep -q "ready at" "$tmp/demo.out" && break; sleep 0.1; done
URL='http://127.0.0.1:7397/v1/artist.getInfo?artist=Cher'
curl -sf "$URL" -o "$tmp/body"              # warm the cache
curl -sf -D - -o /dev/null "$URL" | grep -qi 'X-Lastfmd-Cache: HIT' || { echo "not a cache hit"; exit 1; }
bare_flags=""; [ -n "${BARE_TIMEOUTS:-}" ] && bare_flags="-timeouts"
"$tmp/bare" -listen 127.0.0.1:7398 -body "$tmp/body" $bare_flags &
sleep 0.3

run() { # name url -> "rps p99_ms"
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$2" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {print rps, p99}'
}
: >"$tmp/lastfmd.txt"; : >"$tmp/bare.txt"
for i in $(seq "$RUNS"); do
  l=$(run lastfmd "$URL"); b=$(run bare "http://127.0.0.1:7398/v1/artist.getInfo?artist=Cher")
  echo "$l" >>"$tmp/lastfmd.txt"; echo "$b" >>"$tmp/bare.txt"
  echo "run $i: lastfmd $l, bare $b (req/s, p99 ms)"
done
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
lr=$(cut -d' ' -f1 "$tmp/lastfmd.txt" | median); lp=$(cut -d' ' -f2 "$tmp/lastfmd.txt" | median)
br=$(cut -d' ' -f1 "$tmp/bare.txt" | median);    bp=$(cut -d' ' -f2 "$tmp/bare.txt" | median)
echo "runs: $RUNS x ${SECS}s, wrk -t1 -c$CONNS, body $(wc -c <"$tmp/body") bytes"
echo "lastfmd (cache hit): median $lr req/s, p99 $lp ms"
echo "bare net/http:       median $br req/s, p99 $bp ms"
awk -v lr="$lr" -v br="$br" -v lp="$lp" -v bp="$bp" 'BEGIN {printf "ratio: %.2fx requests/s (target >= 0.9), %.2fx p99 (target <= 1.5)\n", lr/br, lp/bp}'

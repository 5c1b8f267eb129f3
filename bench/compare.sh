#!/usr/bin/env bash
# Two builds of lastfmd side by side on the cached-read load: each runs as
# `lastfmd demo`, wrk hits one then the other in alternating runs, and the
# medians, the per-run ratios and each daemon's peak RSS are printed. Used
# for "before and after" a change and to ask whether a performance device
# earns its keep (docs/performance.md). Not run by CI: it installs wrk and
# takes minutes.
#
#   bench/compare.sh A B [RUNS] [SECONDS] [CONNECTIONS]   (default 10 10 64)
#
# A and B are git revisions, optionally with a patch applied on top:
#   bench/compare.sh 22623cf HEAD                          before and after
#   bench/compare.sh HEAD HEAD+bench/ablate/no-memo.patch  without a device
set -euo pipefail
cd "$(dirname "$0")/.."
A=${1:?usage: bench/compare.sh A B [RUNS] [SECONDS] [CONNECTIONS]} B=${2:?usage: bench/compare.sh A B [RUNS] [SECONDS] [CONNECTIONS]}
RUNS=${3:-10} SECS=${4:-10} CONNS=${5:-64}
command -v wrk >/dev/null || { sudo=; [ "$(id -u)" = 0 ] || sudo=sudo; $sudo apt-get install -y wrk >/dev/null; }
tmp=$(mktemp -d)
cleanup() { kill $(jobs -p) 2>/dev/null || true; wait 2>/dev/null || true; for w in "$tmp"/src-*; do [ -d "$w" ] && git worktree remove --force "$w"; done; rm -rf "$tmp"; }
trap cleanup EXIT

build() { # spec name -> $tmp/name (REV or REV+PATCH)
  local rev=${1%%+*} patch= src="$tmp/src-$2"
  [ "$rev" != "$1" ] && patch=$(realpath "${1#*+}")
  git worktree add --quiet --detach "$src" "$rev"
  [ -n "$patch" ] && git -C "$src" apply "$patch"
  (cd "$src" && go build -o "$tmp/$2" ./cmd/lastfmd)
}
start() { # name port -> pid; waits for the demo and warms its cache
  "$tmp/$1" demo --listen "127.0.0.1:$2" >"$tmp/$1.out" 2>&1 &
  echo $! >"$tmp/$1.pid"
  for _ in $(seq 100); do grep -q "ready at" "$tmp/$1.out" && break; sleep 0.1; done
  local url="http://127.0.0.1:$2/v1/artist.getInfo?artist=Cher"
  curl -sf -o /dev/null "$url"
  curl -sf -D - -o /dev/null "$url" | grep -qi 'X-Lastfmd-Cache: HIT' || { echo "$1: not a cache hit" >&2; exit 1; }
}
run() { # port -> "rps p99_ms"
  wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "http://127.0.0.1:$1/v1/artist.getInfo?artist=Cher" | awk '
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {print rps, p99}'
}
build "$A" a; build "$B" b
start a 7391; start b 7392
: >"$tmp/a.txt"; : >"$tmp/b.txt"
for i in $(seq "$RUNS"); do
  # Alternate which goes first, so that a drift in the machine's load
  # falls on both alike.
  if [ $((i % 2)) = 1 ]; then ra=$(run 7391); rb=$(run 7392); else rb=$(run 7392); ra=$(run 7391); fi
  echo "$ra" >>"$tmp/a.txt"; echo "$rb" >>"$tmp/b.txt"
  awk -v i="$i" -v a="$ra" -v b="$rb" 'BEGIN {split(a, x, " "); split(b, y, " "); printf "run %2d: A %s req/s p99 %s ms | B %s req/s p99 %s ms | B/A %.3f\n", i, x[1], x[2], y[1], y[2], y[1]/x[1]}'
done
rss() { awk '/VmHWM/ {print $2/1024 " MiB"}' "/proc/$(cat "$tmp/$1.pid")/status"; }
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ar=$(cut -d' ' -f1 "$tmp/a.txt" | median); ap=$(cut -d' ' -f2 "$tmp/a.txt" | median)
br=$(cut -d' ' -f1 "$tmp/b.txt" | median); bp=$(cut -d' ' -f2 "$tmp/b.txt" | median)
echo "A = $A, B = $B; $RUNS alternating runs of ${SECS}s, wrk -t1 -c$CONNS"
echo "A: median $ar req/s, p99 $ap ms, peak RSS $(rss a)"
echo "B: median $br req/s, p99 $bp ms, peak RSS $(rss b)"
awk -v ar="$ar" -v br="$br" -v ap="$ap" -v bp="$bp" 'BEGIN {printf "B/A: %.3f requests/s, %.3f p99\n", br/ar, bp/ap}'

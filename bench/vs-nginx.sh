#!/usr/bin/env bash
# lastfmd against the yardsticks of a cached read, in one run: a bare
# net/http handler serving the same bytes (bench/barehandler), and nginx
# proxy_cache in front of the same emulator (bench/nginx/nginx.conf.in), as
# Debian configures it ("nginx") and tuned ("nginx-tuned"). Each lastfmd
# runs as `lastfmd demo`; nginx proxies to the emulator of the first one.
# wrk hits each server in turn, the order rotating every round so that a
# drift in the machine's load falls on all alike. It prints each round,
# then the medians (requests/s, p99, the server's CPU time per request, peak
# RSS) and the ratios. Not run by CI: it takes minutes and needs Debian's
# nginx-light and wrk (without them it says so and stops, successfully).
#
#   bench/vs-nginx.sh [RUNS] [SECONDS] [CONNECTIONS]     (default 10 8 64)
#   REVS=". 22623cf" bench/vs-nginx.sh                   two builds of lastfmd
#
# REVS lists the lastfmd builds: "." is the work tree (the default), any
# other word a git revision, optionally with a patch applied on top
# (REV+PATCH, as bench/compare.sh). Everything listens on 127.0.0.1 only;
# each run is bounded by SECONDS.
#
# CPU time per request is the server's user+system time over the run
# divided by the requests wrk completed. It varies less than requests/s on
# a shared machine (another process's load takes CPU from every server,
# and changes what one request costs far less), though it rises under load
# too: compare figures from the same run.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${1:-10} SECS=${2:-8} CONNS=${3:-64}
REVS=${REVS:-.}
NGINX=$(command -v nginx || true)
[ -z "$NGINX" ] && [ -x /usr/sbin/nginx ] && NGINX=/usr/sbin/nginx
if [ -z "$NGINX" ] || ! command -v wrk >/dev/null; then
  echo "bench/vs-nginx.sh: skipped: it needs nginx and wrk (Debian: apt-get install nginx-light wrk)"
  exit 0
fi

# The demo's API key, which the emulator checks (cmd/lastfmd/demo.go).
API_KEY=00000000000000000000000000demo00
PATHQ='/v1/artist.getInfo?artist=Cher'
BARE_PORT=7417 NGINX_PORT=7418 TUNED_PORT=7419 # lastfmd builds take 7411, 7412, ...

tmp=$(mktemp -d)
cleanup() {
  kill $(jobs -p) 2>/dev/null || true
  wait 2>/dev/null || true
  for w in "$tmp"/src-*; do [ -d "$w" ] && git worktree remove --force "$w"; done
  rm -rf "$tmp"
}
trap cleanup EXIT

names=() urls=() pids=()
add() { # name url pid
  names+=("$1"); urls+=("$2"); pids+=("$3")
}
waitfor() { # file pattern
  for _ in $(seq 100); do grep -q "$2" "$1" 2>/dev/null && return 0; sleep 0.1; done
  echo "timed out waiting for \"$2\" in $1:" >&2; cat "$1" >&2; exit 1
}
hit() { # url header-line-pattern -> fails unless the second fetch is a cache hit
  curl -sf -o /dev/null "$1"
  curl -sf -D - -o /dev/null "$1" | grep -qi "$2" || { echo "$1: not a cache hit" >&2; exit 1; }
}

# The lastfmd builds.
i=0
for spec in $REVS; do
  i=$((i + 1))
  bin="$tmp/lastfmd-$i"
  if [ "$spec" = . ]; then
    go build -o "$bin" ./cmd/lastfmd
  else
    rev=${spec%%+*} src="$tmp/src-$i" patch=
    [ "$rev" != "$spec" ] && patch=$(realpath "${spec#*+}")
    git worktree add --quiet --detach "$src" "$rev"
    [ -n "$patch" ] && git -C "$src" apply "$patch"
    (cd "$src" && go build -o "$bin" ./cmd/lastfmd)
  fi
  port=$((7410 + i))
  "$bin" demo --listen "127.0.0.1:$port" >"$tmp/lastfmd-$i.out" 2>&1 &
  pid=$!
  waitfor "$tmp/lastfmd-$i.out" "ready at"
  hit "http://127.0.0.1:$port$PATHQ" 'X-Lastfmd-Cache: HIT'
  label=$spec
  [ "${spec#*+}" != "$spec" ] && label="${spec%%+*}+$(basename "${spec#*+}")"
  add "lastfmd[$label]" "http://127.0.0.1:$port$PATHQ" "$pid"
done
first=http://127.0.0.1:7411$PATHQ
curl -sf -o "$tmp/body" "$first"

# The bare handler, serving the first lastfmd's answer.
go build -o "$tmp/bare" ./bench/barehandler
"$tmp/bare" -listen "127.0.0.1:$BARE_PORT" -body "$tmp/body" 2>"$tmp/bare.out" &
bare_pid=$!
for _ in $(seq 50); do curl -sf -o /dev/null "http://127.0.0.1:$BARE_PORT$PATHQ" && break; sleep 0.1; done
add bare "http://127.0.0.1:$BARE_PORT$PATHQ" "$bare_pid"

# nginx, twice, in front of the first lastfmd's emulator: as Debian
# configures it, and tuned (bench/nginx/nginx.conf.in says how).
upstream=$(awk '$1 == "emulator" {print $2}' "$tmp/lastfmd-1.out" | sed -E 's#^http://([^/]+)/.*#\1#')
[ -n "$upstream" ] || { echo "no emulator address in the demo's banner" >&2; exit 1; }
user_line="# not root: the workers run as this user"
[ "$(id -u)" = 0 ] && user_line="user $(id -un) $(id -gn);"
start_nginx() { # name port access_log keepalive_requests
  local dir="$tmp/$1" url="http://127.0.0.1:$2$PATHQ"
  local log=off
  [ "$3" = on ] && log="$dir/access.log"
  mkdir -p "$dir"
  sed -e "s#@DIR@#$dir#g" -e "s#@UPSTREAM@#$upstream#g" -e "s#@LISTEN@#127.0.0.1:$2#g" -e "s#@API_KEY@#$API_KEY#g" \
    -e "s#@ACCESS_LOG@#$log#" -e "s#@KEEPALIVE_REQUESTS@#$4#" -e "s%@USER_LINE@%$user_line%" bench/nginx/nginx.conf.in >"$dir/nginx.conf"
  "$NGINX" -p "$dir" -c "$dir/nginx.conf" -e "$dir/error.log" &
  local pid=$!
  for _ in $(seq 50); do curl -s -o /dev/null "http://127.0.0.1:$2/" && break; sleep 0.1; done
  hit "$url" 'X-Cache-Status: HIT'
  curl -sf "$url" | cmp -s - "$tmp/body" || echo "warning: $1's body differs from lastfmd's" >&2
  add "$1" "$url" "$pid"
}
start_nginx nginx "$NGINX_PORT" on 1000
start_nginx nginx-tuned "$TUNED_PORT" off 1000000

cputicks() { # pid -> CPU ticks used so far by the process and its children (nginx's workers)
  local sum=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    sum=$((sum + $(awk '{print $14 + $15}' "/proc/$p/stat" 2>/dev/null || echo 0)))
  done
  echo "$sum"
}
HZ=$(getconf CLK_TCK)
run() { # url pid -> "rps p99_ms server_cpu_us_per_request"
  local c0 c1 out
  c0=$(cputicks "$2")
  out=$(wrk -t1 -c"$CONNS" -d"${SECS}s" --latency "$1")
  c1=$(cputicks "$2")
  awk -v cpu=$((c1 - c0)) -v hz="$HZ" '
    /requests in/ {n=$1}
    /Requests\/sec/ {rps=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; p99=v}
    END {printf "%s %s %.2f\n", rps, p99, cpu / hz * 1e6 / n}' <<<"$out"
}
n=${#names[@]}
for j in $(seq 0 $((n - 1))); do : >"$tmp/r$j"; done
echo "$RUNS rounds of ${SECS}s per server, wrk -t1 -c$CONNS, $PATHQ, body $(wc -c <"$tmp/body") bytes"
for r in $(seq "$RUNS"); do
  line="round $r (load $(cut -d' ' -f1 /proc/loadavg)):"
  for k in $(seq 0 $((n - 1))); do
    j=$(((k + r - 1) % n)) # rotate who goes first
    run "${urls[$j]}" "${pids[$j]}" >>"$tmp/r$j"
  done
  for j in $(seq 0 $((n - 1))); do line+=" ${names[$j]} $(tail -1 "$tmp/r$j" | cut -d' ' -f1)"; done
  echo "$line"
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
col() { cut -d' ' -f"$2" "$tmp/r$1" | median; } # server column -> median
rss() { # pid -> peak RSS in MiB, the process and its children
  local sum=0 p
  for p in "$1" $(pgrep -P "$1" || true); do
    sum=$((sum + $(awk '/VmHWM/ {print $2}' "/proc/$p/status" 2>/dev/null || echo 0)))
  done
  awk -v k="$sum" 'BEGIN {printf "%.1f MiB", k/1024}'
}
ratio() { # a b -> "X.XXXx on the medians (per run: min–max, median M)"
  local ma mb
  ma=$(col "$1" 1) mb=$(col "$2" 1)
  awk -v a="$ma" -v b="$mb" 'BEGIN {printf "%.3fx on the medians", a/b}'
  paste -d' ' "$tmp/r$1" "$tmp/r$2" | awk '{print $1/$4}' | sort -n |
    awk '{a[NR]=$1} END {printf " (per run: %.2f–%.2f, median %.3f)", a[1], a[NR], a[int((NR+1)/2)]}'
}
echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "medians: requests/s, p99 latency, the server's CPU time per request, peak RSS"
for j in $(seq 0 $((n - 1))); do
  printf '  %-36s %8.0f req/s  p99 %6.2f ms  %6.2f µs CPU/req  %s\n' "${names[$j]}" "$(col "$j" 1)" "$(col "$j" 2)" "$(col "$j" 3)" "$(rss "${pids[$j]}")"
done
last=$((n - 4)) # the lastfmd builds are 0..last; then bare, nginx, nginx-tuned
for j in $(seq 0 "$last"); do
  for y in $((n - 3)) $((n - 2)) $((n - 1)); do
    echo "${names[$j]} / ${names[$y]}: $(ratio "$j" "$y")"
  done
done
for j in $(seq 1 "$last"); do
  echo "${names[0]} / ${names[$j]}: $(ratio 0 "$j")"
done

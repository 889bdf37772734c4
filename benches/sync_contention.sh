#!/usr/bin/env bash
# `orchestron sync` under contention: CLONES clones of one bare remote, started
# together, each doing OPS operations (create or update a task) with a sync
# after every one; prints the p50 / p95 / max latency of one sync and how many
# pull-and-push attempts the syncs needed (docs/PERFORMANCE.md, "Sync under
# contention"). The same load as tests/it/sync/contention.rs, timed.
#
#   benches/sync_contention.sh [CLONES] [OPS]        # default 4 15
#   ORCHESTRON=target/release/orchestron benches/sync_contention.sh 8 10
#
# Hermetic git (GIT_CONFIG_GLOBAL=/dev/null); everything lives in a temporary
# folder that is removed at the end.
set -euo pipefail

clones=${1:-4}
ops=${2:-15}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ORCHESTRON:-${CARGO_TARGET_DIR:-$root/target}/debug/orchestron}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build, or set ORCHESTRON)" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
unset ORCHESTRON_AGENT ORCHESTRON_ROOT ORCHESTRON_DB ORCHESTRON_WATCHER

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git init -q --bare -b main "$work/remote.git"
git init -q -b main "$work/seed"
(
  cd "$work/seed"
  "$bin" init >/dev/null
  "$bin" task create "Shared work" >/dev/null
  git add -A && git commit -q -m "shared backlog"
  git remote add origin "$work/remote.git" && git push -q -u origin main
)
shared=$(cd "$work/seed" && "$bin" --json task list | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1)
for c in $(seq 1 "$clones"); do
  git clone -q "$work/remote.git" "$work/c$c"
  (cd "$work/c$c" && "$bin" git setup >/dev/null)
done

# One clone's run: a line per sync, "<milliseconds> <attempts> <exit code>".
operate() {
  local c=$1 own="" k out start end
  cd "$work/c$c"
  flock -s "$work/go" true # the barrier: blocks until the start is released
  for k in $(seq 0 $((ops - 1))); do
    if [ $((k % 4)) = 1 ] && [ -n "$own" ]; then
      "$bin" --agent "a$c" task update "$own" --progress $((k * 5)) --note "op $k" >/dev/null
    elif [ $((k % 4)) = 3 ]; then
      "$bin" --agent "a$c" task update "$shared" --note "clone $c op $k" >/dev/null
    else
      own=$("$bin" --agent "a$c" --json task create "clone $c op $k" | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1)
    fi
    start=$(date +%s%N)
    out=$("$bin" --agent "a$c" --json sync 2>&1) && code=0 || code=$?
    end=$(date +%s%N)
    echo "$(((end - start) / 1000000)) $(echo "$out" | sed -n 's/.*"attempts": *\([0-9]*\).*/\1/p') $code"
  done >"$work/times.$c"
}

exec 9>"$work/go"
flock 9
for c in $(seq 1 "$clones"); do operate "$c" & done
wall_start=$(date +%s%N)
flock -u 9
wait
wall=$((($(date +%s%N) - wall_start) / 1000000))

cat "$work"/times.* >"$work/all"
n=$(wc -l <"$work/all")
failed=$(awk '$3 != 0' "$work/all" | wc -l)
pct() { sort -n "$work/all" | awk -v p="$1" -v n="$n" '{ a[NR] = $1 } END { i = int((n * p + 99) / 100); if (i < 1) i = 1; print a[i] }'; }
attempts=$(awk '{ s += $2; if ($2 > m) m = $2 } END { printf "%.2f mean, %d max", s / NR, m }' "$work/all")
echo "sync under contention: $clones clones x $ops operations, $n syncs ($failed failed) in ${wall} ms"
echo "  per sync: p50 $(pct 50) ms, p95 $(pct 95) ms, max $(pct 100) ms; attempts $attempts"
echo "  binary $bin; load average $(cut -d' ' -f1-3 /proc/loadavg)"

#!/usr/bin/env bash
# What one task update costs the system, counted by strace: the CLI's
# `task update ID --progress 40 --note …` and the MCP server's
# `orchestron_task_update` with the same change (docs/PERFORMANCE.md, "One
# write, counted"). For each it prints the process's syscalls in all, and
# what touched the task file (stat-family calls that name it — the `fstat`
# of a handle names no file and is not counted: each read checks its handle
# once — and opens: each open is a read and a parse, or the write's own
# temporary file) and the locks (`flock` calls that take one).
#
# The MCP figure is one call: a session of `initialize` + the update minus a
# session of `initialize` + `tools/list` (the same start-up and exit).
#
#   benches/write_syscalls.sh                     # the debug build of this tree
#   ORCHESTRON=target/release/orchestron benches/write_syscalls.sh
#   ORCHESTRON_BENCH_KEEP=1 benches/write_syscalls.sh   # keep the logs to read
#
# Needs strace (apt install strace). Hermetic git (GIT_CONFIG_GLOBAL=/dev/null);
# everything lives in a temporary folder that is removed at the end.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${ORCHESTRON:-${CARGO_TARGET_DIR:-$root/target}/debug/orchestron}
[ -x "$bin" ] || { echo "no binary at $bin (cargo build, or set ORCHESTRON)" >&2; exit 1; }
command -v strace >/dev/null || { echo "strace is missing (apt install strace)" >&2; exit 1; }

export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export ORCHESTRON_AGENT=bench
unset ORCHESTRON_ROOT ORCHESTRON_DB ORCHESTRON_WATCHER

work=$(mktemp -d)
if [ -n "${ORCHESTRON_BENCH_KEEP:-}" ]; then
    echo "keeping the workspace and the strace logs in $work" >&2
else
    trap 'rm -rf "$work"' EXIT
fi
cd "$work"
git init -q -b main .
"$bin" init >/dev/null
for i in $(seq 1 20); do "$bin" task create "Task $i" >/dev/null; done
measured() { "$bin" task create "$1" --json | sed -n 's/.*"id": *"\([^"]*\)".*/\1/p' | head -1; }
id=$(measured "Measured")
settled=$(measured "Measured when settled")
git add -A && git commit -qm seed

# Counts in one strace log ($1): total syscalls, stat-family calls and opens
# of the task file (`$2`, default the first measured task), flock calls that
# take a lock (LOCK_EX).
count() {
    local log=$1 id=${2:-$id} total stats opens locks
    total=$(grep -cv -e '^[0-9]* *+++' -e '^[0-9]* *---' -e 'resumed>' "$log" || true)
    stats=$(grep -E '(statx|newfstatat|fstatat|lstat|stat)\(' "$log" | grep -cE "[\"/]$id\.yaml\"" || true)
    opens=$(grep -E 'open(at)?\(' "$log" | grep -c "$id.yaml" || true)
    locks=$(grep -c 'flock(.*LOCK_EX' "$log" || true)
    echo "$total $stats $opens $locks"
}

trace() { strace -f -qq -o "$1" "${@:2}"; }

# The CLI: one process per write.
trace "$work/cli.log" "$bin" task update "$id" --progress 40 --note "counted" >/dev/null
read -r c_total c_stats c_opens c_locks < <(count "$work/cli.log")

# The MCP server: one session with the update, one without.
session() {
    local log=$1 call=$2
    coproc MCP { trace "$log" "$bin" mcp; }
    local out=${MCP[0]} in=${MCP[1]} line
    echo '{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"1"}}}' >&"$in"
    read -r line <&"$out"
    echo '{"jsonrpc":"2.0","method":"notifications/initialized"}' >&"$in"
    echo "$call" >&"$in"
    read -r line <&"$out"
    case $line in *'"isError":true'*|*'"error"'*) echo "the call failed: $line" >&2; exit 1 ;; esac
    exec {in}>&-
    wait "$MCP_PID" || true
}
session "$work/list.log" '{"jsonrpc":"2.0","id":1,"method":"tools/list"}'
session "$work/update.log" '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"orchestron_task_update","arguments":{"taskId":"'"$id"'","progress":60,"notes":"counted"}}}'
read -r l_total l_stats l_opens l_locks < <(count "$work/list.log")
read -r u_total u_stats u_opens u_locks < <(count "$work/update.log")

# The CLI again, on a workspace at rest: every record file last changed long
# before the previous command (the files set back a year, then a read that
# takes in their stamps), so the refresh reads no file — above, each re-reads
# the task file because it was written moments before ("racily clean").
touch -d '1 year ago' .orchestron/tasks/*.yaml
"$bin" task list >/dev/null
trace "$work/settled.log" "$bin" task update "$settled" --progress 40 --note "counted" >/dev/null
read -r s_total s_stats s_opens s_locks < <(count "$work/settled.log" "$settled")

echo "| one task update | syscalls | stats of the task file | opens of the task file (reads, and the write's temporary file) | locks taken (flock LOCK_EX: workspace, claim registry) |"
echo "|---|---|---|---|---|"
echo "| CLI \`task update\` (whole process) | $c_total | $c_stats | $c_opens | $c_locks |"
echo "| CLI \`task update\`, the workspace at rest (whole process) | $s_total | $s_stats | $s_opens | $s_locks |"
echo "| MCP \`orchestron_task_update\` (the call: session minus a tools/list session) | $((u_total - l_total)) | $((u_stats - l_stats)) | $((u_opens - l_opens)) | $((u_locks - l_locks)) |"

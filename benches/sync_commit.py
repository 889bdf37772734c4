#!/usr/bin/env python3
"""A committed write, side by side: `orchestron sync` committing one changed
record against `git add` + `git commit` of one changed record by hand, in the
same repository (docs/PERFORMANCE.md, issue 27).

    python3 benches/sync_commit.py BACKLOG [RUNS]

BACKLOG is a folder holding `.orchestron/` (e.g. one kept by
`ORCHESTRON_BENCH_KEEP=1 ORCHESTRON_BENCH_SIZES=100000 cargo bench --bench
cli`). It is copied into a new git repository (one commit of every file) with a
bare clone as its upstream, so `sync` pulls and pushes over the local file
system. Each run appends a line to one task file and times, as whole
processes (median of RUNS, wall ms and CPU ms of the children):

- by hand: `git add FILE && git commit -q -m MSG`;
- `orchestron sync`, whole;
- sync's local commit: its process from start to the end of its commit
  (`ORCHESTRON_TIMINGS=1`, the `sync: commit` phase's "at" time), which is
  what compares with the commit by hand (the pull and push come after).

ORCHESTRON_BIN names the binary (default: target/release/orchestron);
ORCHESTRON_BIN_BEFORE, when set, names a second one (e.g. a build of the
previous commit) run alternately with it, each run editing its own file, so
that both see the same machine load. The CPU figures are user + system time:
of the whole process tree for the hand commit and the whole sync (`resource`'s
children), and for sync's local commit the CPU its timings print at the end
of the commit phase (the process and the `git` children it has waited for).
One untimed sync first sets up the merge driver, the index cache and (at
2,000 tasks and more) the watcher, as a user's first sync would.
"""

import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

GITIGNORE = "cache/\n.*.tmp\n"


def run(args, cwd, env=None, capture=False):
    """Runs a command; returns (wall ms, child CPU ms, stderr)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(args, cwd=cwd, env=env, check=True, capture_output=True, text=True)
    wall = (time.perf_counter() - start) * 1000
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = ((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)) * 1000
    return wall, cpu, out.stderr if capture else ""


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    source = os.path.abspath(sys.argv[1])
    runs = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    binary = os.path.abspath(os.environ.get("ORCHESTRON_BIN", "target/release/orchestron"))
    env = dict(os.environ)
    env.update(
        GIT_CONFIG_GLOBAL="/dev/null",
        GIT_AUTHOR_NAME="bench",
        GIT_AUTHOR_EMAIL="bench@example.com",
        GIT_COMMITTER_NAME="bench",
        GIT_COMMITTER_EMAIL="bench@example.com",
    )
    tmp = tempfile.mkdtemp(prefix="orchestron-sync-bench-")
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    git = lambda *a: subprocess.run(["git", *a], cwd=work, env=env, check=True, capture_output=True)
    try:
        shutil.copytree(
            os.path.join(source, ".orchestron"),
            os.path.join(work, ".orchestron"),
            ignore=shutil.ignore_patterns("cache"),
            symlinks=True,
        )
        ignore = os.path.join(work, ".orchestron", ".gitignore")
        if not os.path.exists(ignore):
            with open(ignore, "w") as f:
                f.write(GITIGNORE)
        git("init", "-q", "-b", "main")
        git("add", "-A")
        git("commit", "-q", "-m", "base")
        subprocess.run(["git", "clone", "-q", "--bare", work, os.path.join(tmp, "remote.git")],
                       env=env, check=True)
        git("remote", "add", "origin", os.path.join(tmp, "remote.git"))
        git("fetch", "-q", "origin")
        git("branch", "-q", "-u", "origin/main")
        tasks_dir = os.path.join(work, ".orchestron", "tasks")
        names = sorted(os.listdir(tasks_dir))
        print(f"{len(names)} task files; load average {os.getloadavg()[0]:.2f}", flush=True)
        run([binary, "--root", work, "sync"], work, env)  # the first sync: config, cache, watcher

        def edit(i, who):
            path = os.path.join(tasks_dir, names[(i * 7919) % len(names)])
            with open(path, "a") as f:
                f.write(f"# edited by {who} {i}\n")
            return os.path.relpath(path, work)

        binaries = [("sync", binary)]
        if os.environ.get("ORCHESTRON_BIN_BEFORE"):
            binaries.insert(0, ("before", os.path.abspath(os.environ["ORCHESTRON_BIN_BEFORE"])))
        hand = []
        runs_of = {name: ([], [], []) for name, _ in binaries}
        n = 0
        for i in range(runs):
            rel = edit(n, "hand")
            n += 1
            wall, cpu, _ = run(["sh", "-c", f'git add "{rel}" && git commit -q -m "edit {i}"'],
                               work, env)
            hand.append((wall, cpu))
            for name, path in binaries:
                edit(n, name)
                n += 1
                timed = dict(env, ORCHESTRON_TIMINGS="1")
                wall, cpu, err = run([path, "--root", work, "sync"], work, timed, capture=True)
                whole, local, local_cpu = runs_of[name]
                whole.append((wall, cpu))
                m = re.search(r"sync: commit: [0-9.]+ ms \(at ([0-9.]+) ms(?:, cpu ([0-9.]+) ms)?\)", err)
                if m:
                    local.append(float(m.group(1)))
                    if m.group(2):
                        local_cpu.append(float(m.group(2)))
        med = statistics.median
        h, hc = med([w for w, _ in hand]), med([c for _, c in hand])
        print(f"by hand, git add + git commit: {h:.1f} ms wall, {hc:.1f} ms CPU (median of {runs})")
        for name, path in binaries:
            whole, local, local_cpu = runs_of[name]
            print(f"[{name}] {path}")
            print(f"  orchestron sync, whole: {med([w for w, _ in whole]):.1f} ms wall, "
                  f"{med([c for _, c in whole]):.1f} ms CPU")
            if local:
                s = med(local)
                print(f"  start to commit done: {s:.1f} ms wall; ratio to by hand: {s / h:.2f}x")
            if local_cpu:
                c = med(local_cpu)
                print(f"  start to commit done: {c:.1f} ms CPU; ratio to by hand: {c / hc:.2f}x")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

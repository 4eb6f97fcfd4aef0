"""
What pages cost the machine under load, this checkout against another one:
CPU time per request of gunicorn, PostgreSQL and wrk together, read from
/proc while wrk loads a page, in turns that alternate between a server of
each checkout. On two saturated cores a page's ratio to /healthz in the
benchmark is about /healthz's CPU per request over the page's, so this is
the benchmark's figure taken apart from the machine's drift, which hits
both checkouts alike, turn by turn. Unlike bench/instructions.py it counts
the database and the kernel too: round trips, the server's side of a query.

    git worktree add /tmp/before HEAD~1
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cstonews_bench_100000 \\
        .venv/bin/python bench/compare.py /tmp/before /healthz /news/

(DATABASE_URL is a `make bench` database; Linux only; needs wrk.)
"""

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from run import ROOT, WORKERS, Server, environment, load_wrk, manage

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(group):
    """CPU of gunicorn's process group `group`, of PostgreSQL, and of our reaped children (wrk)."""
    total = 0
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue  # gone meanwhile
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2 :].split()
        if name.startswith("postgres") or int(fields[2]) == group:
            # Its own time and its reaped children's: gunicorn recycles
            # workers, and PostgreSQL's backends end with their connections.
            total += sum(int(ticks) for ticks in fields[11:15]) / TICKS
    own = resource.getrusage(resource.RUSAGE_CHILDREN)
    return total + own.ru_utime + own.ru_stime


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("other", type=Path, help="The checkout to compare with.")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--turns", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=4)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database to measure (a `make bench` one).")
    checkouts = {"other": args.other.resolve(), "this": ROOT}
    servers = {}
    try:
        for name, root in checkouts.items():
            env = environment(os.environ["DATABASE_URL"], 0, tempfile.mkdtemp())
            manage(env, "collectstatic", "--noinput", root=root)
            servers[name] = Server(env, WORKERS, root=root)
        for path in args.paths:
            costs = {name: [] for name in servers}
            for server in servers.values():
                load_wrk(server.base + path, 1, args.connections)  # warm up
            for turn in range(args.turns):
                # Each first in every other turn.
                for name in list(servers)[:: 1 if turn % 2 else -1]:
                    server = servers[name]
                    before = cpu_seconds(server.process.pid)
                    row = load_wrk(server.base + path, args.seconds, args.connections)
                    spent = cpu_seconds(server.process.pid) - before
                    costs[name].append(spent / (row["rate"] * args.seconds) * 1000)
            for name, values in costs.items():
                print(
                    f"{name:5} {path}: {statistics.median(values):.3f} ms CPU a request "
                    f"(median of {args.turns}; {min(values):.3f}-{max(values):.3f})"
                )
            pairs = [
                mine / theirs for mine, theirs in zip(costs["this"], costs["other"], strict=True)
            ]
            print(f"      this / other, turn by turn: {' '.join(f'{p:.2f}' for p in pairs)}")
    finally:
        for server in servers.values():
            server.stop()


if __name__ == "__main__":
    main()

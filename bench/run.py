"""
The benchmark: `make bench` (N=100000), `make bench-scale`, or

    .venv/bin/python bench/run.py [--items N] [--seconds S] [--connections C]

1. builds a PostgreSQL database with `seed_demo --extra N` (reused when it
   already holds N generated items);
2. starts the site as production runs it: gunicorn, debug off, static files
   by WhiteNoise, on loopback, the page cache in Redis (REDIS_URL, by
   default database 3 of the Redis on 127.0.0.1:6379);
3. beside it, a bare project (`django-admin startproject` with one view
   answering "ok", made in a temporary folder) under the same gunicorn
   settings: what Django itself costs on this machine;
4. loads each page with a bounded load generator (wrk where installed,
   otherwise a small Python one), the same connections and seconds for each,
   once with the page cache off and once with it on;
5. prints a table (requests a second, median and 99th-percentile latency,
   ratio to /healthz, and with the page cache on to the bare project's view,
   queries a request, errors) and writes it, with a JSON copy, under
   bench/results/.

`--smoke` runs the same steps in seconds on a tiny SQLite archive with the
page cache in files: `make test` does, so that this script never rots.
`--scale 10000 100000 1000000` runs it at several sizes and draws the
latency chart (PNG).
"""

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
RESULTS = ROOT / "bench" / "results"
# Where the page cache goes unless the caller sets REDIS_URL, as in production.
REDIS_URL = "redis://127.0.0.1:6379/3"

PAGES = [
    ("healthz", "/healthz"),
    ("home", "/"),
    ("news list", "/news/"),
    ("news, 3 filters", "/news/?section=csto-news&language=en&year=2020"),
    ("news page 2000", "DEEP"),  # page 2,000, or the last page of a smaller archive
    ("news search", "/news/?q=security"),
    ("item page", None),  # a generated item's address, found once the data is there
    ("statements", "/statements/"),
    ("feed", "/feeds/news/"),
    ("sitemap", "/sitemap.xml"),
]


def environment(database_url, cache_seconds, folder):
    env = dict(os.environ)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="benchmark-only-secret-key-" + "x" * 40,
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_SECURE_SSL_REDIRECT="0",  # plain HTTP on loopback, no TLS proxy
        DATABASE_URL=database_url,
        DATABASE_CONN_MAX_AGE="600",
        PAGE_CACHE_SECONDS=str(cache_seconds),
        STATIC_ROOT=str(Path(folder) / "static"),
        # A page cache of the run's own, never one a development server uses.
        PAGE_CACHE_DIR=str(Path(folder) / "pagecache"),
        GUNICORN_ACCESS_LOG="",
    )
    return env


def manage(env, *args, quiet=True, root=ROOT):
    subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=root,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )


def prepare(database_url, items, env):
    """The database with the demo archive and `items` generated news items."""
    if database_url.startswith("postgres"):
        create_database(database_url)
    manage(env, "migrate", "--noinput")
    manage(
        env, "seed_demo", "--allow-database", "--extra", str(items), "--verbosity", "1", quiet=False
    )
    manage(env, "collectstatic", "--noinput")


def create_database(database_url):
    import psycopg

    name = database_url.rsplit("/", 1)[1]
    server = database_url.rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(f'CREATE DATABASE "{name}"')


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


BARE_VIEW = """
from django.http import HttpResponse


def ok(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns.append(path("", ok))  # noqa: F821
"""


def bare_project(folder):
    """
    A new `django-admin startproject` in `folder`, with one plain view at /
    and debug off: the bare Django that our /healthz and cached pages are
    measured against.
    """
    folder.mkdir()
    subprocess.run(
        [Path(PYTHON).with_name("django-admin"), "startproject", "bare", str(folder)], check=True
    )
    with open(folder / "bare" / "settings.py", "a") as settings:
        settings.write('\nDEBUG = False\nALLOWED_HOSTS = ["127.0.0.1", "localhost"]\n')
    with open(folder / "bare" / "urls.py", "a") as urls:
        urls.write(BARE_VIEW)
    return folder


class Server:
    """
    gunicorn with the production settings (our gunicorn.conf.py), for one
    run of the site (of the checkout at `root`), or of the bare project.
    """

    def __init__(self, env, workers, root=ROOT, app="cstonews.wsgi", probe="/healthz"):
        # The gunicorn.conf.py of the checkout at `root`; ours for the bare project.
        config = "gunicorn.conf.py" if app == "cstonews.wsgi" else str(ROOT / "gunicorn.conf.py")
        self.port = free_port()
        # A file, not a pipe: a pipe nobody reads fills up and stops the workers.
        self.log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                app,
                "-c",
                config,
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                str(workers),
            ],
            cwd=root,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit("gunicorn did not start: " + self.log.read().decode())
            try:
                urllib.request.urlopen(self.base + probe, timeout=1).read()
                return
            except (urllib.error.URLError, ConnectionError, OSError):
                time.sleep(0.2)
        self.stop()
        raise SystemExit("gunicorn did not answer within 30 seconds.")

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
        self.log.close()


def load_wrk(url, seconds, connections, paths=None, timeout=2):
    """
    wrk on one address, or, given `paths`, on each of them in turn. A request
    without an answer in `timeout` seconds is an error.
    """
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", f"--timeout={timeout}s"]
    command.append("--latency")
    env = dict(os.environ)
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as listing:
        if paths:
            listing.write("\n".join(paths) + "\n")
            listing.flush()
            command += ["-s", str(ROOT / "bench" / "mixed.lua")]
            env["MIXED_PATHS"] = listing.name
        run = subprocess.run([*command, url], capture_output=True, text=True, check=True, env=env)
    text = run.stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text)[1])
    latencies = dict(re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", text, re.M))
    errors = 0
    for pattern in (r"Non-2xx or 3xx responses: (\d+)", r"Socket errors: .*?timeout (\d+)"):
        found = re.search(pattern, text)
        errors += int(found[1]) if found else 0
    found = {
        "rate": rate,
        "p50": milliseconds(latencies.get("50", "0ms")),
        "p99": milliseconds(latencies.get("99", "0ms")),
        "errors": errors,
    }
    mixed = re.search(r"mixed: max ([\d.]+) ms, slower than 2 s (\d+)", text)
    if mixed:
        found.update(max=float(mixed[1]), slow=int(mixed[2]))
    return found


def milliseconds(text):
    number, unit = re.match(r"([\d.]+)(\w+)", text).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000}[unit]


def load_python(url, seconds, connections, paths=None, timeout=10):
    """
    A bounded load: `connections` threads asking one after the other for
    `seconds`, for `url`, or for each of `paths` under it in turn.
    """
    latencies, errors, stop = [], [0], time.monotonic() + seconds
    lock = threading.Lock()
    addresses = [url.rstrip("/") + path for path in paths] if paths else [url]

    def worker():
        turn = 0
        while time.monotonic() < stop:
            address = addresses[turn % len(addresses)]
            turn += 1
            started = time.perf_counter()
            try:
                with urllib.request.urlopen(address, timeout=timeout) as response:
                    response.read()
                    ok = response.status < 400
            except (urllib.error.URLError, OSError):
                ok = False
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
                errors[0] += not ok

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    began = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - began
    latencies.sort()
    return {
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) if latencies else 0,
        "p99": latencies[int(len(latencies) * 0.99) - 1] if latencies else 0,
        "errors": errors[0],
        "max": latencies[-1] if latencies else 0,
        "slow": sum(latency > 2000 for latency in latencies),
    }


def queries_per_request(env, pages):
    """Each page once through Django's test client, counting its queries."""
    script = (
        "import json, os, sys, django\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'cstonews.settings')\n"
        "django.setup()\n"
        "from django.db import connection\n"
        "from django.test import Client\n"
        "from django.test.utils import CaptureQueriesContext, setup_test_environment\n"
        "setup_test_environment()\n"
        "client, counts = Client(), {}\n"
        "for path in json.loads(sys.argv[1]):\n"
        "    client.get(path, HTTP_HOST='127.0.0.1')  # the first one fills the caches\n"
        "    with CaptureQueriesContext(connection) as queries:\n"
        "        client.get(path, HTTP_HOST='127.0.0.1')\n"
        "    counts[path] = len(queries)\n"
        "print(json.dumps(counts))\n"
    )
    run = subprocess.run(
        [PYTHON, "-c", script, json.dumps(pages)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(run.stdout.strip().splitlines()[-1])


def item_addresses(env, count=1):
    """Addresses of `count` public items, spread over the archive."""
    run = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from archive.models import NewsItem\n"
            "items = NewsItem.objects.published().order_by('-published_at')\n"
            f"step = max(1, items.count() // {count})\n"
            f"for n in range({count}):\n"
            "    item = items[n * step + 10 : n * step + 11].first() or items.first()\n"
            "    print(item.get_absolute_url())",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return run.stdout.strip().splitlines()[-count:]


def deepest_page(env):
    """Page 2,000 of the news list, or its last page where it has fewer."""
    run = subprocess.run(
        [
            PYTHON,
            "manage.py",
            "shell",
            "-c",
            "from django.conf import settings\n"
            "from archive.models import NewsItem\n"
            "print(-(-NewsItem.objects.published().count() // settings.NEWS_PAGE_SIZE))",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return max(1, min(2000, int(run.stdout.strip().splitlines()[-1])))


def an_item_address(env):
    return item_addresses(env)[0]


SMOKE_PAGES = {"healthz", "home", "news list", "item page"}


ROUNDS = 3
# gunicorn's workers, as gunicorn.conf.py has them in production.
WORKERS = (os.cpu_count() or 2) * 2 + 1


def interleaved(load, base, path, seconds, connections, rounds=ROUNDS, bare=None):
    """
    `path` under load for `seconds` in all, in `rounds` turns, each after a
    turn of /healthz as long; its ratio is to those /healthz turns.
    The machine's speed drifts within minutes (a shared VM), so a page is
    only compared with a /healthz run just before it. Given
    `bare` (the bare project's address), a turn of its view, as long,
    comes before each turn of the page too.
    """
    turn = max(1, round(seconds / rounds))
    runs, floors, bares = [], [], []
    for _ in range(rounds):
        # As long as the page's turn: a one-second turn strayed by half now and then.
        floors.append(load(base + "/healthz", turn, connections)["rate"])
        if bare:
            bares.append(load(bare + "/", turn, connections))
        runs.append(load(base + path, turn, connections))
    rate = statistics.mean(run["rate"] for run in runs)
    floor = statistics.mean(floors)
    # Each turn's ratio to the /healthz turn just before it: how far one
    # turn strays from another is how much a single figure can be trusted.
    turns = [run["rate"] / (before or 1) for run, before in zip(runs, floors, strict=True)]
    found = {
        "rate": rate,
        "floor": floor,
        "ratio": rate / (floor or 1),
        "turns": [min(turns), max(turns)],
        "p50": statistics.median(run["p50"] for run in runs),
        "p99": max(run["p99"] for run in runs),
        "errors": sum(run["errors"] for run in runs + bares),
    }
    if bares:
        found["bare"] = statistics.mean(run["rate"] for run in bares)
        found["bare_ratio"] = rate / (found["bare"] or 1)
        found["bare_p50"] = statistics.median(run["p50"] for run in bares)
        found["bare_p99"] = max(run["p99"] for run in bares)
    return found


def measure(
    database_url, seconds, connections, workers, use_wrk, folder, smoke=False, rounds=ROUNDS
):
    deep = deepest_page(environment(database_url, 0, folder))
    pages = [(name, f"/news/?page={deep}" if path == "DEEP" else path) for name, path in PAGES]
    if smoke:
        pages = [(name, path) for name, path in pages if name in SMOKE_PAGES]
    results = {}
    bare_env = environment(database_url, 0, folder)
    bare_env.pop("DJANGO_SETTINGS_MODULE", None)
    bare_root = bare_project(Path(folder) / "bare-project")
    for cache_seconds, label in ((0, "cache off"), (300, "cache on")):
        env = environment(database_url, cache_seconds, folder)
        pages = [(name, path or an_item_address(env)) for name, path in pages]
        counts = queries_per_request(env, [path for _, path in pages])
        server = Server(env, workers)
        # With the page cache on, our /healthz and each page are compared
        # with the bare project too: a cached page pays for little more.
        bare = None
        if cache_seconds:
            bare = Server(bare_env, workers, root=bare_root, app="bare.wsgi", probe="/")
        load = load_wrk if use_wrk else load_python
        try:
            # Unmeasured: the first turn would otherwise find workers still starting.
            load(server.base + "/healthz", 1, connections)
            if bare:
                load(bare.base + "/", 1, connections)
            rows = []
            for name, path in pages:
                row = interleaved(
                    load,
                    server.base,
                    path,
                    seconds,
                    connections,
                    rounds=rounds,
                    bare=bare and bare.base,
                )
                row.update(page=name, path=path, queries=counts[path])
                rows.append(row)
                ratio = f"{row['ratio']:.2f} of /healthz"
                if bare:
                    ratio += f", {row['bare_ratio']:.2f} of the bare project"
                print(f"  {label:9} {name:16} {row['rate']:9.1f} req/s  ({ratio})", flush=True)
        finally:
            server.stop()
            if bare:
                bare.stop()
        # The /healthz row: the median of its turns beside every page, for scale.
        # Its own turns (each against the one before it) stay: they show how
        # far the machine strays when nothing changes.
        rows[0]["rate"] = statistics.median(row["floor"] for row in rows)
        rows[0]["ratio"] = 1.0
        if bare:
            bare_rate = statistics.median(row["bare"] for row in rows)
            rows[0]["bare_ratio"] = rows[0]["rate"] / bare_rate
            rows.insert(0, bare_row(bare_rate, rows))
        results[label] = rows
    return results


def bare_row(rate, rows):
    """The bare project's row: the median of its turns beside every page."""
    healthz = rows[0]["rate"]
    turns = [row["bare"] / row["floor"] for row in rows]
    return {
        "page": "bare project",
        "path": "/",
        "rate": rate,
        "ratio": rate / healthz,
        "bare_ratio": 1.0,
        "turns": [min(turns), max(turns)],
        "p50": statistics.median(row["bare_p50"] for row in rows),
        "p99": max(row["bare_p99"] for row in rows),
        "queries": 0,
        "errors": 0,
    }


def mixed_load(database_url, seconds, connections, workers, use_wrk, folder):
    """
    Mixed public traffic on every kind of page, with the page cache on, while
    an editor (bench/editor.py) publishes and unpublishes items and checks
    what visitors are shown.
    """
    env = environment(database_url, 300, folder)
    deep = deepest_page(env)
    paths = [path for _, path in PAGES if path and path != "DEEP"]
    paths += [f"/news/?page={deep}", "/search/?q=council", "/news/?q=ministers&year=2021"]
    paths += item_addresses(env, 20)
    server = Server(env, workers)
    try:
        editor = subprocess.Popen(
            [PYTHON, str(ROOT / "bench" / "editor.py"), server.base, str(seconds)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        load = load_wrk if use_wrk else load_python
        # A visitor's browser waits far longer than wrk's 2 s: an error here is
        # a failed request or none in 10 s; slower ones are counted apart.
        traffic = load(server.base + "/", seconds, connections, paths=paths, timeout=10)
        output, _ = editor.communicate(timeout=seconds + 120)
        if editor.returncode:
            raise SystemExit("The editor of the mixed load test failed (see above).")
        checks = json.loads(output.strip().splitlines()[-1])
    finally:
        server.stop()
    return {**traffic, **checks, "connections": connections, "seconds": seconds}


def mixed_table(mixed):
    return "\n".join(
        [
            f"Mixed load: every kind of page in turn, {mixed['connections']} connections, "
            f"{mixed['seconds']} s, page cache on, while an editor publishes and unpublishes. "
            "Errors: requests that failed or had no answer within 10 s.",
            "",
            "| req/s | median ms | p99 ms | slowest ms | slower than 2 s | errors "
            "| publish cycles | unpublished served | published not shown "
            "| slowest to appear ms |",
            "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {mixed['rate']:.0f} | {mixed['p50']:.1f} | {mixed['p99']:.1f} "
            f"| {mixed.get('max', 0):.0f} | {mixed.get('slow', 0)} "
            f"| {mixed['errors']} | {mixed['cycles']} | {mixed['unpublished_served']} "
            f"| {mixed['published_missing']} | {mixed['visible_after_max_ms']} |",
        ]
    )


def mixed_failures(mixed):
    return mixed["errors"] + mixed["unpublished_served"] + mixed["published_missing"]


def table(results, items, seconds, connections, tool, rounds=ROUNDS):
    lines = [
        f"{items:,} generated items; {connections} connections, {seconds} s a page, {tool}. "
        f"Each page is loaded in {rounds} turn{'s' if rounds > 1 else ''}, "
        "each after a turn of /healthz as long, "
        "and its ratio is to those turns; the /healthz row is the median of them. "
        "With the page cache on, a turn of the bare project's view (django-admin "
        "startproject, one view answering ok, the same gunicorn settings) comes before "
        "each turn too: × bare is the page's rate over the bare project's. "
        "Turns: the lowest and highest ratio of a single turn to the /healthz turn before it "
        "(for /healthz, of /healthz to itself: the machine's own noise).",
        "",
        "| page | cache | req/s | median ms | p99 ms | × /healthz | × bare | turns "
        "| queries | errors |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for label, rows in results.items():
        for row in rows:
            low, high = row["turns"]
            bare = f"{row['bare_ratio']:.2f}" if "bare_ratio" in row else ""
            lines.append(
                f"| {row['page']} | {label.split()[1]} | {row['rate']:.0f} | {row['p50']:.1f} "
                f"| {row['p99']:.1f} "
                f"| {row['ratio']:.2f} | {bare} | {low:.2f}–{high:.2f} "
                f"| {row['queries']} | {row['errors']} |"
            )
    return "\n".join(lines)


def machine():
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
    # The interpreter's build moves every figure (docs/performance.md, "Measured").
    python = f"Python {platform.python_version()} from {sys.base_prefix}"
    return f"{os.cpu_count()} cores {cpu}".strip() + f", {python}"


def run_once(args, items, database_url):
    folder = Path(tempfile.mkdtemp(prefix="cstonews-bench-"))
    try:
        env = environment(database_url, 0, folder)
        started = time.monotonic()
        prepare(database_url, items, env)
        print(f"Database ready in {time.monotonic() - started:.0f} s.", flush=True)
        use_wrk = shutil.which("wrk") is not None and not args.python_load
        results = measure(
            database_url,
            args.seconds,
            args.connections,
            args.workers,
            use_wrk,
            folder,
            smoke=args.smoke,
            rounds=args.rounds,
        )
        mixed = None
        if args.mixed_seconds:
            print(f"  mixed load, {args.mixed_connections} connections ...", flush=True)
            mixed = mixed_load(
                database_url,
                args.mixed_seconds,
                args.mixed_connections,
                args.workers,
                use_wrk,
                folder,
            )
        return results, mixed, ("wrk" if use_wrk else "the Python load generator")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=int(os.environ.get("N", 100_000)))
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--connections", type=int, default=8)
    # More turns of the same seconds: a steadier figure on a machine whose
    # speed drifts within seconds (see the table's turns).
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="Turns a page (3).")
    parser.add_argument("--workers", type=int, default=WORKERS)
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    parser.add_argument("--python-load", action="store_true", help="Do not use wrk.")
    parser.add_argument("--smoke", action="store_true", help="Seconds, on a tiny SQLite archive.")
    parser.add_argument("--scale", type=int, nargs="*", help="Run at these sizes and draw a chart.")
    parser.add_argument("--mixed-seconds", type=int, default=60, help="0: no mixed load test.")
    parser.add_argument("--mixed-connections", type=int, default=64)
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)

    if args.smoke:
        # The page cache in files, as on a developer's machine.
        os.environ.pop("REDIS_URL", None)
        folder = Path(tempfile.mkdtemp(prefix="cstonews-bench-smoke-"))
        try:
            args.seconds, args.connections, args.workers, args.rounds = 1, 2, 1, 1
            args.mixed_seconds, args.mixed_connections = 3, 4
            url = f"sqlite:///{folder / 'bench.sqlite3'}"
            results, mixed, tool = run_once(args, 30, url)
            print(table(results, 30, 1, 2, tool, rounds=args.rounds))
            print(mixed_table(mixed))
            errors = sum(row["errors"] for rows in results.values() for row in rows)
            sys.exit(1 if errors or mixed_failures(mixed) or not mixed["cycles"] else 0)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    os.environ.setdefault("REDIS_URL", REDIS_URL)
    sizes = args.scale or [args.items]
    report, medians = [], {}
    for items in sizes:
        url = args.database_url or f"postgres://postgres@127.0.0.1:5432/cstonews_bench_{items}"
        print(f"== {items:,} items ({url})", flush=True)
        results, mixed, tool = run_once(args, items, url)
        text = table(results, items, args.seconds, args.connections, tool, rounds=args.rounds)
        if mixed:
            text += "\n\n" + mixed_table(mixed)
        print(text, flush=True)
        report.append(text)
        medians[items] = {row["page"]: row["p50"] for row in results["cache off"]}
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        (RESULTS / f"{stamp}-{items}.json").write_text(
            json.dumps({**results, "mixed": mixed}, indent=2)
        )
    heading = (
        f"Measured {datetime.date.today()} on {machine()}, PostgreSQL, "
        f"gunicorn ({args.workers} workers), the page cache in Redis "
        f"({os.environ['REDIS_URL']})."
    )
    (RESULTS / "latest.md").write_text(heading + "\n\n" + "\n\n".join(report) + "\n")
    if len(sizes) > 1:
        from chart import draw

        draw(medians, RESULTS / "scale.png")
        print(f"Chart: {RESULTS / 'scale.png'}")


if __name__ == "__main__":
    main()

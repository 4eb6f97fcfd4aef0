"""
What a page costs in instructions: each address asked for a few times
in-process (Django's test client, page cache off, after warming up) under
valgrind's callgrind, which counts instructions, not seconds. On a shared
machine whose speed drifts twofold within minutes, that is the steady way to
see whether a change made a page cheaper. Only this process is counted, not
the database server's.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cstonews_bench_100000 \\
        .venv/bin/python bench/instructions.py / /news/ /statements/

(DATABASE_URL is required: the database of a `make bench` run.) With
--cached, the page cache is on (in Redis, REDIS_URL) and a hit is counted
through the WSGI application itself, as gunicorn calls it: the test
client's own work would be a third of a hit.

A garbage collection now and then is part of what a page costs: enough
requests are counted (--requests) that one falls among them in about the
share it does under load.

Needs valgrind (apt-get install valgrind). About 30 s an address.
"""

import argparse
import gc
import io
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def measure(path, requests, env, cached=False):
    """Instructions per request for `path`, counted in a child under callgrind."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        run = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                __file__,
                "--inside",
                str(requests),
                *(["--cached"] if cached else []),
                path,
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if run.returncode:
            # valgrind's own lines start with ==pid==; the last other one says why.
            said = [line for line in run.stderr.splitlines() if not line.startswith("==")]
            sys.exit(f"{path}: {said[-1] if said else 'valgrind failed'}")
        total = re.search(r"^(?:summary|totals): (\d+)", out.read_text(), re.M)
        return int(total[1]) // requests


def inside(path, requests, cached):
    """In the child: warm up, switch counting on, make the requests, leave."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cstonews.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    # As gunicorn.conf.py's master does before it forks a worker.
    gc.freeze()
    get = through_wsgi if cached else through_client()
    for _ in range(3):
        status = get(path)
        if status != 200:
            sys.exit(f"{path} answered {status}")
    # callgrind takes commands while this process runs: wait for the answer.
    switch = subprocess.Popen(["callgrind_control", "-i", "on", str(os.getpid())])
    while switch.poll() is None:
        time.sleep(0.05)
    for _ in range(requests):
        get(path)
    # Without the interpreter's shutdown, which would be counted too.
    os._exit(0)


def through_client():
    from django.test import Client

    client = Client(HTTP_HOST="127.0.0.1")  # a host the benchmark's settings allow
    return lambda path: client.get(path).status_code


def through_wsgi(path):
    from cstonews.wsgi import application

    address, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": address,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    answers = []
    body = application(environ, lambda status, headers, exc_info=None: answers.append(status))
    b"".join(body)
    body.close()
    return int(answers[0].split()[0])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--cached", action="store_true", help="Count page-cache hits.")
    parser.add_argument("--inside", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inside:
        inside(args.paths[0], args.inside, args.cached)
    if not os.environ.get("DATABASE_URL"):
        sys.exit("Set DATABASE_URL to the database to measure (a `make bench` one).")
    from run import environment, manage  # the benchmark's production settings

    with tempfile.TemporaryDirectory(prefix="cstonews-instructions-") as folder:
        env = environment(os.environ["DATABASE_URL"], 600 if args.cached else 0, folder)
        manage(env, "collectstatic", "--noinput")
        for path in args.paths:
            count = measure(path, args.requests, env, args.cached)
            print(f"{count / 1e6:8.2f} M instructions  {path}", flush=True)


if __name__ == "__main__":
    main()

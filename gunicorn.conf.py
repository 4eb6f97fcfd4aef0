"""
gunicorn settings for production: `gunicorn cstonews.wsgi -c gunicorn.conf.py`.
Each can be changed by the environment (GUNICORN_BIND, GUNICORN_WORKERS, ...).
"""

import gc
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Django is synchronous: a few processes a core, each with a couple of threads.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 20
keepalive = 5
# Recycle workers now and then, so that a slow leak can never grow for ever.
max_requests = 5000
max_requests_jitter = 500
# Django is loaded once, in the master, and each worker is a fork of it: a
# recycled worker then starts at once instead of importing Django again, and
# the workers share that memory. No connection is opened before the fork. A
# code change needs a restart, not a HUP.
preload_app = True
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None
errorlog = "-"
# No control socket (gunicornc): its default path is in $HOME, which two app
# servers of one machine would share and systemd's ProtectHome= hides.
control_socket_disable = True
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")


def when_ready(server):
    """With the app loaded, before any worker is forked: see cstonews.wsgi.warm_up."""
    try:
        from cstonews.wsgi import warm_up
    except ImportError:
        return  # the benchmark's bare project, served with this same file (bench/run.py)
    warm_up()


def pre_fork(server, worker):
    """
    What the master loaded lives as long as the process: frozen before each
    fork (as Python's gc.freeze() documentation advises for a server that
    forks), a worker's garbage collector never walks it again, and its memory
    stays shared with the master instead of being copied on each collection.
    """
    gc.freeze()

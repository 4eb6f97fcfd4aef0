"""
`make deploy-check`: the production setup in deploy/, run on this machine and
checked through nginx as a visitor would.

It creates a PostgreSQL database of its own (and drops it), starts its own
Redis server, two gunicorn app servers with the environment of
deploy/cstonews.env.example, and nginx with deploy/nginx/cstonews.conf (only
its ports, folders and certificate replaced by local ones), then prints one
line per check, "ok ..." or "FAIL ...", and exits 1 if any failed. Everything
it started is stopped by process id, on success, failure or Ctrl-C.

Needs nginx, redis-server, wrk and openssl (Debian's packages; .ci/run
installs them) and PostgreSQL on 127.0.0.1:5432 as user postgres
(--postgres to change).
"""

import argparse
import gzip
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import psycopg
import redis

ROOT = Path(__file__).resolve().parent.parent
DEPLOY = ROOT / "deploy"
SITE = DEPLOY / "nginx" / "cstonews.conf"
ENVIRONMENT = DEPLOY / "cstonews.env.example"
# The example leaves the key empty, for each site to make its own.
SECRET_KEY = secrets.token_urlsafe(50)
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).parent / "gunicorn")
HOST = "news.example.org"
ORIGIN = f"https://{HOST}"
EDITOR_PASSWORD = "deploy-check-Editor-9431"
LOAD_SECONDS = 20
# Debian's packages of the same names; the paths found when the check starts.
PROGRAMS = dict.fromkeys(["nginx", "redis-server", "wrk", "openssl"])


class SetupError(Exception):
    """Something the checks need could not be started: no check can run."""


class CheckFailed(Exception):
    """One check saw something a visitor should not."""


def expect(condition, message):
    if not condition:
        raise CheckFailed(message)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(predicate, timeout, what):
    """Poll `predicate` until it is true; SetupError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise SetupError(f"{what} not ready after {timeout} s")


class Response:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name, "") or ""

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


class Site:
    """HTTP to nginx (over TLS, as a visitor) and straight to each app server."""

    def __init__(self, nginx_port, redirect_port, app_ports, certificate):
        self.nginx_port = nginx_port
        self.redirect_port = redirect_port
        self.app_ports = app_ports
        self.tls = ssl.create_default_context(cafile=certificate)
        # The certificate is made for the host name; connections go to 127.0.0.1.
        self.tls.check_hostname = False

    def request(self, port, path, *, secure, method="GET", headers=None, body=None):
        if secure:
            connection = http.client.HTTPSConnection(
                "127.0.0.1", port, context=self.tls, timeout=30
            )
        else:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            connection.request(method, path, body=body, headers={"Host": HOST, **(headers or {})})
            response = connection.getresponse()
            return Response(response.status, response.headers, response.read())
        finally:
            connection.close()

    def get(self, path, **headers):
        """Through nginx, over TLS."""
        return self.request(self.nginx_port, path, secure=True, headers=headers)

    def app(self, name, path, method="GET", headers=None, body=None):
        """Straight to app server `name` ("A" or "B"), as nginx would pass it on."""
        headers = {"X-Forwarded-Proto": "https", **(headers or {})}
        port = self.app_ports[name]
        return self.request(port, path, secure=False, method=method, headers=headers, body=body)


class Desk:
    """An editor signed in to the admin of one app server."""

    def __init__(self, site, server):
        self.site, self.server, self.cookies = site, server, {}

    def send(self, method, path, form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            headers |= {"Origin": ORIGIN, "Content-Type": "application/x-www-form-urlencoded"}
            body = urlencode({**form, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")})
        response = self.site.app(self.server, path, method=method, headers=headers, body=body)
        for line in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(line).items():
                self.cookies[name] = morsel.value
        return response

    def sign_in(self, username):
        self.send("GET", "/admin/login/")
        response = self.send(
            "POST", "/admin/login/", {"username": username, "password": EDITOR_PASSWORD}
        )
        expect(
            response.status == 302 and "sessionid" in self.cookies,
            f"sign-in on app server {self.server} answered {response.status}",
        )

    def act(self, action, item_id):
        """Run an action of the news items' list on one item (publish, unpublish)."""
        form = {"action": action, "_selected_action": item_id, "index": 0}
        response = self.send("POST", "/admin/archive/newsitem/", form)
        expect(response.status == 302, f"{action} on app server {self.server}: {response.status}")


class Processes:
    """What the check started, each in a session of its own, stopped by process id."""

    def __init__(self, folder):
        self.folder = folder
        self.running = []

    def start(self, name, args, env=None):
        log = open(self.folder / f"{name}.log", "ab")  # noqa: SIM115 (closed in stop())
        process = subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running.append((name, process, log))
        return process

    def stop(self, process):
        for entry in [e for e in self.running if e[1] is process]:
            self.running.remove(entry)
            _, _, log = entry
            if process.poll() is None:
                os.kill(process.pid, signal.SIGTERM)
                try:
                    process.wait(timeout=25)
                except subprocess.TimeoutExpired:
                    os.kill(process.pid, signal.SIGKILL)
                    process.wait()
            log.close()

    def stop_all(self):
        for _, process, _ in reversed(list(self.running)):
            self.stop(process)

    def log_tail(self, name, lines=15):
        path = self.folder / f"{name}.log"
        if not path.exists():
            return ""
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def read_environment_file(path):
    """KEY=value lines, as systemd's EnvironmentFile= reads them."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith(("#", ";")) and "=" in line:
            key, value = line.split("=", 1)
            values[key.strip()] = value.strip().strip("'\"")
    return values


def render_site(folder, ports, certificate, key):
    """deploy/nginx/cstonews.conf with this machine's ports, folders and certificate."""
    text = SITE.read_text()
    replacements = {
        "listen 443 ssl http2;": f"listen 127.0.0.1:{ports['nginx']} ssl http2;",
        "listen 80;": f"listen 127.0.0.1:{ports['redirect']};",
        "server 127.0.0.1:8000 ": f"server 127.0.0.1:{ports['A']} ",
        "server 10.0.0.12:8000 ": f"server 127.0.0.1:{ports['B']} ",
        f"/etc/letsencrypt/live/{HOST}/fullchain.pem": str(certificate),
        f"/etc/letsencrypt/live/{HOST}/privkey.pem": str(key),
        "/srv/cstonews-static/": f"{folder / 'static'}/",
        "/srv/cstonews-media/": f"{folder / 'media'}/",
        "/var/log/nginx/cstonews.access.log": str(folder / "nginx-access.log"),
    }
    for production, local in replacements.items():
        if production not in text:
            raise SetupError(f"{SITE.relative_to(ROOT)} no longer has {production!r}")
        text = text.replace(production, local)
    site = folder / "cstonews.conf"
    site.write_text(text)
    # nginx's own part of /etc/nginx/nginx.conf, kept in the check's folder.
    main = folder / "nginx.conf"
    temp = "\n".join(
        f"    {kind}_temp_path {folder / ('nginx-' + kind)};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main.write_text(
        f"""daemon off;
pid {folder / "nginx.pid"};
error_log {folder / "nginx-error.log"} warn;
worker_processes 2;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {folder / "nginx-redirect-access.log"};
{temp}
    include {site};
}}
"""
    )
    return main


# Run by `manage.py shell` with the app servers' environment: an editor,
# three drafts (one with a document), and the addresses the checks ask for.
SETUP = """
import json
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from archive.models import Attachment, NewsItem, Section, Statement, Status
from archive.roles import give_role

editor = get_user_model().objects.create_user("deploy-check", password=%(password)r)
give_role(editor, "editor")
section = Section.objects.get(slug="csto-news")
drafts = {}
for key in ("shared", "redis", "private"):
    drafts[key] = NewsItem.objects.create(
        title=f"Deploy check {key} item", slug=f"deploy-check-{key}", section=section,
        lead="Made by make deploy-check.", status=Status.DRAFT, language="en",
    )
document = Attachment(title="Deploy check private document", kind="pdf")
document.file.save("private.pdf", ContentFile(b"%%PDF-1.4\\n%%deploy check\\n"), save=False)
document.size = document.file.size
document.save()
drafts["private"].attachments.add(document)
public = NewsItem.objects.published().filter(cover_image__isnull=False, language="en").first()
image = public.cover_image
shown = Attachment.objects.filter(statements__in=Statement.objects.published()).first()
print(json.dumps({
    "item": public.get_absolute_url(),
    "image": image.file.url,
    "renditions": [image.sources[0]["jpeg"], image.sources[0]["webp"]],
    "document": shown.get_absolute_url(),
    "private_document": document.get_absolute_url(),
    "private_file": document.file.name,
    "drafts": {k: [d.pk, d.title, f"/news/{section.slug}/{d.slug}/"] for k, d in drafts.items()},
}))
"""

SCHEDULE = """
import datetime, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from archive import services
from archive.models import NewsItem, Section, Status

item = NewsItem.objects.create(
    title="Deploy check scheduled item", slug="deploy-check-scheduled",
    section=Section.objects.get(slug="csto-news"), status=Status.DRAFT, language="en",
)
moment = (timezone.now() + datetime.timedelta(seconds=%(ahead)d)).replace(microsecond=0)
services.publish(item=item, user=get_user_model().objects.get(username="deploy-check"), at=moment)
print(json.dumps({"moment": moment.timestamp(), "url": "/news/csto-news/deploy-check-scheduled/",
                  "title": item.title}))
"""


class DeployCheck:
    def __init__(self, options, folder):
        self.options = options
        self.folder = folder
        self.processes = Processes(folder)
        self.failures = []
        self.database = f"cstonews_deploy_check_{os.getpid()}"
        self.ports = {name: free_port() for name in ("nginx", "redirect", "A", "B", "redis")}
        self.apps = {}

    # Setting up.

    def environment(self, **extra):
        """The example environment file, with this machine's services and folders."""
        return {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/root"),
            "LANG": "C.UTF-8",
            **read_environment_file(ENVIRONMENT),
            "DJANGO_SECRET_KEY": SECRET_KEY,
            "DATABASE_URL": f"{self.options.postgres}/{self.database}",
            "REDIS_URL": f"redis://127.0.0.1:{self.ports['redis']}/0",
            "MEDIA_ROOT": str(self.folder / "media"),
            "PRIVATE_MEDIA_ROOT": str(self.folder / "private-media"),
            "STATIC_ROOT": str(self.folder / "static"),
            "PAGE_CACHE_DIR": str(self.folder / "pagecache"),
            "GUNICORN_WORKERS": "2",
            **extra,
        }

    def manage(self, *args):
        result = subprocess.run(
            [PYTHON, "manage.py", *args],
            cwd=ROOT,
            env=self.environment(),
            capture_output=True,
            text=True,
            timeout=300,
        )
        if result.returncode:
            tail = (result.stderr or result.stdout).strip().splitlines()[-5:]
            raise SetupError(f"manage.py {args[0]} failed: " + " | ".join(tail))
        return result.stdout

    def shell(self, code):
        return json.loads(self.manage("shell", "-c", code).strip().splitlines()[-1])

    def postgres(self, statement):
        with psycopg.connect(f"{self.options.postgres}/postgres", autocommit=True) as conn:
            conn.execute(statement)

    def start_redis(self):
        args = [PROGRAMS["redis-server"], "--port", str(self.ports["redis"]), "--bind", "127.0.0.1"]
        args += ["--save", "", "--appendonly", "no", "--dir", str(self.folder)]
        self.redis = self.processes.start("redis", args)
        client = redis.Redis(port=self.ports["redis"], socket_timeout=1)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                return False

        wait_until(answers, 20, "redis-server")
        return client

    def start_app(self, name, **extra):
        env = self.environment(
            GUNICORN_BIND=f"127.0.0.1:{self.ports[name]}",
            GUNICORN_ACCESS_LOG=str(self.folder / f"access-{name}.log"),
            **extra,
        )
        process = self.processes.start(
            f"app-{name}", [GUNICORN, "cstonews.wsgi", "-c", "gunicorn.conf.py"], env
        )
        self.apps[name] = process

        def healthy():
            if process.poll() is not None:
                raise SetupError(
                    f"app server {name} exited:\n{self.processes.log_tail(f'app-{name}')}"
                )
            try:
                return self.site.app(name, "/healthz").status == 200
            except OSError:
                return False

        wait_until(healthy, 60, f"app server {name}")

    def set_up(self):
        self.folder.chmod(0o755)  # nginx's workers (user nobody under root) read media from here
        self.postgres(f'CREATE DATABASE "{self.database}"')
        self.created_database = True
        certificate, key = self.folder / "cert.pem", self.folder / "key.pem"
        subprocess.run(
            [PROGRAMS["openssl"], "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
            + ["-subj", f"/CN={HOST}", "-keyout", str(key), "-out", str(certificate)],
            check=True,
            capture_output=True,
        )
        self.site = Site(
            self.ports["nginx"],
            self.ports["redirect"],
            {n: self.ports[n] for n in "AB"},
            certificate,
        )
        self.manage("migrate", "--noinput")
        self.manage("seed_demo", "--allow-database")
        self.manage("collectstatic", "--noinput")
        self.data = self.shell(SETUP % {"password": EDITOR_PASSWORD})
        self.redis_client = self.start_redis()
        self.start_app("A")
        self.start_app("B")
        conf = render_site(self.folder, self.ports, certificate, key)
        nginx = [PROGRAMS["nginx"], "-c", str(conf), "-p", f"{self.folder}/"]
        nginx += ["-e", str(self.folder / "nginx-error.log")]
        test = subprocess.run([*nginx, "-t"], capture_output=True, text=True)
        if test.returncode:
            raise SetupError("nginx -t: " + test.stderr.strip().replace("\n", " | "))
        self.nginx = self.processes.start("nginx", nginx)

        def nginx_answers():
            if self.nginx.poll() is not None:
                raise SetupError(f"nginx exited: {self.processes.log_tail('nginx')}")
            try:
                return self.site.get("/healthz").status == 200
            except OSError:
                return False

        wait_until(nginx_answers, 20, "nginx")

    def tear_down(self):
        self.processes.stop_all()
        if getattr(self, "created_database", False):
            self.postgres(f'DROP DATABASE IF EXISTS "{self.database}" WITH (FORCE)')

    # Running checks.

    def check(self, description, function):
        try:
            detail = function()
        except (CheckFailed, OSError, http.client.HTTPException) as error:
            self.failures.append(description)
            reason = error if isinstance(error, CheckFailed) else f"{type(error).__name__}: {error}"
            print(f"FAIL {description}: {reason}", flush=True)
            for name, process in self.apps.items():
                if process.poll() is not None:
                    print(f"     app server {name} had exited (not stopped by this check)")
        else:
            print(f"ok {description}" + (f" ({detail})" if detail else ""), flush=True)

    def run(self):
        self.check(
            "manage.py check --deploy is silent with the example environment", self.check_deploy
        )
        self.set_up()
        self.check(
            "pages, feeds and sitemaps answer 200 through nginx, gzipped when asked", self.pages
        )
        self.check("plain HTTP is redirected to HTTPS", self.redirect)
        self.check("hashed static files: a year's cache, immutable, nosniff, gzip", self.static)
        self.check("images and renditions come from nginx with nosniff", self.images)
        self.check("a public item's document downloads through the app", self.public_document)
        self.check(
            "an unpublished item's document is 404, /media/ never lists or serves one",
            self.private_document,
        )
        self.check("uploads up to the limit pass nginx, larger ones are refused", self.upload_limit)
        self.check("a publish on app server A is on B's pages at the next request", self.publish)
        self.check("an unpublish disappears from both app servers at once", self.unpublish)
        self.check("a scheduled item goes live on both app servers at its moment", self.scheduled)
        self.check(
            "Redis stopped: both app servers answer 200 from the database", self.redis_stopped
        )
        self.check("Redis back: nothing stale is served, the cache is used again", self.redis_back)
        self.check(
            f"one app server stopped: no failed request in a {LOAD_SECONDS}-second wrk run",
            self.failover,
        )
        self.check("the restarted app server takes traffic again", self.back_in_rotation)

    def measure(self, seconds):
        """docs/scaling.md's figures: wrk on one and two app servers, cached or not."""
        self.set_up()
        direct = f"http://127.0.0.1:{self.ports['A']}/"
        print("| page cache | app servers | through | req/s | median | p99 | failures |")
        print("|---|---:|---|---:|---:|---:|---|")
        for cache in ("on", "off"):
            if cache == "off":
                for name in "AB":
                    self.processes.stop(self.apps[name])
                    self.start_app(name, PAGE_CACHE_SECONDS="0")
            runs = [("nginx, TLS", 2, None), ("nginx, TLS", 1, None)]
            runs += [("gunicorn alone", 1, direct)]
            for through, servers, url in runs:
                if servers == 1 and self.apps["B"].poll() is None:
                    self.processes.stop(self.apps["B"])
                if servers == 2 and self.apps["B"].poll() is not None:
                    self.start_app("B", **({"PAGE_CACHE_SECONDS": "0"} if cache == "off" else {}))
                headers = ["X-Forwarded-Proto: https"] if url else []
                name = f"measure-{cache}-{servers}-{len(headers)}"
                run = self.start_wrk(name, seconds, url, connections=16, headers=headers)
                r = self.wrk_result(name, run, seconds)
                print(
                    f"| {cache} | {servers} | {through} | {r['rate']:.0f} | {r['median']} "
                    f"| {r['p99']} | {r['failures'] or 'none'} |",
                    flush=True,
                )

    def check_deploy(self):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            **read_environment_file(ENVIRONMENT),
            "DJANGO_SECRET_KEY": SECRET_KEY,
        }
        result = subprocess.run(
            [PYTHON, "manage.py", "check", "--deploy", "--fail-level", "DEBUG"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        output = (result.stdout + result.stderr).strip()
        expect(result.returncode == 0 and "no issues" in output, output.replace("\n", " | "))

    def pages(self):
        paths = ["/", "/news/", self.data["item"], "/statements/", "/feeds/news/"]
        paths += ["/feeds/news/atom/", "/feeds/statements/", "/sitemap.xml"]
        index = self.site.get("/sitemap.xml").text
        paths += re.findall(rf"<loc>{re.escape(ORIGIN)}(/[^<]+)</loc>", index)
        for path in paths:
            response = self.site.get(path, **{"Accept-Encoding": "gzip"})
            expect(response.status == 200, f"{path} answered {response.status}")
            expect(response.header("Content-Encoding") == "gzip", f"{path} is not gzipped")
            gzip.decompress(response.body)
            # The app saw X-Forwarded-Proto: https, or it would have redirected and sent no HSTS.
            expect("max-age" in response.header("Strict-Transport-Security"), f"{path}: no HSTS")
            plain = self.site.get(path)
            expect(plain.status == 200 and not plain.header("Content-Encoding"), f"{path} plain")
        return f"{len(paths)} addresses"

    def redirect(self):
        response = self.site.request(self.site.redirect_port, "/news/?page=2", secure=False)
        expect(response.status == 301, f"answered {response.status}")
        expect(response.header("Location") == f"{ORIGIN}/news/?page=2", response.header("Location"))

    def static(self):
        pages = self.site.get("/").text + self.site.get("/news/").text
        names = re.findall(r'/static/[^"\'?#\s]+\.[0-9a-f]{12}\.(?:css|js)', pages)
        expect(names, "the pages link no hashed CSS or JS")
        for name in sorted(set(names)):
            response = self.site.get(name, **{"Accept-Encoding": "gzip"})
            expect(response.status == 200, f"{name} answered {response.status}")
            cache = response.header("Cache-Control")
            expect("max-age=31536000" in cache and "immutable" in cache, f"{name}: {cache!r}")
            expect(response.header("X-Content-Type-Options") == "nosniff", f"{name}: no nosniff")
            expect(response.header("Content-Encoding") == "gzip", f"{name} is not gzipped")
        plain = re.sub(r"\.[0-9a-f]{12}(\.\w+)$", r"\1", names[0])
        cache = self.site.get(plain).header("Cache-Control")
        expect("immutable" not in cache, f"unhashed {plain} is cached as immutable: {cache!r}")
        return ", ".join(sorted(name.rsplit("/", 1)[-1] for name in set(names)))

    def images(self):
        for path in ["/media/" + self.data["image"].split("/media/", 1)[-1]] + [
            f"/media/{name}" for name in self.data["renditions"]
        ]:
            response = self.site.get(path)
            expect(response.status == 200, f"{path} answered {response.status}")
            expect(
                response.header("Content-Type").startswith("image/"),
                f"{path}: {response.header('Content-Type')}",
            )
            expect(response.header("X-Content-Type-Options") == "nosniff", f"{path}: no nosniff")
            # With debug off the app serves no /media/: the photo is there only through nginx.
            expect(self.site.app("A", path).status == 404, f"the app itself serves {path}")

    def public_document(self):
        response = self.site.get(self.data["document"])
        expect(response.status == 200, f"{self.data['document']} answered {response.status}")
        expect(response.header("Content-Disposition").startswith("attachment"), "not a download")
        expect(response.body.startswith(b"PK"), "not the document")

    def private_document(self):
        name = self.data["private_file"]
        paths = [self.data["private_document"], "/media/", "/media/documents/", f"/media/{name}"]
        paths += [
            f"/private-media/{name}",
            f"/media/../private-media/{name}",
            f"/media/..%2fprivate-media/{name}",
        ]
        for path in paths:
            response = self.site.get(path)
            expect(response.status in (403, 404), f"{path} answered {response.status}")
            expect(b"%deploy check" not in response.body, f"{path} gives the document")
            expect("Index of" not in response.text, f"{path} lists a folder")

    def upload_limit(self):
        refused = self.request_with_length("/admin/login/", 26 * 1024 * 1024)
        expect(refused == 413, f"a 26 MB upload answered {refused}, not 413")
        body = b"x" * (24 * 1024 * 1024)
        response = self.site.request(
            self.site.nginx_port,
            "/admin/login/",
            secure=True,
            method="POST",
            body=body,
            headers={"Content-Type": "application/octet-stream"},
        )
        expect(response.status != 413, "a 24 MB upload is refused by nginx")

    def request_with_length(self, path, length):
        """The status nginx answers to a request announcing `length` bytes, before any is sent."""
        connection = http.client.HTTPSConnection(
            "127.0.0.1", self.site.nginx_port, context=self.site.tls, timeout=30
        )
        try:
            connection.putrequest("POST", path, skip_host=True)
            connection.putheader("Host", HOST)
            connection.putheader("Content-Length", str(length))
            connection.endheaders()
            return connection.getresponse().status
        finally:
            connection.close()

    # One publish on A, seen on B.

    def shows(self, server, title, path):
        """Whether app server `server` shows the item: its page and the news list."""
        page = self.site.app(server, path)
        listed = self.site.app(server, "/news/")
        expect(listed.status == 200, f"/news/ on {server} answered {listed.status}")
        in_list = title in listed.text
        expect((page.status == 200) == in_list, f"{server}: page {page.status}, listed {in_list}")
        return in_list

    def cached_on_both(self):
        for server in "AB":
            for _ in range(2):
                response = self.site.app(server, "/news/")
            expect(response.header("X-Page-Cache") == "hit", f"/news/ on {server} is not cached")

    def publish(self):
        self.desk = Desk(self.site, "A")
        self.desk.sign_in("deploy-check")
        pk, title, path = self.data["drafts"]["shared"]
        self.cached_on_both()
        expect(not self.shows("B", title, path), "B shows the draft before it is published")
        self.desk.act("publish_selected", pk)
        expect(self.shows("B", title, path), "B does not show the item published on A")
        expect(self.shows("A", title, path), "A does not show the item published on A")

    def unpublish(self):
        pk, title, path = self.data["drafts"]["shared"]
        self.cached_on_both()
        self.desk.act("archive_selected", pk)
        for server in "BA":
            expect(
                not self.shows(server, title, path), f"{server} still shows the unpublished item"
            )

    def scheduled(self):
        item = self.shell(SCHEDULE % {"ahead": 8})
        moment, went_live = item["moment"], {}
        # Each server's item page and news list, asked until all four show it.
        while time.time() < moment + 5 and len(went_live) < 4:
            for server in "AB":
                for path in (item["url"], "/news/"):
                    if (server, path) in went_live:
                        continue
                    asked = time.time()
                    response = self.site.app(server, path)
                    expect(response.status in (200, 404), f"{path} on {server}: {response.status}")
                    if response.status == 200 and (
                        path != "/news/" or item["title"] in response.text
                    ):
                        early = moment - asked
                        expect(early < 0.5, f"{path} on {server} shows it {early:.1f} s early")
                        went_live[server, path] = asked - moment
            time.sleep(0.1)
        wanted = [(server, path) for server in "AB" for path in (item["url"], "/news/")]
        missing = [
            f"{path} on {server}" for server, path in wanted if (server, path) not in went_live
        ]
        expect(not missing, f"5 s after its moment, not yet on {', '.join(missing)}")
        latest = max(went_live.values())
        expect(latest < 2, f"live {latest:.1f} s after its moment")
        return f"all four pages within {max(latest, 0):.1f} s"

    # Redis stopped and back.

    def redis_stopped(self):
        pk, title, path = self.data["drafts"]["redis"]
        self.desk.act("publish_selected", pk)
        self.cached_on_both()
        expect(self.shows("A", title, path) and self.shows("B", title, path), "not published")
        # Redis's copy of the cache and generation, to start from again: the hardest case.
        self.redis_client.save()
        self.processes.stop(self.redis)
        for _ in range(3):
            for server in "AB":
                for page in ("/", "/news/", path, self.data["item"]):
                    response = self.site.app(server, page)
                    expect(response.status == 200, f"{page} on {server} answered {response.status}")
            for page in ("/", "/news/", path):
                response = self.site.get(page)
                expect(response.status == 200, f"{page} through nginx answered {response.status}")
        ready = {server: self.site.app(server, "/readyz").status for server in "AB"}
        expect(set(ready.values()) == {503}, f"/readyz answered {ready} with Redis down")
        # An unpublish while Redis is down: the database has it, Redis's copy does not.
        self.desk.act("archive_selected", pk)
        for server in "AB":
            expect(not self.shows(server, title, path), f"{server} shows the item unpublished")
        return "/readyz 503 on both"

    def redis_back(self):
        pk, title, path = self.data["drafts"]["redis"]
        self.redis_client = self.start_redis()
        hits = 0
        deadline = time.monotonic() + 12
        while time.monotonic() < deadline and hits < 4:
            for server in "AB":
                expect(not self.shows(server, title, path), f"{server} serves the stale page")
                if self.site.app(server, "/news/").header("X-Page-Cache") == "hit":
                    hits += 1
            time.sleep(0.2)
        expect(hits >= 4, "the page cache is not used again after Redis returned")
        ready = {server: self.site.app(server, "/readyz").status for server in "AB"}
        expect(set(ready.values()) == {200}, f"/readyz answered {ready}")

    # One app server stopped under load.

    def start_wrk(self, name, seconds, url=None, connections=8, headers=()):
        """wrk in the background on the pages visitors read most, through nginx unless `url`."""
        script = self.folder / "paths.lua"
        paths = ["/", "/news/", self.data["item"], "/feeds/news/", "/statements/"]
        script.write_text(
            "paths = {" + ", ".join(json.dumps(p) for p in paths) + "}\n"
            "i = 0\n"
            "request = function()\n"
            "  i = i + 1\n"
            "  return wrk.format(nil, paths[i % #paths + 1])\n"
            "end\n"
        )
        args = [PROGRAMS["wrk"], "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
        for header in (f"Host: {HOST}", *headers):
            args += ["-H", header]
        url = url or f"https://127.0.0.1:{self.ports['nginx']}/"
        return self.processes.start(name, [*args, "--latency", "-s", str(script), url])

    def wrk_result(self, name, process, seconds):
        """What wrk run `name` reports: requests, rate, median and p99, failures."""
        process.wait(timeout=seconds + 30)
        self.processes.stop(process)
        output = self.processes.log_tail(name, 40)
        done = re.search(r"(\d+) requests in", output)
        expect(done, f"wrk said: {output}")
        errors = re.search(r"Socket errors: (.*)", output)
        failed = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
        return {
            "requests": int(done.group(1)),
            "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
            "median": re.search(r"^\s+50%\s+(\S+)", output, re.MULTILINE).group(1),
            "p99": re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1),
            "failures": " and ".join(m.group(0) for m in (errors, failed) if m),
        }

    def failover(self):
        wrk = self.start_wrk("wrk", LOAD_SECONDS)
        # The drill's schedule: B stops a few seconds in, and starts again
        # well before the end, so that both halves carry load.
        time.sleep(4)
        self.processes.stop(self.apps["B"])
        time.sleep(4)
        self.restarted_at = (self.folder / "access-B.log").stat().st_size
        self.start_app("B")
        result = self.wrk_result("wrk", wrk, LOAD_SECONDS)
        expect(not result["failures"], result["failures"])
        return f"{result['requests']} requests, {result['rate']:.0f}/s, B stopped and restarted"

    def back_in_rotation(self):
        log = self.folder / "access-B.log"

        def served_by_b():
            with log.open("rb") as handle:
                handle.seek(self.restarted_at)
                return any(b"/healthz" not in line for line in handle.read().splitlines())

        deadline = time.monotonic() + 20
        while not served_by_b():
            expect(time.monotonic() < deadline, "no request reached B through nginx in 20 s")
            self.site.get("/news/")
            time.sleep(0.05)


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument(
        "--postgres",
        default="postgres://postgres@127.0.0.1:5432",
        help="the PostgreSQL server, as a URL without a database name",
    )
    parser.add_argument(
        "--measure",
        type=int,
        metavar="SECONDS",
        help="no checks: measure req/s through nginx for docs/scaling.md, SECONDS a run",
    )
    options = parser.parse_args()
    for program in PROGRAMS:
        # nginx is in /usr/sbin, which a plain user's PATH may leave out.
        found = shutil.which(program, path=f"{os.environ.get('PATH', '')}:/usr/sbin:/sbin")
        if not found:
            sys.exit(f"deploy check: {program} is not installed (apt-get install {program}).")
        PROGRAMS[program] = found
    # A SIGTERM (CI giving up) stops what was started, as Ctrl-C does.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("deploy check: stopped"))
    # Files the app servers write must be readable by nginx's workers (user nobody under root).
    os.umask(0o022)
    folder = Path(tempfile.mkdtemp(prefix="cstonews-deploy-check-"))
    check = DeployCheck(options, folder)
    failed = True
    try:
        if options.measure:
            check.measure(options.measure)
        else:
            check.run()
        failed = bool(check.failures)
    except SetupError as error:
        print(f"FAIL setting up: {error}", flush=True)
    except (psycopg.Error, OSError) as error:
        print(f"FAIL setting up: {type(error).__name__}: {error}", flush=True)
    finally:
        check.tear_down()
        if failed:
            print(f"deploy check failed; logs kept in {folder}", flush=True)
        else:
            shutil.rmtree(folder, ignore_errors=True)
    if failed:
        sys.exit(1)
    print("deploy check passed")


if __name__ == "__main__":
    main()

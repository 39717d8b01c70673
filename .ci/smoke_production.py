#!/usr/bin/env python3
"""Smoke test of the production stack: boots `make production` (gunicorn + qcluster, production
settings, PostgreSQL + Redis) on a spare loopback port with a throwaway database, checks it from
outside like a browser behind the TLS proxy would, and shuts everything down again.

Checks: /healthz (database and task queue), the login page, the security headers (HSTS, CSP,
referrer policy, nosniff), a static file, logging in and an authenticated page, and a django-q2
task that goes through Redis to the cluster and back. Exits non-zero on any failure, and never
leaves a process behind (the whole stack runs in its own process group, killed if it does not stop).

Environment: SMOKE_PG (server URL, default postgres://postgres@127.0.0.1:5432), SMOKE_DB
(database name, default touyan_smoke: dropped and re-created), SMOKE_REDIS_URL (a Redis database
only this test uses: it is flushed; default redis://127.0.0.1:6379/13), SMOKE_PORT (default: a free
port)."""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PG = os.environ.get("SMOKE_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
DB = os.environ.get("SMOKE_DB", "touyan_smoke")
REDIS_URL = os.environ.get("SMOKE_REDIS_URL", "redis://127.0.0.1:6379/13")
USERNAME, PASSWORD = "smoke-learner", secrets.token_urlsafe(16)
BOOT_TIMEOUT = 180  # migrations on an empty database take a while on a busy machine


def say(message):
    print(f"smoke: {message}", flush=True)


class Failed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failed(message)
    say(f"ok  {message}")


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# --- throwaway database and Redis ---------------------------------------------------------------

def recreate_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{DB}"')


def drop_database():
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{DB}" WITH (FORCE)')


def flush_redis():
    import redis

    redis.Redis.from_url(REDIS_URL).flushdb()


# --- HTTP as the proxy forwards it ---------------------------------------------------------------

class Browser:
    """Plain http to gunicorn, with the proxy's X-Forwarded-Proto: https, and a cookie jar that keeps
    Secure cookies too (the browser saw https)."""

    def __init__(self, port):
        self.port = port
        self.origin = f"https://127.0.0.1:{port}"
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, https=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", "Accept-Language": "zh-hans"}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        sent.update(headers or {})
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        content = response.read()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        connection.close()
        return response, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def post_form(self, path, data):
        return self.request("POST", path, body=urlencode(data), headers={
            "Content-Type": "application/x-www-form-urlencoded", "Origin": self.origin,
            "Referer": f"{self.origin}{path}"})


# --- the stack --------------------------------------------------------------------------------

def start_stack(port, env, log):
    """`make production` in a new session (its own process group), so one killpg stops it all."""
    return subprocess.Popen(
        ["make", "--no-print-directory", "production", f"PROD_PORT={port}", "WEB_WORKERS=2"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def group_alive(pgid):
    try:
        os.killpg(pgid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def stop_stack(process):
    pgid = process.pid  # start_new_session: the make process leads its own group
    # SIGTERM to make alone: make passes it to the recipe's shell, whose trap stops gunicorn and
    # qcluster in order (a signal to the whole group would also hit qcluster's own workers, and
    # django-q2's cluster then waits for children that are already gone).
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + 30
    while group_alive(pgid) and time.monotonic() < deadline:
        process.poll()
        time.sleep(0.2)
    if group_alive(pgid):
        still = subprocess.run(["ps", "-o", "pid,stat,etime,cmd", "-g", str(pgid)], capture_output=True, text=True)
        say(f"the stack did not stop within 30 s of SIGTERM: killing it\n{still.stdout}")
        os.killpg(pgid, signal.SIGKILL)
        while group_alive(pgid):
            process.poll()
            time.sleep(0.1)
    process.wait()


def wait_for_health(browser, process):
    deadline = time.monotonic() + BOOT_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise Failed(f"the stack exited with {process.returncode} before answering /healthz")
        try:
            response, content = browser.get("/healthz")
            if response.status == 200:
                return json.loads(content)
        except OSError:
            pass
        time.sleep(1)
    raise Failed(f"/healthz did not answer 200 within {BOOT_TIMEOUT} s")


def manage(env, code):
    """manage.py shell -c CODE with the stack's settings; returns stdout."""
    result = subprocess.run([PYTHON, "manage.py", "shell", "--no-imports", "-c", code], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise Failed(f"manage.py shell failed:\n{result.stderr[-2000:]}")
    return result.stdout


CREATE_LEARNER = f"""
from lms.people.models import Organization, Person
district = Organization.add_root(name="烟测区", org_type="district", code="SMOKE")
user = Person.create_account("13900000001", {PASSWORD!r})
user.username = {USERNAME!r}
user.save()
Person.objects.create(user=user, name="烟测学员", phone="13900000001", organization=district)
print("created")
"""

TASK_ROUND_TRIP = """
from django.conf import settings
from django_q.tasks import async_task, result
assert "redis" in settings.Q_CLUSTER, settings.Q_CLUSTER
task_id = async_task("math.hypot", 3, 4)
print("RESULT", result(task_id, wait=60_000))
"""


# --- the checks -------------------------------------------------------------------------------

def run_checks(port, env, process):
    browser = Browser(port)
    health = wait_for_health(browser, process)
    check(health.get("database") is True and health.get("task_queue") is True,
          f"/healthz answers 200 with database and task_queue true ({health})")
    response, _ = browser.get("/healthz", https=False)
    check(response.status == 200, "plain http on loopback is not redirected (SECURE_SSL_REDIRECT=0)")

    response, content = browser.get("/login/")
    page = content.decode()
    check(response.status == 200 and 'name="password"' in page, "the login page renders")
    headers = {name.lower(): value for name, value in response.getheaders()}
    check("max-age=" in headers.get("strict-transport-security", ""),
          f"HSTS: {headers.get('strict-transport-security')}")
    csp = headers.get("content-security-policy", "")
    check("default-src 'self'" in csp and "script-src 'self'" in csp and "'unsafe-inline'" not in
          csp.split("script-src")[1].split(";")[0], f"CSP enforced: {csp[:90]}...")
    check(headers.get("referrer-policy") == "same-origin", f"Referrer-Policy: {headers.get('referrer-policy')}")
    check(headers.get("x-content-type-options") == "nosniff", "X-Content-Type-Options: nosniff")
    check(headers.get("x-frame-options") == "SAMEORIGIN", "X-Frame-Options: SAMEORIGIN")

    stylesheet = re.search(r'href="(/static/[^"]+\.css)"', page)
    check(stylesheet is not None, "the login page links a stylesheet under /static/")
    response, content = browser.get(stylesheet.group(1))
    check(response.status == 200 and response.getheader("Content-Type", "").startswith("text/css")
          and len(content) > 100, f"a static file is served ({stylesheet.group(1)}, {len(content)} bytes)")

    check(manage(env, CREATE_LEARNER).strip().endswith("created"), "a learner account made with manage.py")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    response, _ = browser.post_form("/login/", {"csrfmiddlewaretoken": token, "username": USERNAME,
                                                "password": PASSWORD})
    check(response.status == 302 and response.getheader("Location") == "/me/",
          f"logging in redirects to /me/ ({response.status} {response.getheader('Location')})")
    session_cookie = [h for h in response.headers.get_all("Set-Cookie") or [] if h.startswith("sessionid=")]
    check(session_cookie and "Secure" in session_cookie[0] and "HttpOnly" in session_cookie[0],
          "the session cookie is Secure and HttpOnly")
    response, content = browser.get("/me/")
    check(response.status == 200 and "烟测学员" in content.decode(), "an authenticated page (我的学习) works")

    output = manage(env, TASK_ROUND_TRIP)
    check("RESULT 5.0" in output, f"a django-q2 task round-trips through Redis and qcluster ({output.strip()})")


def main():
    port = int(os.environ.get("SMOKE_PORT") or free_port())
    say(f"database {DB}, Redis {REDIS_URL}, port {port}")
    recreate_database()
    flush_redis()
    workdir = Path(tempfile.mkdtemp(prefix="touyan-smoke-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SETTINGS_MODULE", "DEBUG", "SQLITE_PATH"}}
    env.update(
        DJANGO_SETTINGS_MODULE="lms.settings.production", SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"{PG}/{DB}", REDIS_URL=REDIS_URL, SECURE_SSL_REDIRECT="0",
        ALLOWED_HOSTS="127.0.0.1,localhost", STATIC_ROOT=str(workdir / "static"),
        MEDIA_ROOT=str(workdir / "media"), LOG_LEVEL="WARNING", Q_WORKERS="1",
    )
    log_path = workdir / "stack.log"
    failed = None
    with open(log_path, "w") as log:
        process = start_stack(port, env, log)
        try:
            run_checks(port, env, process)
        except Failed as error:
            failed = str(error)
        except Exception as error:  # a crash of the checks is a failure too, not a traceback mid-stack
            failed = f"{type(error).__name__}: {error}"
        finally:
            stop_stack(process)
    leftovers = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True).stdout.split()
    if failed is None:
        check(not leftovers, "no process of the stack is left")
    try:
        drop_database()
        flush_redis()
    except Exception as error:
        say(f"cleanup: {error}")
    if failed or leftovers:
        say(f"FAILED: {failed or 'processes left: ' + ' '.join(leftovers)}")
        say(f"stack log ({log_path}):")
        print(log_path.read_text()[-6000:], flush=True)
        return 1
    shutil.rmtree(workdir, ignore_errors=True)
    say("production stack OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())

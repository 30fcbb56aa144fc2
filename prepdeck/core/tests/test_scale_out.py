"""Several app servers behind a load balancer (issue 17, part 5), as processes so that it runs in the suite:
two uvicorn servers with the production settings on the test's PostgreSQL database and Redis, nginx in
front of them as an upstream of both.

It shows that nothing a request needs lives in one server's memory: a session signed in on one server is
valid on the other and through nginx (whichever server answers), and a change made through one server (an
editor's edit) drops the cached topic tree that the other server had cached.

Needs PostgreSQL, Redis and nginx (``apt-get install nginx-light``); skipped, saying which is missing,
otherwise.
"""

from __future__ import annotations

import http.client
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings as django_settings
from django.db import connection

from prepdeck.accounts.tests.factories import DEFAULT_PASSWORD, make_editor
from prepdeck.catalog.models import Question, Topic
from prepdeck.core.tests.outages import free_port
from prepdeck.web.tests.conftest import make_bank

pytestmark = [pytest.mark.postgresql, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

BASE_DIR = Path(__file__).resolve().parents[3]
START_SECONDS = 40
SERVER_COMMAND = [
    sys.executable,
    "-m",
    "uvicorn",
    "config.asgi:application",
    "--host",
    "127.0.0.1",
    "--no-access-log",
]


@dataclass
class Response:
    status: int
    headers: dict[str, str]
    body: str
    cookies: dict[str, str] = field(default_factory=dict)


class Browser:
    """Just enough of a browser: cookies kept by hand (the production settings mark them Secure, which a
    cookie jar would not send over plain HTTP), one request per connection."""

    def __init__(self) -> None:
        self.cookies: dict[str, str] = {}

    def request(self, port: int, method: str, path: str, body: str = "", **headers: str) -> Response:
        client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        headers = {"Host": "localhost", **headers}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        client.request(method, path, body=body.encode() if body else None, headers=headers)
        raw = client.getresponse()
        response = Response(raw.status, {k.lower(): v for k, v in raw.getheaders()}, raw.read().decode())
        for name, value in raw.getheaders():
            if name.lower() == "set-cookie":
                cookie_name, _, rest = value.partition("=")
                self.cookies[cookie_name] = rest.split(";", 1)[0]
        client.close()
        return response

    def get(self, port: int, path: str, **headers: str) -> Response:
        return self.request(port, "GET", path, **headers)

    def sign_in(self, port: int, email: str, password: str) -> Response:
        page = self.get(port, "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
        assert token is not None, page.status
        form = urlencode({"csrfmiddlewaretoken": token.group(1), "username": email, "password": password})
        return self.request(
            port,
            "POST",
            "/accounts/login/",
            form,
            **{"Content-Type": "application/x-www-form-urlencoded"},
        )


def _wait_until_up(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server on port {port} exited: {log.read_text()[-2000:]}")
        try:
            if Browser().get(port, "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(f"the server on port {port} did not answer in {START_SECONDS} s: {log.read_text()[-2000:]}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


NGINX_CONF = """
daemon off;
{user}
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    upstream prepdeck {{
        server 127.0.0.1:{first};
        server 127.0.0.1:{second};
    }}
    server {{
        listen 127.0.0.1:{port};
        location / {{
            proxy_pass http://prepdeck;
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


@dataclass
class Cluster:
    servers: list[int]
    balancer: int


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    nginx = shutil.which("nginx") or next(
        (path for path in ("/usr/sbin/nginx", "/sbin/nginx") if os.access(path, os.X_OK)), None
    )
    if nginx is None:
        pytest.skip("needs nginx: apt-get install nginx-light")
    database = connection.settings_dict
    database_url = (
        f"postgres://{quote(database['USER'] or '')}:{quote(str(database['PASSWORD'] or ''))}"
        f"@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{database['NAME']}"
    )
    prefix = f"prepdeck-scaleout-{uuid.uuid4().hex[:8]}"
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "prepdeck.core.tests.scaleout.settings",
        "SCALEOUT_CACHE_PREFIX": prefix,
        "DATABASE_URL": database_url,
        "REDIS_URL": django_settings.REDIS_URL,
        "SECRET_KEY": "scale-out-test-" + "s" * 50,
        "ALLOWED_HOSTS": "localhost,127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(BASE_DIR),
    }
    ports = [free_port(), free_port()]
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for port in ports:
            log = tmp_path / f"server-{port}.log"
            processes.append(
                subprocess.Popen(
                    [*SERVER_COMMAND, "--port", str(port)],
                    cwd=BASE_DIR,
                    env=environment,
                    stdout=log.open("wb"),
                    stderr=subprocess.STDOUT,
                )
            )
        for port, process in zip(ports, processes, strict=True):
            _wait_until_up(port, process, tmp_path / f"server-{port}.log")
        balancer = free_port()
        config = tmp_path / "nginx.conf"
        config.write_text(
            NGINX_CONF.format(
                user="user root root;" if os.geteuid() == 0 else "",
                folder=tmp_path,
                first=ports[0],
                second=ports[1],
                port=balancer,
            )
        )
        processes.append(
            subprocess.Popen(
                [nginx, "-p", str(tmp_path), "-c", str(config)],
                stdout=(tmp_path / "nginx.out").open("wb"),
                stderr=subprocess.STDOUT,
            )
        )
        _wait_until_up(balancer, processes[-1], tmp_path / "error.log")
        yield Cluster(servers=ports, balancer=balancer)
    finally:
        for process in reversed(processes):
            _stop(process)
        import redis

        client = redis.Redis.from_url(django_settings.REDIS_URL)
        for key in client.scan_iter(match=f"{prefix}:*"):
            client.delete(key)


def _topic_counts(port: int) -> dict[str, int]:
    import json

    rows: list[dict[str, Any]] = json.loads(Browser().get(port, "/api/v1/topics/").body)
    return {row["slug"]: row["published_questions"] for row in rows}


def test_two_app_servers_behind_nginx_share_sessions_and_cache_invalidation(
    cluster: Cluster, settings: Any
) -> None:
    # given: a bank and an editor, committed (the servers are other processes)
    questions = make_bank()
    # hashed as the servers check it (the test settings use MD5 for speed, which production does not accept)
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    editor = make_editor(email="editor@example.com")
    first, second = cluster.servers

    # when: the editor signs in on the first server
    browser = Browser()
    signed_in = browser.sign_in(first, editor.email, DEFAULT_PASSWORD)

    # then: the session is valid on the second server, and through nginx whichever server answers
    assert (signed_in.status, signed_in.headers.get("location")) == (302, "/"), signed_in.body[-3000:]
    assert "sessionid" in browser.cookies
    on_second = browser.get(second, "/")
    assert on_second.status == 200
    assert "Sign out" in on_second.body
    through_balancer = [browser.get(cluster.balancer, "/") for _ in range(4)]
    assert [(page.status, "Sign out" in page.body) for page in through_balancer] == [(200, True)] * 4
    assert {page.headers["x-upstream"] for page in through_balancer} == {
        f"127.0.0.1:{first}",
        f"127.0.0.1:{second}",
    }
    # a visitor without the cookie is not signed in
    assert "Sign out" not in Browser().get(second, "/").body

    # given: the second server has cached the topic tree; a change behind the application's back (no
    # invalidation) is not seen there, which shows that it is served from the cache
    before = _topic_counts(second)
    Question.objects.filter(pk=questions[1].pk).update(topic=Topic.objects.get(slug="postgresql-indexes"))
    assert _topic_counts(second) == before

    # when: the editor moves a question through the first server's API
    edited = browser.request(
        first,
        "PATCH",
        f"/api/v1/questions/{questions[0].pk}/",
        f'{{"version": {questions[0].version}, "topic": "postgresql-indexes"}}',
        **{
            "Content-Type": "application/json",
            "X-CSRFToken": browser.cookies["csrftoken"],
            "Referer": f"http://localhost:{first}/",
        },
    )

    # then: the second server recomputes at once, and sees both changes
    assert edited.status == 200, edited.body
    after = _topic_counts(second)
    assert (before["django-orm"], before["drf-serializers"], before["postgresql-indexes"]) == (4, 4, 4)
    assert (after["django-orm"], after["drf-serializers"], after["postgresql-indexes"]) == (3, 3, 6)
    assert _topic_counts(cluster.balancer) == after

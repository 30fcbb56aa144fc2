"""``prepdeck run``: migrate, load bundled content, collect static files and serve the ASGI app."""

from __future__ import annotations

import errno
import socket
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from prepdeck.accounts.selectors import users_exist
from prepdeck.core import bootstrap


class Command(BaseCommand):
    help = (
        "Set up and serve PrepDeck: apply migrations, load the bundled question bank into an empty "
        "database, collect static files, then serve the ASGI app with uvicorn."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--host", default="127.0.0.1", help="Address to listen on (default 127.0.0.1).")
        parser.add_argument("--port", type=int, default=8000, help="Port to listen on (default 8000).")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare everything, then exit instead of serving."
        )
        parser.add_argument(
            "--no-collectstatic",
            action="store_true",
            help="Skip collecting static files (an image that collected them when it was built).",
        )

    def handle(
        self, *args: Any, host: str, port: int, no_serve: bool, no_collectstatic: bool, **options: Any
    ) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"--port must be between 1 and 65535 (got {port})")
        if not no_serve:
            _check_port_free(host, port)
        try:
            bootstrap.database_check_reachable()
        except bootstrap.DatabaseUnavailable as error:
            raise CommandError(str(error)) from None

        self.stdout.write(f"Database: {bootstrap.database_describe()}")
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Migrations applied.")
        bootstrap.run_first_run_hooks(self.stdout)
        if not no_collectstatic:
            settings.STATIC_ROOT.mkdir(parents=True, exist_ok=True)
            call_command("collectstatic", interactive=False, verbosity=0)

        display_host = "localhost" if host in {"127.0.0.1", "0.0.0.0", "::"} else host  # noqa: S104
        url = f"http://{display_host}:{port}/"
        if not users_exist():
            self.stdout.write(
                "No accounts yet. Create an admin account with `prepdeck createsuperuser`, "
                f"or sign up in the browser at {url}accounts/signup/"
            )
        if no_serve:
            return
        self.stdout.write(self.style.SUCCESS(f"PrepDeck is running at {url}  (Ctrl+C to stop)"))
        self.stdout.flush()

        import uvicorn

        # Close the connection that migrated and the pools themselves: requests run in other threads (which
        # make the pool again on their first query) or, with WEB_CONCURRENCY, in uvicorn's worker processes
        # (each with pools of its own), and this process would otherwise keep idle connections forever.
        bootstrap.release_connections()
        uvicorn.run(
            "config.asgi:application",
            host=host,
            port=port,
            log_config=None,  # Django's LOGGING already configured the root logger
            access_log=False,  # our AccessLogMiddleware logs each request with its id
            lifespan="off",
            server_header=False,
            # REMOTE_ADDR stays the TCP peer: which X-Forwarded-For entry to believe is decided in one place,
            # prepdeck.core.client_address (TRUSTED_PROXIES), and the scheme by SECURE_PROXY_SSL_HEADER.
            proxy_headers=False,
        )


def _check_port_free(host: str, port: int) -> None:
    """Fail before any set-up work, with what to do, when the address is taken (uvicorn would die later).

    The probe binds the way uvicorn does (``SO_REUSEADDR``), so a port held only by closing connections
    (``TIME_WAIT``) counts as free, as it is for the server.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        raise CommandError(
            f"--host {host!r} is not an address this machine can listen on ({error})."
        ) from None
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise CommandError(
                    f"Port {port} on {host} is already in use (is PrepDeck already running?). "
                    f"Stop the other program, or choose another port: prepdeck run --port {port + 1}"
                ) from None
            raise CommandError(f"Cannot listen on {host}:{port}: {error.strerror}.") from None

"""The image's HEALTHCHECK: exit 0 when the web role answers /healthz (Python's standard library only)."""

import os
import sys
import urllib.request

port = os.environ.get("PREPDECK_BIND", "0.0.0.0:8000").rpartition(":")[2]
# Django answers 400 to a Host it does not serve: ask as the first of ALLOWED_HOSTS.
host = (os.environ.get("ALLOWED_HOSTS") or "localhost").split(",")[0].strip()
host = "localhost" if host in {"", "*"} else ("health" + host if host.startswith(".") else host)
request = urllib.request.Request(f"http://127.0.0.1:{port}/healthz", headers={"Host": host})
try:
    with urllib.request.urlopen(request, timeout=4) as response:  # noqa: S310 - a fixed local http URL
        sys.exit(0 if response.status == 200 else 1)
except Exception as error:  # any failure (refused, timeout, 5xx) means unhealthy
    print(f"healthz: {error}", file=sys.stderr)
    sys.exit(1)

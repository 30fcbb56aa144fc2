# One image for every role of PrepDeck: `web` (HTTP), `ws` (WebSockets), `worker`, `beat` or `migrate`
# (docker/entrypoint.sh).
# BASE_IMAGE may be any Debian-based image: python:3.12-slim (the default) has Python; a bare Debian bookworm
# image gets Debian's python3 and python3-venv.
ARG BASE_IMAGE=python:3.12-slim

FROM ${BASE_IMAGE} AS python
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1
RUN if ! python3 -c 'import ensurepip, venv' 2>/dev/null; then \
      apt-get update -q && \
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
        python3 python3-venv ca-certificates && \
      rm -rf /var/lib/apt/lists/*; \
    fi

# Builder: a virtual environment with the dependencies (all of them ship wheels, so no compiler is needed
# here either), then the project itself. Index, certificate and proxy settings come from build arguments
# (PIP_INDEX_URL, PIP_EXTRA_INDEX_URL, PIP_CERT, HTTP_PROXY, HTTPS_PROXY) and are not kept in the image.
FROM python AS builder
ARG PIP_INDEX_URL
ARG PIP_EXTRA_INDEX_URL
ARG PIP_CERT
ARG PIP_DEFAULT_TIMEOUT=60
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
# Dependencies first, from pyproject.toml alone: this layer is rebuilt only when the dependencies change.
COPY pyproject.toml ./
# (An argument passed empty is unset first: pip would read an empty PIP_INDEX_URL as an index.) The build
# backend is installed here too, so that the project's own layer below needs no download.
RUN for name in PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_CERT; do eval "[ -n \"\${$name:-}\" ] || unset $name"; done && \
    python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
      > /tmp/requirements.txt && \
    pip install --quiet -r /tmp/requirements.txt "setuptools>=77" && \
    find /opt/venv -name '__pycache__' -prune -exec rm -rf {} + && \
    find /opt/venv -path '*/tests/*' -name 'test_*.py' -delete && \
    python -m compileall -q /opt/venv/lib
# The project: a code change rebuilds from here, in seconds. pip and setuptools are not needed at run time.
COPY README.md manage.py ./
COPY config ./config
COPY prepdeck ./prepdeck
RUN pip install --quiet --no-deps --no-build-isolation . && \
    site=$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])') && \
    find "$site/prepdeck" -path '*/tests/*' -delete && \
    python -m compileall -q "$site/prepdeck" "$site/config" && \
    pip uninstall --quiet --yes setuptools pip

# Final image: the virtual environment, an unprivileged user, static files collected at build time.
FROM python
RUN groupadd --system --gid 10001 prepdeck && \
    useradd --system --uid 10001 --gid prepdeck --home-dir /app --shell /usr/sbin/nologin prepdeck
COPY --from=builder /opt/venv /opt/venv
COPY docker/entrypoint.sh /usr/local/bin/prepdeck-entrypoint
COPY docker/healthcheck.py /usr/local/lib/prepdeck-healthcheck.py
ENV PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=config.settings.production \
    PREPDECK_DATA_DIR=/app/var
WORKDIR /app
# collectstatic needs settings that production requires; these placeholder values exist only for this step.
RUN SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost prepdeck collectstatic --noinput --verbosity 0 && \
    mkdir -p /srv/static && \
    chown prepdeck:prepdeck /app /app/var /srv/static
USER prepdeck
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "/usr/local/lib/prepdeck-healthcheck.py"]
ENTRYPOINT ["prepdeck-entrypoint"]
CMD ["web"]

#!/bin/sh
# The image's entry point: the first argument chooses the role, so one image runs every service.
#   web      HTTP: gunicorn's threaded WSGI workers on config.wsgi (config/gunicorn.py; WEB_CONCURRENCY
#            processes, default 2, of GUNICORN_THREADS threads, default 8)
#   ws       WebSockets (/ws/): gunicorn with uvicorn workers on config.asgi (WS_CONCURRENCY, default 1)
#   worker   a Celery worker (CELERY_CONCURRENCY processes, default 2)
#   beat     Celery Beat with django-celery-beat's database scheduler (run exactly one)
#   migrate  apply migrations and load the bundled bank into an empty database, then copy the collected
#            static files to PREPDECK_STATIC_EXPORT_DIR when set (the volume nginx serves); a one-shot
# Anything else runs as a command (`prepdeck createsuperuser`, `prepdeck shell`, `sh`).
set -eu

role="${1:-web}"
case "$role" in
  web)
    shift || true
    exec gunicorn -c python:config.gunicorn config.wsgi:application "$@"
    ;;
  ws)
    shift
    exec gunicorn -c python:config.gunicorn --worker-class config.gunicorn.PrepDeckUvicornWorker \
      --workers "${WS_CONCURRENCY:-1}" config.asgi:application "$@"
    ;;
  worker)
    shift
    exec celery -A config worker --loglevel "${CELERY_LOG_LEVEL:-info}" \
      --concurrency "${CELERY_CONCURRENCY:-2}" "$@"
    ;;
  beat)
    shift
    # The schedule lives in the database; the pid file goes to the data folder (the app folder is read-only).
    exec celery -A config beat --loglevel "${CELERY_LOG_LEVEL:-info}" \
      --scheduler django_celery_beat.schedulers:DatabaseScheduler \
      --pidfile "${PREPDECK_DATA_DIR}/celerybeat.pid" "$@"
    ;;
  migrate)
    shift
    # Bounded wait for the database (compose also waits for its health check).
    tries="${PREPDECK_DB_WAIT_SECONDS:-60}"
    until prepdeck shell -c "from prepdeck.core import bootstrap; bootstrap.database_check_reachable()" \
        >/dev/null 2>&1; do
      tries=$((tries - 1))
      if [ "$tries" -le 0 ]; then
        echo "migrate: the database did not answer; last error:" >&2
        exec prepdeck shell -c "from prepdeck.core import bootstrap; bootstrap.database_check_reachable()"
      fi
      sleep 1
    done
    prepdeck run --no-serve --no-collectstatic "$@"
    if [ -n "${PREPDECK_STATIC_EXPORT_DIR:-}" ]; then
      cp -R "${PREPDECK_DATA_DIR}/static/." "${PREPDECK_STATIC_EXPORT_DIR}/"
      echo "Static files copied to ${PREPDECK_STATIC_EXPORT_DIR}."
    fi
    ;;
  *)
    exec "$@"
    ;;
esac

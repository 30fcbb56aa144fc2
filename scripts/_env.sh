# Shared by scripts/run and scripts/test: create .venv with Python 3.11+ and install the project into it,
# reinstalling only when pyproject.toml (or the requested extras) changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

find_python() {
  for candidate in "${PYTHON:-}" python3 python3.13 python3.12 python3.11; do
    [ -n "$candidate" ] || continue
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "PrepDeck needs Python 3.11 or newer (set PYTHON=/path/to/python3.11)." >&2
  return 1
}

ensure_venv() {  # $1: the pip install target, e.g. "." or ".[dev]"
  local target="$1" stamp=".venv/.prepdeck-installed" want
  if [ ! -x .venv/bin/python ]; then
    local python; python=$(find_python)
    echo "Creating .venv with $("$python" --version)..."
    "$python" -m venv .venv || {
      echo "Could not create a virtual environment; on Debian/Ubuntu: sudo apt-get install python3-venv" >&2
      return 1
    }
  fi
  want="$(sha256sum pyproject.toml | cut -c1-16) $target"
  if [ ! -f "$stamp" ] || ! grep -qxF "$want" "$stamp"; then
    echo "Installing PrepDeck $target into .venv (first time takes a minute)..."
    .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install --quiet --disable-pip-version-check -e "$target"
    # A dev install satisfies a plain one too.
    { echo "$want"; [ "$target" = ".[dev]" ] && echo "${want% *} ."; } > "$stamp"
  fi
}

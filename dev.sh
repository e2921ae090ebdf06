#!/usr/bin/env bash
# Vectis Edge: everything a fresh Debian machine with Python 3.11 needs, then the job asked for.
#
#   ./dev.sh demo    hub + two edge nodes on loopback replay two weeks of real sales
#   ./dev.sh test    the whole gate: ruff, mypy, import contracts, then every test against real PostgreSQL
#   ./dev.sh setup   only install (Debian packages when missing, .venv, pinned dependencies)
#
# Extra arguments after `demo` go to `vectis demo`; after `test`, to pytest.
set -euo pipefail
cd "$(dirname "$0")"

log() { printf '\033[1m[dev.sh]\033[0m %s\n' "$*" >&2; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
        log "need root to run: $*"; exit 1
    fi
}

require_python() {
    if ! command -v python3 >/dev/null; then
        log "python3 is missing: install Python 3.11 or newer"; exit 1
    fi
    if ! python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        log "Python 3.11 or newer is required, found $(python3 --version)"; exit 1
    fi
}

# Debian packages, installed only when missing. PostgreSQL is for the tests (each run starts
# a private, throwaway cluster on loopback); librsvg2-bin's rsvg-convert turns the till's
# screenshots (SVG) into the PNGs of docs/; chromium is the headless browser the dashboard's
# tests drive (Playwright, no `playwright install`); python3-venv only where venv is not built in.
ensure_packages() {
    local wanted=("$@") missing=()
    for package in "${wanted[@]}"; do
        case "$package" in
            postgresql) compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || missing+=(postgresql) ;;
            python3-venv) python3 -m venv --help >/dev/null 2>&1 || missing+=(python3-venv) ;;
            librsvg2-bin) command -v rsvg-convert >/dev/null || missing+=(librsvg2-bin) ;;
            chromium) command -v chromium >/dev/null || missing+=(chromium) ;;
        esac
    done
    if [ ${#missing[@]} -gt 0 ]; then
        log "installing Debian packages: ${missing[*]}"
        as_root apt-get update -qq
        DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}"
        # The Debian package starts a system cluster we do not use; leave it, it binds 5432 only.
    fi
}

ensure_venv() {
    if [ ! -x .venv/bin/python ]; then
        log "creating .venv"
        python3 -m venv .venv
    fi
    local stamp=.venv/.vectis-installed
    if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
        log "installing Python dependencies (pinned by constraints.txt)"
        .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
        .venv/bin/python -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[test]'
        touch "$stamp"
    fi
}

command=${1:-help}
shift || true
case "$command" in
    setup)
        require_python
        ensure_packages python3-venv postgresql librsvg2-bin chromium
        ensure_venv
        log "ready: .venv/bin/vectis --help"
        ;;
    demo)
        require_python
        ensure_packages python3-venv
        ensure_venv
        exec .venv/bin/vectis demo "$@"
        ;;
    test)
        require_python
        ensure_packages python3-venv postgresql librsvg2-bin chromium
        ensure_venv
        log "ruff"
        .venv/bin/ruff check .
        .venv/bin/ruff format --check .
        log "mypy (strict for the packages, relaxed for tests)"
        .venv/bin/mypy
        log "import contracts (the layering of docs/architecture.md)"
        .venv/bin/lint-imports --no-cache
        log "pytest"
        exec .venv/bin/python -m pytest "$@"
        ;;
    *)
        sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'
        exit 2
        ;;
esac

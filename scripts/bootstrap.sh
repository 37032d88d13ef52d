#!/usr/bin/env bash
# Create .venv and install kb with everything it needs; quick when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
export HF_HUB_OFFLINE=1 PIP_DISABLE_PIP_VERSION_CHECK=1
PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
stamp=.venv/.kb-installed
want=$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1)
# One line per stage, what it does and about how long it takes, then how long it took.
stage() {
    [ -n "${stage_started:-}" ] && echo "    done in $((SECONDS - stage_started)) s" >&2
    stage_started=$SECONDS
    [ $# -gt 0 ] && echo "$*" >&2
    return 0
}
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "setting up .venv (the first run takes a few minutes; later runs skip this) ..." >&2
    stage "[1/3] updating pip (a few seconds) ..."
    .venv/bin/python -m pip install -q --upgrade pip
    # torch first, pinned to the CPU build: anything else would pull gigabytes of CUDA.
    stage "[2/3] installing torch, CPU build (about 200 MB: a minute or two) ..."
    .venv/bin/python -m pip install -q "torch==2.13.0"
    stage "[3/3] installing kb and its libraries (about a minute) ..."
    .venv/bin/python -m pip install -q -e ".[dev]"
    stage
    echo "$want" > "$stamp"
fi
# English questions reach Swedish material through FreeDict's English-Swedish dictionary (GPL-2+,
# read where Debian installs it, never copied into kb); kb's own school word list works without.
if [ ! -f /usr/share/dictd/freedict-eng-swe.dict.dz ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-eng-swe \
        || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dict-freedict-eng-swe)) \
        >/dev/null 2>&1 || echo "note: could not install dict-freedict-eng-swe; English questions use kb's own word list" >&2
fi
# SAML log-in (pysaml2) signs and checks XML with Debian's xmlsec1, found on PATH.
if ! command -v xmlsec1 >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq xmlsec1) \
            >/dev/null 2>&1 || echo "note: could not install xmlsec1; SAML log-in will not work" >&2
    else
        echo "note: xmlsec1 is missing (apt-get install xmlsec1); SAML log-in will not work" >&2
    fi
fi

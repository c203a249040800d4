#!/usr/bin/env bash
# Set up a fresh machine: system packages, a virtual environment in .venv, nyangtorch with
# every extra. Safe to run again (it only installs what is missing).
set -euo pipefail
cd "$(dirname "$0")/.."

# The real Fashion-MNIST files, and the browser the documentation's browser test drives
# (never a browser downloaded by a test tool), with Korean and emoji fonts for its pages.
apt_packages=(dataset-fashion-mnist chromium fonts-nanum fonts-noto-color-emoji)
missing=()
for pkg in "${apt_packages[@]}" "$@"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
        echo "setup: apt-get install ${missing[*]}"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
    else
        echo "setup: cannot apt-get install ${missing[*]} here (need root and apt); continuing" >&2
    fi
fi

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv"
    "$python" -m venv .venv
fi
# pip, not uv: only pip finds the local CPU wheel of torch==2.13.0 on these machines. MPI for
# the data-parallel tests comes with dev from PyPI too (mpi4py and Open MPI's wheel, with mpirun
# in .venv/bin): nothing to apt-get.
# (The filter drops this machine's notes about absent local index folders; errors still show.)
.venv/bin/python -m pip install -q -e ".[all,dev]" 2>&1 |
    { grep -v "is ignored: it is neither a file nor a directory" || true; }

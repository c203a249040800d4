#!/usr/bin/env bash
# Set up (if needed) and run lint and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/ruff check nyangtorch tests benchmarks docs examples
.venv/bin/python -m pytest -q "$@"

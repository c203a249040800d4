#!/usr/bin/env bash
# Set up (if needed), then the main job: train the reference CNN on Fashion-MNIST and test it.
# Writes runs/fashion-mnist/: best.pickle, history.json/.csv, curves.png, confusion.png, metrics.json.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/nyangtorch train fashion-mnist --model cnn --epochs 24 --scheduler step --augment \
    --out runs/fashion-mnist "$@"

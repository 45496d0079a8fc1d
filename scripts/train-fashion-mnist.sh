#!/usr/bin/env bash
# The main job: trains a LeNet declared with ModelDsl on Fashion-MNIST and reports the test accuracy.
# Extra arguments go to the example (e.g. --model lenet5 --epochs 10); --help lists them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/ensure-fashion-mnist.sh
dotnet run -c Release --project examples/FashionMnist -- "$@"

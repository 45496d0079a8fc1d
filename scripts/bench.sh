#!/usr/bin/env bash
# Runs the side-by-side CPU benchmarks (ModelDsl, TorchSharp, ONNX Runtime; workloads W1–W4, 2 threads)
# and rewrites benchmarks/RESULTS.md. Takes about 3 to 4 minutes on a 2-core machine (the build included).
set -euo pipefail
cd "$(dirname "$0")/.."
# Waiting threads sleep instead of spinning: on a machine shared with other work, a thread spinning at a
# barrier for a partner the OS has descheduled costs libtorch up to 10× and ONNX Runtime up to 2×.
# Set either variable before calling to measure the other way.
export OMP_WAIT_POLICY="${OMP_WAIT_POLICY:-PASSIVE}"
export BENCH_ORT_ALLOW_SPINNING="${BENCH_ORT_ALLOW_SPINNING:-0}"
dotnet build benchmarks/ModelDsl.Benchmarks -c Release
cd benchmarks/ModelDsl.Benchmarks   # BenchmarkDotNet writes BenchmarkDotNet.Artifacts/ here
dotnet bin/Release/net10.0/ModelDsl.Benchmarks.dll --results ../RESULTS.md

#!/usr/bin/env bash
# Builds modir_micro_bench with the release preset and runs it, writing the results as JSON to
# out/bench/micro.json (and the usual table to the terminal). Arguments go to the benchmark binary,
# e.g. --benchmark_filter=BSpline or --benchmark_min_time=1. BUILD_DIR overrides the build folder
# (default build/release, the preset's own); JOBS limits the build's parallel jobs.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
build_dir="${BUILD_DIR:-$root/build/release}"
cd "$root"
cmake --preset release -B "$build_dir" >/dev/null
ninja -C "$build_dir" ${JOBS:+-j "$JOBS"} modir_micro_bench
mkdir -p out/bench
"$build_dir/bench/micro/modir_micro_bench" --benchmark_out=out/bench/micro.json \
  --benchmark_out_format=json "$@"
echo "bench/micro/run.sh: results in out/bench/micro.json" >&2

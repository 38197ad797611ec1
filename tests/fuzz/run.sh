#!/usr/bin/env bash
# Runs every libFuzzer target for FUZZ_SECONDS (default 150) each, one after another, starting
# from the kept inputs in tests/data/fuzz/<target>. New inputs grow build/fuzz/corpus/<target>;
# a crash, leak or broken promise is written to build/fuzz/findings/<target>/ and fails the run:
# copy it into tests/data/fuzz/<target>/ so fuzzcorpus_test replays it in every build.
set -uo pipefail
cd "$(dirname "$0")/../.."
seconds=${FUZZ_SECONDS:-150}
build=build/fuzz/tests/fuzz
status=0
for target in answer-csv manifest idx image; do
  corpus=build/fuzz/corpus/$target
  findings=build/fuzz/findings/$target
  mkdir -p "$corpus" "$findings"
  log=build/fuzz/$target.log
  "$build/fuzz-$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" \
    "$corpus" "tests/data/fuzz/$target" >"$log" 2>&1
  code=$?
  runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
  echo "fuzz $target: ${runs:-?} executions in ${seconds} s, exit $code, corpus $(ls "$corpus" | wc -l) inputs"
  if [ "$code" -ne 0 ]; then
    status=1
    echo "  finding kept in $findings (log: $log):"
    grep -E 'ERROR|broken promise|SUMMARY' "$log" | head -5 | sed 's/^/    /'
  fi
done
exit $status

#!/bin/sh
# Builds every libFuzzer target (clang, -fsanitize=fuzzer,address,undefined) in build/fuzz and runs
# each for a bounded time on a scratch copy of its seed corpus. New inputs go to build/fuzz/corpus/,
# crashes to build/fuzz/artifacts/; a crash makes the script exit non-zero. Found crashes belong in
# tests/fuzz/corpus/<target>/ with their fix.
#
#   tests/fuzz/run_fuzzers.sh            # 60 seconds per target
#   tests/fuzz/run_fuzzers.sh 600        # ten minutes per target
#   FUZZ_JOBS=2 tests/fuzz/run_fuzzers.sh 300
#   FUZZ_TARGETS="auth_handlers_fuzzer" tests/fuzz/run_fuzzers.sh   # only these
#   FUZZ_SEED=12345 tests/fuzz/run_fuzzers.sh 30    # libFuzzer's -seed (0, the default: random)
#   FUZZ_PARALLEL=2 tests/fuzz/run_fuzzers.sh 30    # two targets at a time (default: one)
#
# FUZZ_JOBS runs one target in several processes; FUZZ_PARALLEL runs several targets side by side,
# each in its own process, for the full time each: on two cores, seven targets at 30 s take four
# rounds (2 minutes) instead of seven (3.5 minutes), and every target still gets its 30 s of one
# core. Reports are printed per target, in the order the targets are listed, after each round.
set -eu
seconds="${1:-60}"
jobs="${FUZZ_JOBS:-1}"
parallel="${FUZZ_PARALLEL:-1}"
seed="${FUZZ_SEED:-0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
build="$root/build/fuzz"

cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++ -DACCOUNT_SANITIZER=fuzzer -DACCOUNT_WITH_SLEEPER=ON \
  -DACCOUNT_WITH_AUTH=ON -DACCOUNT_BUILD_BENCHMARKS=OFF -DACCOUNT_BUILD_EXAMPLES=OFF >/dev/null
targets="${FUZZ_TARGETS:-}"
if [ -z "$targets" ]; then
  for source in "$root"/tests/fuzz/*_fuzzer.cpp; do
    targets="$targets $(basename "$source" .cpp)"
  done
fi
# shellcheck disable=SC2086
cmake --build "$build" -j2 --target $targets

# Runs one target; everything it prints goes to $build/$target.report. Fails when the target
# crashed.
fuzz_one() {
  target="$1"
  corpus="$build/corpus/$target"
  work="$build/work/$target"  # with -jobs, libFuzzer writes fuzz-<n>.log to its working directory
  report="$build/$target.report"
  crashed=0
  mkdir -p "$corpus" "$work" "$build/artifacts/$target"
  cp -n "$root/tests/fuzz/corpus/$target/"* "$corpus/" 2>/dev/null || true
  echo "== $target: $seconds s, seed $seed" >"$report"
  if ! (cd "$work" && "$build/tests/fuzz/$target" "$corpus" -max_total_time="$seconds" -seed="$seed" \
      -jobs="$jobs" -workers="$jobs" -artifact_prefix="$build/artifacts/$target/" \
      -print_final_stats=1 2>"$build/$target.log"); then
    crashed=1
    {
      echo "   CRASH: see $build/$target.log and $build/artifacts/$target/"
      # CI keeps only what is printed: the sanitizer's report and each crashing input, in base64,
      # so that the crash can be replayed (base64 -d > input; <target> input).
      for log in "$build/$target.log" "$work"/fuzz-*.log; do
        [ -f "$log" ] && sed -n '/==ERROR\|runtime error\|deadly signal\|Test unit written/,$p' "$log" | head -60
      done
      for input in "$build/artifacts/$target/"*; do
        [ -f "$input" ] || continue
        echo "   input $(basename "$input"), base64:"
        base64 -w 0 "$input" | head -c 24000
        echo
      done
    } >>"$report"
  fi
  rm -f "$work"/fuzz-*.log
  grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|cov:" "$build/$target.log" | tail -2 \
    >>"$report" || true
  return "$crashed"
}

status=0
round=""  # pid:target of each run in this round, in the order started
in_round=0
# Waits for the round's runs in order, printing each report and noting any crash.
finish_round() {
  for run in $round; do
    if ! wait "${run%%:*}"; then status=1; fi
    cat "$build/${run#*:}.report"
  done
  round=""
  in_round=0
}
for target in $targets; do
  fuzz_one "$target" &
  round="$round $!:$target"
  in_round=$((in_round + 1))
  if [ "$in_round" -ge "$parallel" ]; then finish_round; fi
done
finish_round
exit $status

#!/usr/bin/env bash
# Profiles the bot and the floor side by side during one part of the benchmark suite:
#   bash benches/profile/record.sh asks|threads [out-dir]
# then attributes the samples:  python3 benches/profile/attribute.py out-dir/bot.txt out-dir/floor.txt
# Needs `perf` (linux-perf). Not run by CI: the figures it gives are quoted in benches/notes.md.
set -euo pipefail
part="${1:?usage: record.sh asks|threads [out-dir]}"
# A relative out-dir given is taken from where the script was called; the default
# is under the repository root, where the README's attribute.py command looks.
out="${2:-}"
case "$out" in "" | /*) ;; *) out="$PWD/$out" ;; esac
cd "$(dirname "$0")/../.."
out="${out:-$PWD/target/profile}"
mkdir -p "$out"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/interview-coach-target}"
cargo bench --bench bot --no-run >/dev/null 2>&1
cargo bench --bench bot -- --only "$part" --no-write >"$out/run.log" 2>&1 &
suite=$!
bot="" floor=""
# Both processes are started by the suite; the floor is the suite's own executable with
# IC_BENCH_FLOOR in its environment.
for _ in $(seq 1 2400); do
  bot=$(pgrep -x interview-coach | head -1 || true)
  for p in $(pgrep -f "deps/bot-" || true); do
    if grep -q IC_BENCH_FLOOR "/proc/$p/environ" 2>/dev/null; then floor=$p; fi
  done
  [ -n "$bot" ] && [ -n "$floor" ] && break
  sleep 0.05
done
if [ -z "$bot" ] || [ -z "$floor" ]; then
  echo "record.sh: the bot or the floor did not start; see $out/run.log" >&2
  exit 1
fi
perf record -F 500 --call-graph dwarf,16384 -o "$out/bot.data" -p "$bot" >/dev/null 2>&1 &
perf record -F 500 --call-graph dwarf,16384 -o "$out/floor.data" -p "$floor" >/dev/null 2>&1 &
wait "$suite"
wait
for who in bot floor; do
  perf script -i "$out/$who.data" -F comm,ip,sym 2>/dev/null >"$out/$who.txt"
done
# The burst rows of the part that ran.
grep -E '^\| (/ask burst|thread replies \()|^\|  +\| interview-coach \| [0-9]' "$out/run.log" |
  grep -v '| 0 | 0 |' || true
echo "samples in $out/bot.txt and $out/floor.txt"

#!/usr/bin/env bash
# The sweep's engines side by side on one plan: the local engine (--jobs 2) and Spark's embedded
# local[2], the same 12 settings x 2 seeds (24 lenet300 trainings on Fashion-MNIST), ROUNDS rounds
# alternating local, spark. Reports each wall time, Spark's overhead against the local engine, and
# checks that both gave the same result columns. Writes bench/results/sweep-engines.json.
#   bench/sweep-engines.sh [ROUNDS] [TRAIN_LIMIT] [EPOCHS]     (defaults 2, 20000, 2: about 8 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-2}"; limit="${2:-20000}"; epochs="${3:-2}"
./mvnw -q -B -DskipTests package
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
plan=(sweep -q --model lenet300 --penalties l1,l0,tl1 --thresholds 0.02,0.05,0.1 --prune-sparsities 0.5,0.9
      --seeds 1,2 --epochs "$epochs" --train-limit "$limit")
columns() { # name, status, sparsity, test accuracies: the result columns, without timings
  awk -F, 'NR > 1 { print $1, $9, $10, $11, $12 }' "$1/sweep.csv"; }
times_local=(); times_spark=()
for r in $(seq 1 "$rounds"); do
  for engine in local spark; do
    out="$work/$engine-$r"
    if [ "$engine" = local ]; then extra=(--engine local --jobs 2); else extra=(--engine spark --master 'local[2]'); fi
    start=$(date +%s.%N)
    java -jar spark/target/rvsm-spark.jar "${plan[@]}" "${extra[@]}" --out "$out" 2>/dev/null >/dev/null
    end=$(date +%s.%N)
    t=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
    echo "round $r $engine: $t s ($(grep -c ',completed,' "$out/sweep.csv") runs completed)"
    if [ "$engine" = local ]; then times_local+=("$t"); else times_spark+=("$t"); fi
  done
  cmp <(columns "$work/local-$r") <(columns "$work/spark-$r") >/dev/null \
    || { echo "sweep-engines: round $r: the engines' results differ" >&2; exit 1; }
done
sum() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.2f", s }'; }
tl=$(sum "${times_local[@]}"); ts=$(sum "${times_spark[@]}")
overhead=$(awk -v l="$tl" -v s="$ts" 'BEGIN { printf "%.2f", 100 * (s - l) / l }')
cpuinfo() { sed -n "s/^$1[[:space:]]*: //p" /proc/cpuinfo | head -1; }
cpu="$(cpuinfo 'model name'), family $(cpuinfo 'cpu family') model $(cpuinfo 'model')"
printf 'local engine %.1f s, spark local[2] %.1f s over %d rounds: Spark overhead %+.1f%% (results identical)\n' \
  "$tl" "$ts" "$rounds" "$overhead"
mkdir -p bench/results
cat > bench/results/sweep-engines.json <<JSON
{
  "cpu": "$cpu ($(nproc) cores)",
  "plan": "lenet300, 12 settings x 2 seeds = 24 runs, $epochs epochs, --train-limit $limit",
  "rounds": $rounds,
  "local_seconds": [$(IFS=,; echo "${times_local[*]}")],
  "spark_seconds": [$(IFS=,; echo "${times_spark[*]}")],
  "spark_overhead_percent": $(printf '%.2f' "$overhead"),
  "results_identical": true
}
JSON

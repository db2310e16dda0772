#!/usr/bin/env bash
# Builds the benchmarks (never built by the test command) and records their results in bench/results/.
#   bench/run.sh            all: JMH prox + gradient (with -prof gc) + sparse runtime + RVSM step, and the numpy side-by-side
#   bench/run.sh jmh        JMH only
#   bench/run.sh epoch      RVSM vs dense SGD time per epoch on lenet300 (not part of "all")
#   bench/run.sh epoch20    Tl1 vs dense SGD over 20-epoch trainings, two rounds (about 6 minutes)
#   bench/run.sh optimizer  an epoch of EasyTrain.fit with RvsmOptimizer (l1, l0) vs DJL's Sgd with momentum,
#                           side by side on lenet300, three rounds (not part of "all")
#   bench/run.sh infer [MODEL] [RUNS]
#                           bench-infer RUNS times (default 8) on MODEL (default runs/l300/model.safetensors,
#                           from ./rvsm train --model lenet300 --out runs/l300), one JSON per run in
#                           bench/results/infer-runs/ (earlier runs removed), then each run's speedups and how
#                           many met the targets
#   bench/run.sh numpy      the side-by-side only ($PYTHON, default python3, needs numpy:
#                           apt-get install python3-numpy)
#   bench/run.sh torch [ROUNDS]
#                           Tl1's float prox side by side with PyTorch and numpy on the same 1M floats, one
#                           thread, in each regime (Tl1VsTorch; not part of "all"): needs torch and numpy
#                           (apt-get install python3-torch); $PYTHON, else the first python3 that imports torch
#   bench/run.sh regimes [JVMS]
#                           Tl1's float prox in its four regimes, last round of each of JVMS fresh JVMs
#                           (default 8), with a control loop: tells slow compiled code from a slow machine
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
if [ "$what" = infer ]; then   # the engine side by side with the sparse runtime, several runs (about 20 s each)
  model="${2:-runs/l300/model.safetensors}"
  runs="${3:-8}"
  [ -f "$model" ] || { echo "bench/run.sh infer: no model $model (train one: ./rvsm train --model lenet300 --out runs/l300)" >&2; exit 1; }
  mkdir -p bench/results/infer-runs
  rm -f bench/results/infer-runs/run-*.json   # only this set's runs, none left over from a longer one
  printf '%-4s %14s %14s %16s %16s\n' run speedup_b1 paired_b1 speedup_b256 paired_b256
  met1=0; met256=0
  for i in $(seq 1 "$runs"); do
    out="bench/results/infer-runs/run-$i.json"
    ./rvsm bench-infer --model "$model" --json "$out" >/dev/null 2>&1
    get() { sed -n "s/^ *\"$1\" : \([0-9.eE+-]*\),\{0,1\}$/\1/p" "$out"; }
    b1=$(get speedup_batch1); p1=$(get speedup_batch1_paired); b256=$(get speedup_batch256); p256=$(get speedup_batch256_paired)
    printf '%-4s %14.2f %14.2f %16.2f %16.2f\n' "$i" "$b1" "$p1" "$b256" "$p256"
    met1=$((met1 + $(awk -v x="$b1" 'BEGIN{print (x >= 5) ? 1 : 0}')))
    met256=$((met256 + $(awk -v x="$b256" 'BEGIN{print (x >= 1.5) ? 1 : 0}')))
  done
  echo "batch 1 at least 5x in $met1 of $runs runs; batch 256 at least 1.5x in $met256 of $runs runs"
  exit 0
fi
./mvnw -q -B -Pbench -pl bench -am package -DskipTests
mkdir -p bench/results
if [ "$what" = all ] || [ "$what" = jmh ]; then
  java -jar bench/target/benchmarks.jar ProxBenchmark -prof gc -rf json -rff bench/results/prox.json \
    | tee bench/results/prox.txt
  java -jar bench/target/benchmarks.jar GradientBenchmark -prof gc -rf json -rff bench/results/gradient.json \
    | tee bench/results/gradient.txt
  java -jar bench/target/benchmarks.jar SparseRuntimeBenchmark -rf json -rff bench/results/sparse-runtime.json \
    | tee bench/results/sparse-runtime.txt
  java -jar bench/target/benchmarks.jar SplitStepBenchmark -rf json -rff bench/results/split-step.json \
    | tee bench/results/split-step.txt
fi
if [ "$what" = all ] || [ "$what" = numpy ]; then
  java -Xmx6g -cp bench/target/benchmarks.jar org.rvsm.bench.GradientVsNumpy bench/results/gradient-vs-numpy.json
fi
if [ "$what" = torch ]; then   # Tl1 against the PyTorch and numpy peers (bench/torch_tl1.py)
  if [ -z "${PYTHON:-}" ]; then
    for candidate in python3 /usr/bin/python3; do
      if "$candidate" -c 'import torch, numpy' 2>/dev/null; then PYTHON="$candidate"; break; fi
    done
  fi
  [ -n "${PYTHON:-}" ] || { echo "bench/run.sh torch: no python3 imports torch and numpy (set \$PYTHON)" >&2; exit 1; }
  PYTHON="$PYTHON" java -cp bench/target/benchmarks.jar org.rvsm.bench.Tl1VsTorch bench/results/tl1-vs-torch.json \
    $((1 << 20)) "${2:-3}" 20
fi
if [ "$what" = regimes ]; then # one line per fresh JVM (docs/performance.md, "One compilation, too many loops")
  for i in $(seq 1 "${2:-8}"); do
    java -cp bench/target/benchmarks.jar org.rvsm.bench.Tl1Regimes 3 | tail -1
  done
fi
if [ "$what" = epoch ]; then   # bench/run.sh epoch: RVSM's time per epoch over dense SGD (needs dataset-fashion-mnist)
  java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead bench/results/epoch-overhead.json lenet300 5 3
fi
if [ "$what" = optimizer ]; then # RvsmOptimizer vs DJL's Sgd through EasyTrain, same model, data and order
  java -cp bench/target/benchmarks.jar org.rvsm.bench.OptimizerOverhead bench/results/optimizer-overhead.json \
    lenet300 3 2
fi
if [ "$what" = epoch20 ]; then # the mean over a whole (20-epoch) training, first epoch included
  java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead bench/results/epoch-overhead-20epochs.json \
    lenet300 2 20 rvsm-tl1
fi

#!/usr/bin/env bash
# Builds the benchmarks (never built by the test command) and records their results in bench/results/.
#   bench/run.sh            all: JMH prox + gradient (with -prof gc) + sparse runtime + RVSM step, and the numpy side-by-side
#   bench/run.sh jmh        JMH only
#   bench/run.sh epoch      RVSM vs dense SGD time per epoch on lenet300 (not part of "all")
#   bench/run.sh epoch20    Tl1 vs dense SGD over 20-epoch trainings, two rounds (about 6 minutes)
#   bench/run.sh numpy      the side-by-side only ($PYTHON, default python3, needs numpy:
#                           apt-get install python3-numpy)
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-all}"
mvn -q -B -Pbench -pl bench -am package -DskipTests
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
if [ "$what" = epoch ]; then   # bench/run.sh epoch: RVSM's time per epoch over dense SGD (needs dataset-fashion-mnist)
  java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead bench/results/epoch-overhead.json lenet300 5 3
fi
if [ "$what" = epoch20 ]; then # the mean over a whole (20-epoch) training, first epoch included
  java -cp bench/target/benchmarks.jar org.rvsm.bench.EpochOverhead bench/results/epoch-overhead-20epochs.json \
    lenet300 2 20 rvsm-tl1
fi

#!/usr/bin/env bash
# Runs every benchmark against a build folder and prints its figures; never fails for slowness.
set -uo pipefail
build=${1:-build/release}
root=$(cd "$(dirname "$0")/../.." && pwd)
archive=${CIFAR_ARCHIVE:-$root/../shared/data/cifar10-jpg.tar.gz}
work=${BENCH_DIR:-$root/build/bench-data}
mkdir -p "$work"
out="$work/results.txt"
: > "$out"

echo "== machine: $(nproc) cores, $(free -g | awk '/Mem:/ {print $2}') GiB" | tee -a "$out"
if [ -f "$archive" ]; then
  # Remove the previous project first and let its pages reach the disk, so that the kernel's
  # write-back does not compete with the import being measured.
  rm -rf "$work/cifar10-project"
  sync
  "$build/tests/bench/import_bench" "$archive" "$work" "$work/cifar10-project" | tee -a "$out"
  QT_QPA_PLATFORM=offscreen "$build/tests/bench/firstscreen_bench" "$work/cifar10-project" | tee -a "$out"
  "$build/tests/bench/curation_bench" "$archive" "$work" | tee -a "$out"
  "$build/tests/bench/team_bench" "$work/cifar10-project" | tee -a "$out"
  # The fraction sweep takes about 25 minutes on 2 cores and the fine-tuning comparison about
  # 20; SKIP_SWEEP=1 leaves both out.
  if [ -z "${SKIP_SWEEP:-}" ]; then
    "$build/tests/bench/training_bench" sweep "$archive" "$work" "$work/cifar10-sweep.txt" | tee -a "$out"
    echo "results table written to $work/cifar10-sweep.txt (README.md quotes tests/bench/results/cifar10-sweep.txt)" | tee -a "$out"
    # Pretrained on five classes (25,000 images), fine-tuned on 1,000 of the other five: ~20 min.
    "$build/tests/bench/training_bench" finetune "$archive" "$work" "$work/cifar10-finetune.txt" | tee -a "$out"
    # Subset selection with error bars: clean and 30 %-noisy labels; full data, Random-Online,
    # CORDS's GLISTER and the default GLISTER at 10/30/50 %, 3 seeds each (about 3 hours on
    # 2 cores; SKIP_GLISTER=1 leaves it out). README.md quotes tests/bench/results/cifar10-glister.txt.
    if [ -z "${SKIP_GLISTER:-}" ]; then
      "$build/tests/bench/glister_bench" "$archive" "$work" "$work/cifar10-glister.txt" | grep -v "^    " | tee -a "$out"
    fi
  fi
else
  echo "CIFAR-10 archive not found at $archive: import benchmarks skipped" | tee -a "$out"
fi
# Tuning on the demo's images (6,000 training and 1,000 test images of Fashion-MNIST) with all
# their labels: 20 trials of successive halving (about 10 minutes).
if [ -z "${SKIP_SWEEP:-}" ] && [ -d /usr/share/datasets/fashion-mnist ]; then
  rm -rf "$work/fashion-tune"
  fashion=/usr/share/datasets/fashion-mnist
  names="T-shirt/top,Trouser,Pullover,Dress,Coat,Sandal,Shirt,Sneaker,Bag,Ankle boot"
  "$build/app/winnow-cli" init "$work/fashion-tune" > /dev/null &&
    "$build/app/winnow-cli" import "$work/fashion-tune" --idx "$fashion/train-images-idx3-ubyte.gz" \
      "$fashion/train-labels-idx1-ubyte.gz" --split train --limit 6000 --class-names "$names" > /dev/null &&
    "$build/app/winnow-cli" import "$work/fashion-tune" --idx "$fashion/t10k-images-idx3-ubyte.gz" \
      "$fashion/t10k-labels-idx1-ubyte.gz" --split test --limit 1000 --class-names "$names" > /dev/null &&
    "$build/app/winnow-cli" tune "$work/fashion-tune" --trials 20 --halving --epochs 9 --width 8 \
      --experiment "fashion tuning" 2>&1 | grep -E "^(trial|experiment|best)" | tee -a "$out"
fi
# The model in the loop on Fashion-MNIST (about 45 minutes): label errors by 5-fold cross-fitting
# among 1,000 planted flips, automated labeling checked against the true labels, and five rounds
# of active learning against random order.
if [ -z "${SKIP_SWEEP:-}" ] && [ -d /usr/share/datasets/fashion-mnist ]; then
  "$build/tests/bench/loop_bench" all "$work" | grep -v "^  [a-z]" | tee -a "$out"
fi
QT_QPA_PLATFORM=offscreen "$build/tests/bench/labeling_bench" | tee -a "$out"
"$build/tests/bench/consensus_bench" "$build/app/winnow-cli" | tee -a "$out"
"$build/tests/bench/training_bench" throughput 64 | tee -a "$out"
echo "figures written to $out"

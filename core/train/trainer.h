#pragma once

// Trains the CIFAR-form ResNet-18 on a project's label snapshot with the full, random or
// GLISTER-ONLINE strategy (GLISTER.md), storing every epoch, selection and checkpoint.
// Free of LibTorch: the implementation keeps it to one translation unit.

#include "core/train/runs.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <functional>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;

struct TrainEvents {
    std::function<void(qint64 runId, int startEpoch)> started;
    std::function<void(const EpochMetrics &)> epochDone;
    std::function<void(const QString &)> message; // warnings, selection rounds, image cache
    ProgressFn progress;                          // batches within an epoch, decoding
    const CancelToken *cancel = nullptr;          // checked between batches
};

struct RunOutcome {
    qint64 runId = 0;
    bool cancelled = false; // resumable from the last epoch's checkpoint
};

// Takes the label snapshot now, stores a new run and trains it to the end (or a cancel).
Result<RunOutcome> trainNewRun(Project &project, const TrainOptions &options,
                               const TrainEvents &events);
// Continues a cancelled or killed run from its last checkpoint, on the snapshot it began with.
// `threads` overrides the stored thread count (0 keeps it).
Result<RunOutcome> resumeRun(Project &project, qint64 runId, const TrainEvents &events,
                             int threads = 0);

// The model's parameters and buffers in the run's last checkpoint, flattened (for comparisons).
Result<std::vector<float>> checkpointWeights(Project &project, qint64 runId);

struct EmbeddingDuplicates {
    qint64 items = 0;    // embedded
    qint64 pairs = 0;    // at or above the similarity
    qint64 clusters = 0; // of two or more items
    qint64 flagged = 0;  // items in those clusters
};

// Near duplicates as a trained model sees them: every item of the project is embedded with the
// run's last checkpoint (the penultimate layer), and items whose embeddings have a cosine
// similarity of at least `minSimilarity` are grouped into clusters and stored as
// 'embedding-duplicate' flags (replacing earlier ones).
Result<EmbeddingDuplicates> flagEmbeddingDuplicates(Project &project, qint64 runId,
                                                    double minSimilarity,
                                                    const ProgressFn &progress = {},
                                                    const CancelToken *cancel = nullptr);

struct Throughput {
    double imagesPerSecond = 0;
    double gflopsPerSecond = 0; // training (3x the forward multiply-adds x 2)
    double forwardGflop = 0;    // per image
    double lossAfter = 0;       // sanity: finite
};

// Times training steps of the ResNet-18 on random data of the given shape.
Result<Throughput> measureThroughput(int width, int batchSize, int channels, int size, int steps,
                                     bool channelsLast, bool bfloat16, int threads);

// Whether this CPU runs bfloat16 natively (AVX512-BF16 or AMX), so autocast can help.
bool cpuHasBFloat16();

} // namespace winnow::core

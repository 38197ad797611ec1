#pragma once

// Hyper-parameter tuning: random search, or successive halving, over the learning rate, weight
// decay, momentum and batch size, each trial a stored run of an experiment of its own; the best
// trial by a chosen metric is tagged "best". Free of LibTorch.

#include "core/train/trainer.h"

#include <QString>
#include <functional>
#include <optional>
#include <vector>

namespace winnow::core {

// A range sampled uniformly (on a log scale when `log`), or a list of values taken in turn.
struct TuneDimension {
    double low = 0, high = 0;
    bool log = false;
    std::vector<double> choices; // when set, the range is ignored

    // "0.01:0.3" (a range), "64,128,256" (choices) or "0.05" (one value).
    static std::optional<TuneDimension> parse(const QString &text, bool log);
};

struct TuneOptions {
    TrainOptions base; // everything not tuned, and the epochs of a full trial
    TuneDimension learningRate{0.01, 0.3, true, {}};
    TuneDimension weightDecay{1e-5, 1e-3, true, {}};
    TuneDimension momentum{0.8, 0.95, false, {}};
    TuneDimension batchSize{0, 0, false, {64, 128, 256}};
    int trials = 20;
    double minutes = 0;   // stop starting trials after this long (0: no limit)
    bool halving = false; // successive halving: thirds kept at 1/9, 1/3 and all the epochs
    QString metric = QStringLiteral("val_accuracy.max");
    std::uint64_t seed = 1;
};

struct TuneTrial {
    qint64 runId = 0;
    TrainOptions options;
    std::optional<double> value; // of the metric
};

struct TuneResult {
    QString experiment;
    std::vector<TuneTrial> trials; // in the order they ran
    std::optional<TuneTrial> best;
};

// Runs the trials (all in `options.base.experiment`, named "tune <time>" when empty), then tags
// the best run "best" with a note of what it beat. `trialDone` hears of each trial.
Result<TuneResult> tune(Project &project, const TuneOptions &options, const TrainEvents &events,
                        const std::function<void(const TuneTrial &)> &trialDone = {});

} // namespace winnow::core

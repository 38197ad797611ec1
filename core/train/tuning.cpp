#include "core/train/tuning.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <algorithm>
#include <cmath>
#include <random>

namespace winnow::core {
namespace {

double draw(const TuneDimension &d, int trial, std::mt19937_64 &random,
            const std::vector<size_t> &order) {
    if (!d.choices.empty())
        return d.choices[order[size_t(trial) % order.size()]];
    std::uniform_real_distribution<double> unit(0, 1);
    const double u = unit(random);
    if (d.log)
        return std::exp(std::log(d.low) + u * (std::log(d.high) - std::log(d.low)));
    return d.low + u * (d.high - d.low);
}

// The choices of a dimension in a shuffled order, so that trials cover each before repeating.
std::vector<size_t> shuffledChoices(const TuneDimension &d, std::mt19937_64 &random) {
    std::vector<size_t> order(std::max<size_t>(1, d.choices.size()));
    for (size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::shuffle(order.begin(), order.end(), random);
    return order;
}

std::vector<TrainOptions> sampleConfigurations(const TuneOptions &o) {
    std::mt19937_64 random(o.seed);
    const auto lrOrder = shuffledChoices(o.learningRate, random);
    const auto wdOrder = shuffledChoices(o.weightDecay, random);
    const auto momentumOrder = shuffledChoices(o.momentum, random);
    const auto batchOrder = shuffledChoices(o.batchSize, random);
    std::vector<TrainOptions> configurations;
    for (int t = 0; t < o.trials; ++t) {
        TrainOptions c = o.base;
        c.learningRate = draw(o.learningRate, t, random, lrOrder);
        c.weightDecay = draw(o.weightDecay, t, random, wdOrder);
        c.momentum = draw(o.momentum, t, random, momentumOrder);
        c.batchSize = std::max(1, int(std::lround(draw(o.batchSize, t, random, batchOrder))));
        configurations.push_back(c);
    }
    return configurations;
}

bool better(const std::optional<double> &a, const std::optional<double> &b, bool higher) {
    if (!a || !b)
        return a.has_value() && !b.has_value();
    return higher ? *a > *b : *a < *b;
}

} // namespace

std::optional<TuneDimension> TuneDimension::parse(const QString &text, bool log) {
    TuneDimension d;
    d.log = log;
    bool ok = true;
    if (text.contains(QLatin1Char(':'))) {
        const QStringList ends = text.split(QLatin1Char(':'));
        bool lowOk = false, highOk = false;
        d.low = ends.value(0).toDouble(&lowOk);
        d.high = ends.value(1).toDouble(&highOk);
        if (ends.size() != 2 || !lowOk || !highOk || !(d.low < d.high) || (log && d.low <= 0) ||
            d.low < 0)
            return std::nullopt;
        return d;
    }
    for (const QString &value : text.split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        d.choices.push_back(value.toDouble(&ok));
        if (!ok || d.choices.back() < 0)
            return std::nullopt;
    }
    if (d.choices.empty())
        return std::nullopt;
    return d;
}

Result<TuneResult> tune(Project &project, const TuneOptions &options, const TrainEvents &events,
                        const std::function<void(const TuneTrial &)> &trialDone) {
    if (options.trials < 1)
        return Error{QStringLiteral("tuning needs at least one trial")};
    if (!runMetricNames().contains(options.metric))
        return Error{QStringLiteral("cannot rank trials by '%1'").arg(options.metric)};
    TuneResult result;
    result.experiment = options.base.experiment.isEmpty()
                            ? QStringLiteral("tune %1").arg(QDateTime::currentDateTime().toString(
                                  QStringLiteral("yyyy-MM-dd hh:mm:ss")))
                            : options.base.experiment;
    const bool higher = higherIsBetter(options.metric);
    QElapsedTimer clock;
    clock.start();
    const auto outOfTime = [&] {
        return options.minutes > 0 && double(clock.elapsed()) / 60000.0 >= options.minutes;
    };
    const auto runTrial = [&](TrainOptions trial) -> Result<TuneTrial> {
        trial.experiment = result.experiment;
        const auto outcome = trainNewRun(project, trial, events);
        if (!outcome)
            return outcome.error();
        const auto run = findRun(project, outcome->runId);
        const auto epochs = runEpochs(project, outcome->runId);
        if (!run || !epochs)
            return Error{run ? epochs.error().message : run.error().message};
        TuneTrial done{outcome->runId, run->options, runMetric(*run, options.metric, *epochs)};
        result.trials.push_back(done);
        if (trialDone)
            trialDone(done);
        if (outcome->cancelled)
            return Error{QStringLiteral("tuning cancelled during run %1").arg(outcome->runId)};
        return done;
    };

    std::vector<TrainOptions> rung = sampleConfigurations(options);
    // Successive halving trains everyone briefly, then the best third longer, and so on.
    const std::vector<int> epochs =
        options.halving
            ? std::vector<int>{std::max(1, options.base.epochs / 9),
                               std::max(1, options.base.epochs / 3), options.base.epochs}
            : std::vector<int>{options.base.epochs};
    for (size_t level = 0; level < epochs.size() && !rung.empty(); ++level) {
        std::vector<TuneTrial> finished;
        for (TrainOptions trial : rung) {
            if (outOfTime())
                break;
            trial.epochs = epochs[level];
            const auto done = runTrial(trial);
            if (!done)
                return done.error();
            finished.push_back(*done);
        }
        std::stable_sort(finished.begin(), finished.end(),
                         [&](const TuneTrial &a, const TuneTrial &b) {
                             return better(a.value, b.value, higher);
                         });
        rung.clear();
        const size_t keep = std::max<size_t>(1, finished.size() / 3);
        for (size_t i = 0; i < finished.size() && i < keep; ++i) {
            TrainOptions next = finished[i].options;
            next.experiment.clear();
            rung.push_back(next);
        }
        if (outOfTime())
            break;
    }
    for (const TuneTrial &trial : result.trials) // the longest-trained trials decide
        if (trial.options.epochs == result.trials.back().options.epochs &&
            (!result.best || better(trial.value, result.best->value, higher)))
            result.best = trial;
    if (result.best) {
        const auto marked = describeRun(project, result.best->runId, result.experiment,
                                        QStringLiteral("best of %1 configurations (%2 runs) by %3")
                                            .arg(options.trials)
                                            .arg(result.trials.size())
                                            .arg(options.metric),
                                        {QStringLiteral("best")});
        if (!marked)
            return marked.error();
    }
    return result;
}

} // namespace winnow::core

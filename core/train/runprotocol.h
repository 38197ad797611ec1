#pragma once

// How a training run talks to whoever drives it: its options as `winnow-cli train` arguments,
// and its progress as JSON lines on standard output. The CLI writes both, the Train tab reads
// them; this is the one place that knows their names. Free of LibTorch.

#include "core/train/runs.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QCommandLineOption>
#include <QList>
#include <QString>
#include <QStringList>

class QCommandLineParser;

namespace winnow::core {

// The options of `train` and `sweep`, with their defaults taken from TrainOptions{}.
QList<QCommandLineOption> trainCommandLineOptions();
// Reads those options back; the error names the option and the value it cannot use.
Result<TrainOptions> trainOptionsFromCommandLine(const QCommandLineParser &parser);
// Arguments after `train DIR` that reproduce `options` exactly, JSON lines on.
QStringList trainArguments(const TrainOptions &options);

// One line of a run's JSON output.
struct RunEvent {
    enum class Kind { Started, Progress, Epoch, Other };
    Kind kind = Kind::Other;
    qint64 runId = 0;
    int startEpoch = 0;         // Started
    qint64 done = 0, total = 0; // Progress
    QString stage;              // Progress
    EpochMetrics metrics;       // Epoch
};

QByteArray runStartedLine(qint64 runId, int startEpoch);
QByteArray progressLine(qint64 done, qint64 total, const QString &stage);
QByteArray epochLine(qint64 runId, const EpochMetrics &metrics);
RunEvent parseRunEvent(const QByteArray &line);

} // namespace winnow::core

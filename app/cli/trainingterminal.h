#pragma once

// What the commands that train share on the terminal: their options, Ctrl+C, the printed
// progress of runs and the outcome. Only in winnow-train (the build with LibTorch).

#ifndef WINNOW_CLI_WITHOUT_TORCH

#include "core/store/project.h"
#include "core/train/trainer.h"

#include <QString>
#include <QTextStream>
#include <memory>
#include <optional>

class QCommandLineParser;

namespace winnow::cli {

// The options shared by the training commands; throws UsageError on nonsense.
core::TrainOptions trainOptions(const QCommandLineParser &parser);

// Ctrl+C (or SIGTERM) while a scope lives stops training between batches; the run stays
// resumable.
struct InterruptScope {
    InterruptScope();
    ~InterruptScope();
    InterruptScope(const InterruptScope &) = delete;
    InterruptScope &operator=(const InterruptScope &) = delete;
    void (*m_previous)(int) = nullptr;
    void (*m_previousTerm)(int) = nullptr;
};

QString optionalText(const std::optional<double> &value, int decimals = 4);

// Prints a run's start (--json), epochs and messages; `runId` follows the run being trained.
core::TrainEvents printingEvents(bool json, QTextStream &out, QTextStream &err, qint64 &runId);

// A project opened for training, Ctrl+C armed, and the run's events printed to the terminal.
struct TrainingTerminal {
    TrainingTerminal(const QString &dir, const QCommandLineParser &parser, QTextStream &out,
                     QTextStream &err);

    std::unique_ptr<core::Project> project;
    const InterruptScope interrupt;
    qint64 runId = 0;
    core::TrainEvents events; // prints with runId
};

// Prints the outcome of one run; the exit code.
int reportRun(const core::Result<core::RunOutcome> &outcome, QTextStream &out, QTextStream &err);

} // namespace winnow::cli

#endif

#include "app/cli/trainingterminal.h"

#ifndef WINNOW_CLI_WITHOUT_TORCH

#include "app/cli/terminal.h"
#include "core/train/runprotocol.h"

#include <QCommandLineParser>
#include <csignal>

namespace winnow::cli {

using namespace winnow::core;

TrainOptions trainOptions(const QCommandLineParser &parser) {
    auto options = trainOptionsFromCommandLine(parser);
    if (!options)
        throw UsageError{options.error().message};
    return *options;
}

namespace {

// A signal handler can reach nothing but a global, so the token is one, set only while a run
// trains.
CancelToken g_interrupt;

void interruptTraining(int) {
    g_interrupt.cancel();
}

} // namespace

InterruptScope::InterruptScope() {
    g_interrupt.reset();
    m_previous = std::signal(SIGINT, interruptTraining);
    m_previousTerm = std::signal(SIGTERM, interruptTraining);
}

InterruptScope::~InterruptScope() {
    std::signal(SIGINT, m_previous);
    std::signal(SIGTERM, m_previousTerm);
}

QString optionalText(const std::optional<double> &value, int decimals) {
    return value ? QString::number(*value, 'f', decimals) : QStringLiteral("-");
}

TrainEvents printingEvents(bool json, QTextStream &out, QTextStream &err, qint64 &runId) {
    TrainEvents events;
    events.cancel = &g_interrupt;
    events.started = [json, &out, &runId](qint64 id, int start) {
        runId = id;
        if (json) // so that a program driving the CLI knows the run before its first epoch ends
            out << runStartedLine(id, start) << Qt::endl;
    };
    events.message = [&err](const QString &text) {
        if (isTerminal())
            err << '\r';
        err << text << Qt::endl;
    };
    if (json)
        events.progress = [&out](qint64 done, qint64 total, const QString &stage) {
            out << progressLine(done, total, stage) << Qt::endl;
        };
    else if (isTerminal())
        events.progress = [&err](qint64 done, qint64 total, const QString &stage) {
            err << QStringLiteral("\r%1: %2 / %3   ").arg(stage).arg(done).arg(total) << Qt::flush;
        };
    events.epochDone = [json, &out, &err, &runId](const EpochMetrics &m) {
        if (isTerminal())
            err << '\r' << QString(40, QLatin1Char(' ')) << '\r' << Qt::flush;
        if (json) {
            out << epochLine(runId, m) << Qt::endl;
            return;
        }
        out << QStringLiteral("epoch %1  loss %2  acc %3  val loss %4  val acc %5  test acc %6  %7 "
                              "s (selection %8 s)  subset %9  lr %10")
                   .arg(m.epoch, 3)
                   .arg(optionalText(m.trainLoss), optionalText(m.trainAccuracy),
                        optionalText(m.valLoss), optionalText(m.valAccuracy),
                        optionalText(m.testAccuracy))
                   .arg(m.epochSeconds, 0, 'f', 1)
                   .arg(m.selectionSeconds, 0, 'f', 1)
                   .arg(m.subsetSize)
                   .arg(m.learningRate, 0, 'f', 4)
            << Qt::endl;
    };
    return events;
}

TrainingTerminal::TrainingTerminal(const QString &dir, const QCommandLineParser &parser,
                                   QTextStream &out, QTextStream &err)
    : project(openProject(dir, err))
    , events(printingEvents(parser.isSet(QStringLiteral("json")), out, err, runId)) {
}

int reportRun(const Result<RunOutcome> &outcome, QTextStream &out, QTextStream &err) {
    if (!outcome)
        return fail(err, outcome.error());
    if (outcome->cancelled) {
        err << QStringLiteral(
                   "run %1 interrupted; continue it with: winnow-cli train DIR --resume %1")
                   .arg(outcome->runId)
            << Qt::endl;
        return kExitFailure;
    }
    out << QStringLiteral("run %1 finished").arg(outcome->runId) << Qt::endl;
    return kExitOk;
}

} // namespace winnow::cli

#endif

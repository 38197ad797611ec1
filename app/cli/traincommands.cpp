// train, sweep and runs: training ResNet-18 runs and comparing them.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "core/io/csvreader.h"
#include "core/label/labelsource.h"
#include "core/store/project.h"
#include "core/train/modelexport.h"
#include "core/train/runprotocol.h"
#include "core/train/trainer.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <algorithm>
#include <csignal>

namespace winnow::cli {
namespace {

using namespace winnow::core;

// --price: US dollars per core-hour for the cost column.
double pricePerCoreHour(const QCommandLineParser &parser) {
    bool ok = false;
    const double price = parser.value(QStringLiteral("price")).toDouble(&ok);
    if (!ok || price < 0)
        throw UsageError{QStringLiteral("--price takes a non-negative number, not '%1'")
                             .arg(parser.value(QStringLiteral("price")))};
    return price;
}

QCommandLineOption priceOption() {
    return {QStringLiteral("price"),
            QStringLiteral("US dollars per core-hour of processor time, for the cost column"),
            QStringLiteral("USD"), QString::number(kDefaultPricePerCoreHour)};
}

#ifdef WINNOW_CLI_WITHOUT_TORCH
int cmdTrain(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

int cmdSweep(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

int cmdExportModel(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

int cmdPredict(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}
#else
// The options shared by train and sweep; throws UsageError on nonsense.
TrainOptions trainOptions(const QCommandLineParser &parser) {
    auto options = trainOptionsFromCommandLine(parser);
    if (!options)
        throw UsageError{options.error().message};
    return *options;
}

// Ctrl+C (or SIGTERM) during training stops between batches; the run stays resumable. A signal
// handler can reach nothing but a global, so the token is one, set only while a run trains.
CancelToken g_interrupt;

void interruptTraining(int) {
    g_interrupt.cancel();
}

struct InterruptScope {
    InterruptScope() {
        g_interrupt.reset();
        m_previous = std::signal(SIGINT, interruptTraining);
        m_previousTerm = std::signal(SIGTERM, interruptTraining);
    }
    ~InterruptScope() {
        std::signal(SIGINT, m_previous);
        std::signal(SIGTERM, m_previousTerm);
    }
    void (*m_previous)(int) = nullptr;
    void (*m_previousTerm)(int) = nullptr;
};

QString optionalText(const std::optional<double> &value, int decimals = 4) {
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

// A project opened for training, Ctrl+C armed, and the run's events printed to the terminal.
struct TrainingTerminal {
    TrainingTerminal(const QString &dir, const QCommandLineParser &parser, QTextStream &out,
                     QTextStream &err)
        : project(openProject(dir, err))
        , events(printingEvents(parser.isSet(QStringLiteral("json")), out, err, runId)) {}

    std::unique_ptr<Project> project;
    const InterruptScope interrupt;
    qint64 runId = 0;
    TrainEvents events; // prints with runId
};

// Prints the outcome of one run; the exit code.
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

int cmdTrain(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool resume = parser.isSet(QStringLiteral("resume"));
    const TrainOptions options =
        resume ? TrainOptions{} : trainOptions(parser); // usage errors before the project opens
    TrainingTerminal session(dir, parser, out, err);
    if (!session.project)
        return kExitFailure;
    Project &project = *session.project;
    const TrainEvents &events = session.events;
    if (resume) {
        bool ok = false;
        const qint64 id = parser.value(QStringLiteral("resume")).toLongLong(&ok);
        if (!ok)
            throw UsageError{QStringLiteral("--resume needs a run number")};
        return reportRun(
            resumeRun(project, id, events, parser.value(QStringLiteral("threads")).toInt()), out,
            err);
    }
    return reportRun(trainNewRun(project, options, events), out, err);
}

int cmdSweep(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    TrainOptions base = trainOptions(parser);
    const double price = pricePerCoreHour(parser);
    std::vector<double> fractions;
    for (const QString &text :
         parser.value(QStringLiteral("fractions")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        fractions.push_back(text.toDouble(&ok));
        if (!ok || !(fractions.back() > 0 && fractions.back() < 1))
            throw UsageError{
                QStringLiteral("--fractions takes numbers in (0, 1), not '%1'").arg(text)};
    }
    std::vector<Strategy> strategies;
    for (const QString &text :
         parser.value(QStringLiteral("strategies")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto strategy = parseStrategy(text.trimmed());
        if (!strategy || *strategy == Strategy::Full)
            throw UsageError{
                QStringLiteral(
                    "--strategies takes glister and random, not '%1' (full always runs once)")
                    .arg(text)};
        strategies.push_back(*strategy);
    }
    TrainingTerminal session(dir, parser, out, err);
    if (!session.project)
        return kExitFailure;
    Project &project = *session.project;
    const TrainEvents &events = session.events;
    // Every run of the sweep trains on the same labels, whatever is marked current meanwhile.
    const auto source = fixedLabelSource(project, base.labels);
    if (!source)
        return fail(err, source.error());
    base.labels = source->spec();
    err << "labels: " << describeLabelSource(project, *source) << Qt::endl;
    std::vector<RunRecord> done;
    for (const TrainOptions &options : sweepPlan(base, strategies, fractions)) {
        err << QStringLiteral("== %1 at fraction %2, %3 epochs")
                   .arg(strategyName(options.strategy))
                   .arg(options.fraction)
                   .arg(options.epochs)
            << Qt::endl;
        const auto outcome = trainNewRun(project, options, events);
        if (const int code = reportRun(outcome, out, err); code != kExitOk)
            return code;
        auto record = findRun(project, outcome->runId);
        if (!record)
            return fail(err, record.error());
        done.push_back(*record);
    }
    const QString table = resultsTable(done, &done.front(), price);
    out << Qt::endl << table << Qt::flush;
    if (parser.isSet(QStringLiteral("out")) &&
        !saveFile(parser.value(QStringLiteral("out")), table.toUtf8(), err))
        return kExitFailure;
    if (parser.isSet(QStringLiteral("csv")) &&
        !saveFile(parser.value(QStringLiteral("csv")), runsCsv(done, price).toUtf8(), err))
        return kExitFailure;
    return kExitOk;
}

int cmdExportModel(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                   QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    bool ok = false;
    const qint64 runId = parser.value(QStringLiteral("run")).toLongLong(&ok);
    if (!ok || !parser.isSet(QStringLiteral("out")))
        throw UsageError{QStringLiteral("export-model needs --run RUN and --out FILE")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const QString path = parser.value(QStringLiteral("out"));
    const auto exported = exportModel(*project, runId, path, terminalProgress(err));
    if (!exported)
        return fail(err, exported.error());
    endProgress(err);
    out << QStringLiteral("run %1 written to %2: TorchScript, %3x%4x%5 input, classes %6")
               .arg(runId)
               .arg(path)
               .arg(exported->channels)
               .arg(exported->height)
               .arg(exported->width)
               .arg(exported->classNames.join(QStringLiteral(", ")))
        << Qt::endl;
    return kExitOk;
}

int cmdPredict(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool fromModel = parser.isSet(QStringLiteral("model"));
    if (fromModel == parser.isSet(QStringLiteral("run")))
        throw UsageError{QStringLiteral("predict needs --model FILE or --run RUN")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const auto predictions =
        fromModel ? predictWithModel(*project, parser.value(QStringLiteral("model")),
                                     terminalProgress(err))
                  : predictWithRun(*project, parser.value(QStringLiteral("run")).toLongLong(),
                                   terminalProgress(err));
    if (!predictions)
        return fail(err, predictions.error());
    endProgress(err);
    QString csv = QStringLiteral("item,path,predicted,confidence\n");
    for (const Prediction &p : *predictions)
        csv += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(p.itemId)
                   .arg(CsvReader::quote(p.path), CsvReader::quote(p.className))
                   .arg(p.confidence, 0, 'f', 4);
    if (!parser.isSet(QStringLiteral("out"))) {
        out << csv << Qt::flush;
        return kExitOk;
    }
    if (!saveFile(parser.value(QStringLiteral("out")), csv.toUtf8(), err))
        return kExitFailure;
    out << predictions->size() << " predictions written to " << parser.value(QStringLiteral("out"))
        << Qt::endl;
    return kExitOk;
}
#endif

int cmdRuns(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const QString metric = parser.value(QStringLiteral("sort"));
    const double price = pricePerCoreHour(parser);
    if (parser.isSet(QStringLiteral("sort")) && !runMetricNames().contains(metric))
        throw UsageError{QStringLiteral("cannot sort by '%1'; one of: %2")
                             .arg(metric, runMetricNames().join(QStringLiteral(", ")))};
    auto project =
        openProject(dir, err); // read-write, so that an older project is brought up to date
    if (!project)
        return kExitFailure;
    auto runs = listRuns(*project);
    if (!runs)
        return fail(err, runs.error());
    if (parser.isSet(QStringLiteral("sort"))) {
        const bool higherFirst = metric.endsWith(QLatin1String("accuracy"));
        std::stable_sort(runs->begin(), runs->end(), [&](const RunRecord &a, const RunRecord &b) {
            const auto x = runMetric(a, metric), y = runMetric(b, metric);
            if (!x || !y)
                return x.has_value() && !y.has_value();
            return higherFirst ? *x > *y : *x < *y;
        });
    }
    if (parser.isSet(QStringLiteral("csv"))) {
        out << runsCsv(*runs, price) << Qt::flush;
        return kExitOk;
    }
    if (runs->empty()) {
        out << "no runs yet: start one with winnow-cli train " << dir << Qt::endl;
        return kExitOk;
    }
    out << resultsTable(*runs, price); // each run against the latest comparable full-data run
    for (const RunRecord &run : *runs)
        if (run.status != RunStatus::Finished)
            out << QStringLiteral("run %1 is %2%3")
                       .arg(run.id)
                       .arg(runStatusName(run.status),
                            run.error.isEmpty() ? QString() : QStringLiteral(": ") + run.error)
                << '\n';
    out << Qt::flush;
    return kExitOk;
}

} // namespace

void addTrainingCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("train"),
         {QStringLiteral("train DIR [--strategy full|random|glister] [--fraction F] [--epochs E] "
                         "[--select-every R] [--width W]\n"
                         "       [--seed S] [--threads T] [--json] [--kappa K] [--selection-type "
                         "T] [--greedy G] ...\n"
                         "       train DIR --resume RUN"),
          QStringLiteral(
              "train a ResNet-18 on the current labels (Ctrl+C stops; --resume continues)"),
          cmdTrain,
          [](QCommandLineParser &p) {
              p.addOptions(trainCommandLineOptions());
              p.addOption({QStringLiteral("resume"),
                           QStringLiteral("continue this run from its last checkpoint"),
                           QStringLiteral("RUN")});
          }}},
        {QStringLiteral("sweep"),
         {QStringLiteral("sweep DIR --fractions 0.1,0.3,0.5 --strategies glister,random --epochs E "
                         "[train options] [--out TABLE] [--csv FILE]"),
          QStringLiteral(
              "full-data baseline plus each strategy at each fraction, then the results table"),
          cmdSweep,
          [](QCommandLineParser &p) {
              p.addOptions(trainCommandLineOptions());
              p.addOptions({
                  {QStringLiteral("fractions"), QStringLiteral("comma-separated"),
                   QStringLiteral("F,F"), QStringLiteral("0.1,0.3,0.5")},
                  {QStringLiteral("strategies"), QStringLiteral("comma-separated: glister, random"),
                   QStringLiteral("S,S"), QStringLiteral("glister,random")},
                  {QStringLiteral("out"), QStringLiteral("write the results table here"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("csv"), QStringLiteral("write the runs as CSV here"),
                   QStringLiteral("FILE")},
                  priceOption(),
              });
          }}},
        {QStringLiteral("export-model"),
         {QStringLiteral("export-model DIR --run RUN --out MODEL.pt"),
          QStringLiteral("write a run's model as TorchScript (torch.jit.load in Python), with its "
                         "class names and input normalisation"),
          cmdExportModel,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("run"), QStringLiteral("the run"), QStringLiteral("RUN")},
                  {QStringLiteral("out"), QStringLiteral("the file to write"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("predict"),
         {QStringLiteral("predict DIR --model MODEL.pt|--run RUN [--out FILE.csv]"),
          QStringLiteral("the class and confidence an exported model or a run gives every image"),
          cmdPredict,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("model"), QStringLiteral("a model written by export-model"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("run"), QStringLiteral("a run's last checkpoint instead"),
                   QStringLiteral("RUN")},
                  {QStringLiteral("out"),
                   QStringLiteral("write item,path,predicted,confidence here (default: standard "
                                  "output)"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("runs"),
         {QStringLiteral("runs DIR [--sort METRIC] [--csv]"),
          QStringLiteral("list training runs with their parameters and results"), cmdRuns,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("sort"),
                   QStringLiteral("run, fraction, total_seconds, seconds_per_epoch, "
                                  "selection_seconds, best_val_accuracy or test_accuracy"),
                   QStringLiteral("METRIC")},
                  {QStringLiteral("csv"), QStringLiteral("CSV on standard output")},
                  priceOption(),
              });
          }}},
    });
}

} // namespace winnow::cli

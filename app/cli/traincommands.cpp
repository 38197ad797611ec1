// train, sweep, cv, tune, runs, metrics and describe-run: training ResNet-18 runs, studying
// and comparing them.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "app/cli/trainingterminal.h"
#include "core/label/labelsource.h"
#include "core/store/project.h"
#include "core/train/runprotocol.h"
#include "core/train/subsetreport.h"
#include "core/train/trainer.h"
#include "core/train/tuning.h"

#include <QCommandLineParser>
#include <QDateTime>
#include <QTextStream>
#include <algorithm>

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

int cmdTune(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

int cmdCrossValidate(QCommandLineParser &, const QStringList &, QTextStream &out,
                     QTextStream &err) {
    return runInTrainingProgram(out, err);
}
#else
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
    if (base.experiment.isEmpty()) // a sweep is an experiment of its own
        base.experiment =
            QStringLiteral("sweep %1")
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")));
    err << "experiment: " << base.experiment << Qt::endl;
    std::vector<TrainOptions> plan = sweepPlan(base, strategies, fractions);
    if (parser.isSet(QStringLiteral("fine-tune-from"))) { // the same runs again, fine-tuned
        const size_t scratch = plan.size();
        for (size_t i = 0; i < scratch; ++i) {
            TrainOptions tuned = plan[i];
            tuned.initFrom = parser.value(QStringLiteral("fine-tune-from"));
            plan.push_back(tuned);
        }
    }
    std::vector<RunRecord> done;
    for (const TrainOptions &options : plan) {
        err << QStringLiteral("== %1 at fraction %2, %3 epochs%4")
                   .arg(strategyName(options.strategy))
                   .arg(options.fraction)
                   .arg(options.epochs)
                   .arg(options.initFrom.isEmpty()
                            ? QString()
                            : QStringLiteral(", fine-tuned from %1").arg(options.initFrom))
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

int cmdCrossValidate(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                     QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    TrainOptions base = trainOptions(parser);
    bool ok = false;
    const int folds = parser.value(QStringLiteral("folds")).toInt(&ok);
    if (!ok || folds < 2)
        throw UsageError{QStringLiteral("--folds must be at least 2")};
    TrainingTerminal session(dir, parser, out, err);
    if (!session.project)
        return kExitFailure;
    Project &project = *session.project;
    const auto source = fixedLabelSource(project, base.labels);
    if (!source)
        return fail(err, source.error());
    base.labels = source->spec();
    if (base.experiment.isEmpty())
        base.experiment =
            QStringLiteral("cv %1 folds %2")
                .arg(folds)
                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyy-MM-dd hh:mm:ss")));
    std::vector<RunRecord> done;
    for (const TrainOptions &options : crossValidationPlan(base, folds)) {
        err << QStringLiteral("== fold %1 of %2").arg(options.cvFold + 1).arg(folds) << Qt::endl;
        const auto outcome = trainNewRun(project, options, session.events);
        if (const int code = reportRun(outcome, out, err); code != kExitOk)
            return code;
        auto record = findRun(project, outcome->runId);
        if (!record)
            return fail(err, record.error());
        done.push_back(*record);
    }
    out << Qt::endl
        << resultsTable(done, pricePerCoreHour(parser)) << crossValidationSummary(done) << Qt::endl;
    return kExitOk;
}

int cmdTune(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    TuneOptions options;
    options.base = trainOptions(parser);
    const std::pair<const char *, std::pair<TuneDimension *, bool>> dimensions[] = {
        {"lr-range", {&options.learningRate, true}},
        {"wd-range", {&options.weightDecay, true}},
        {"momentum-range", {&options.momentum, false}},
        {"batch-sizes", {&options.batchSize, false}}};
    for (const auto &[name, target] : dimensions)
        if (parser.isSet(QLatin1String(name))) {
            const auto parsed =
                TuneDimension::parse(parser.value(QLatin1String(name)), target.second);
            if (!parsed)
                throw UsageError{QStringLiteral("--%1 takes LOW:HIGH or V,V,..., not '%2'")
                                     .arg(QLatin1String(name), parser.value(QLatin1String(name)))};
            *target.first = *parsed;
        }
    bool ok = false;
    options.trials = parser.value(QStringLiteral("trials")).toInt(&ok);
    if (!ok || options.trials < 1)
        throw UsageError{QStringLiteral("--trials must be a positive number")};
    options.minutes = parser.value(QStringLiteral("minutes")).toDouble();
    options.halving = parser.isSet(QStringLiteral("halving"));
    options.metric = parser.value(QStringLiteral("metric"));
    options.seed = parser.value(QStringLiteral("seed")).toULongLong() + 1;
    if (!runMetricNames().contains(options.metric))
        throw UsageError{QStringLiteral("--metric '%1' is not one of: %2")
                             .arg(options.metric, runMetricNames().join(QStringLiteral(", ")))};
    TrainingTerminal session(dir, parser, out, err);
    if (!session.project)
        return kExitFailure;
    const auto source = fixedLabelSource(*session.project, options.base.labels);
    if (!source)
        return fail(err, source.error());
    options.base.labels = source->spec();
    const auto tuned = tune(*session.project, options, session.events, [&](const TuneTrial &t) {
        err << QStringLiteral("trial: run %1, lr %2, weight decay %3, momentum %4, batch %5, "
                              "%6 epochs: %7 %8")
                   .arg(t.runId)
                   .arg(t.options.learningRate, 0, 'g', 3)
                   .arg(t.options.weightDecay, 0, 'g', 3)
                   .arg(t.options.momentum, 0, 'g', 3)
                   .arg(t.options.batchSize)
                   .arg(t.options.epochs)
                   .arg(options.metric)
                   .arg(t.value ? QString::number(*t.value, 'f', 4) : QStringLiteral("-"))
            << Qt::endl;
    });
    if (!tuned)
        return fail(err, tuned.error());
    out << QStringLiteral("experiment '%1': %2 runs of %3 configurations")
               .arg(tuned->experiment)
               .arg(tuned->trials.size())
               .arg(options.trials)
        << Qt::endl;
    if (tuned->best)
        out << QStringLiteral("best: run %1, %2 %3: --lr %4 --weight-decay %5 --momentum %6 "
                              "--batch-size %7")
                   .arg(tuned->best->runId)
                   .arg(options.metric)
                   .arg(tuned->best->value ? QString::number(*tuned->best->value, 'f', 4)
                                           : QStringLiteral("-"))
                   .arg(tuned->best->options.learningRate, 0, 'g', 4)
                   .arg(tuned->best->options.weightDecay, 0, 'g', 4)
                   .arg(tuned->best->options.momentum, 0, 'g', 4)
                   .arg(tuned->best->options.batchSize)
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
    if (parser.isSet(QStringLiteral("experiment"))) {
        const QString experiment = parser.value(QStringLiteral("experiment"));
        std::erase_if(*runs, [&](const RunRecord &run) { return run.experiment != experiment; });
    }
    if (parser.isSet(QStringLiteral("tag"))) {
        const QString tag = parser.value(QStringLiteral("tag"));
        std::erase_if(*runs, [&](const RunRecord &run) { return !run.tags.contains(tag); });
    }
    if (parser.isSet(QStringLiteral("sort"))) {
        QHash<qint64, std::optional<double>> values;
        for (const RunRecord &run : *runs) {
            std::vector<EpochMetrics> epochs;
            if (isEpochAggregate(metric)) {
                auto read = runEpochs(*project, run.id);
                if (!read)
                    return fail(err, read.error());
                epochs = std::move(read).value();
            }
            values.insert(run.id, runMetric(run, metric, epochs));
        }
        const bool higherFirst = higherIsBetter(metric);
        std::stable_sort(runs->begin(), runs->end(), [&](const RunRecord &a, const RunRecord &b) {
            const auto x = values.value(a.id), y = values.value(b.id);
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
        out << "no runs"
            << (parser.isSet(QStringLiteral("experiment")) ? " in that experiment" : "")
            << ": start one with winnow-cli train " << dir << Qt::endl;
        return kExitOk;
    }
    out << resultsTable(*runs, price); // each run against the latest comparable full-data run
    for (const RunRecord &run : *runs) {
        if (run.status != RunStatus::Finished)
            out << QStringLiteral("run %1 is %2%3")
                       .arg(run.id)
                       .arg(runStatusName(run.status),
                            run.error.isEmpty() ? QString() : QStringLiteral(": ") + run.error)
                << '\n';
        if (!run.experiment.isEmpty() || !run.notes.isEmpty() || !run.tags.isEmpty())
            out << QStringLiteral("run %1: experiment '%2'%3%4")
                       .arg(run.id)
                       .arg(run.experiment,
                            run.tags.isEmpty()
                                ? QString()
                                : QStringLiteral(", tags %1").arg(run.tags.join(u',')),
                            run.notes.isEmpty() ? QString() : QStringLiteral(": ") + run.notes)
                << '\n';
    }
    out << Qt::flush;
    return kExitOk;
}

// The project DIR and its run --run, or nothing after saying on `err` why not.
struct ProjectRun {
    std::unique_ptr<Project> project;
    RunRecord run;
};

std::optional<ProjectRun> openRun(QCommandLineParser &parser, const QStringList &args,
                                  const char *command, QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const qint64 runId = runOption(parser, command);
    auto project = openProject(dir, err);
    if (!project)
        return std::nullopt;
    auto run = findRun(*project, runId);
    if (!run) {
        fail(err, run.error());
        return std::nullopt;
    }
    return ProjectRun{std::move(project), std::move(run).value()};
}

int cmdMetrics(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    const auto opened = openRun(parser, args, "metrics", err);
    if (!opened)
        return kExitFailure;
    const auto epochs = runEpochs(*opened->project, opened->run.id);
    if (!epochs)
        return fail(err, epochs.error());
    out << epochsCsv(*epochs) << Qt::flush;
    return kExitOk;
}

int cmdSubset(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
              QTextStream &err) {
    const auto opened = openRun(parser, args, "subset", err);
    if (!opened)
        return kExitFailure;
    const QString outFile = parser.value(QStringLiteral("out"));
    if (outFile.isEmpty())
        throw UsageError{QStringLiteral("give the file to write: --out FILE.csv")};
    std::optional<int> round;
    if (parser.isSet(QStringLiteral("round"))) {
        bool ok = false;
        round = parser.value(QStringLiteral("round")).toInt(&ok);
        if (!ok || *round < 0)
            throw UsageError{QStringLiteral("--round needs a round number, not '%1'")
                                 .arg(parser.value(QStringLiteral("round")))};
    }
    const auto report = subsetReport(*opened->project, opened->run.id);
    if (!report)
        return fail(err, report.error());
    if (round && std::none_of(report->rounds.begin(), report->rounds.end(),
                              [&](const SelectionRound &r) { return r.round == *round; }))
        return fail(err, Error{QStringLiteral("run %1 has no selection round %2 (it has %3)")
                                   .arg(opened->run.id)
                                   .arg(*round)
                                   .arg(report->rounds.size())});
    if (!saveFile(outFile, subsetCsv(*report, round).toUtf8(), err))
        return kExitFailure;
    out << QStringLiteral("run %1: %2 training items, %3 selection rounds counted; %4 always "
                          "chosen, %5 never")
               .arg(opened->run.id)
               .arg(report->items.size())
               .arg(report->countedRounds)
               .arg(report->alwaysChosen().size())
               .arg(report->neverChosen().size())
        << Qt::endl;
    for (const SelectionRound &r : report->rounds) {
        if (round && r.round != *round)
            continue;
        out << QStringLiteral("round %1 (epoch %2, %3 items):")
                   .arg(r.round)
                   .arg(r.epoch)
                   .arg(r.itemIds.size());
        for (const GroupShare &share : report->groupShares(r))
            out << QStringLiteral("  %1 %2 of the round, %3 of the set;")
                       .arg(share.group)
                       .arg(share.keptShare, 0, 'f', 3)
                       .arg(share.setShare, 0, 'f', 3);
        out << Qt::endl;
    }
    return kExitOk;
}

int cmdDescribeRun(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                   QTextStream &err) {
    const auto opened = openRun(parser, args, "describe-run", err);
    if (!opened)
        return kExitFailure;
    const RunRecord &run = opened->run;
    const auto value = [&](const char *name, const QString &current) {
        return parser.isSet(QLatin1String(name)) ? parser.value(QLatin1String(name)) : current;
    };
    const QStringList tags =
        parser.isSet(QStringLiteral("tags"))
            ? parser.value(QStringLiteral("tags")).split(u',', Qt::SkipEmptyParts)
            : run.tags;
    if (const auto described =
            describeRun(*opened->project, run.id, value("experiment", run.experiment),
                        value("note", run.notes), tags);
        !described)
        return fail(err, described.error());
    out << "run " << run.id << " described" << Qt::endl;
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
                         "[train options] [--fine-tune-from SOURCE] [--out TABLE] [--csv FILE]"),
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
                  {QStringLiteral("fine-tune-from"),
                   QStringLiteral("run every run again fine-tuned from these weights (a run, "
                                  "DIR:RUN or a file), beside the runs from scratch"),
                   QStringLiteral("SOURCE")},
                  priceOption(),
              });
          }}},
        {QStringLiteral("cv"),
         {QStringLiteral("cv DIR --folds K [train options]"),
          QStringLiteral("cross-validation: K runs, each with one stratified group fold as val; "
                         "mean and standard deviation of validation accuracy"),
          cmdCrossValidate,
          [](QCommandLineParser &p) {
              p.addOptions(trainCommandLineOptions());
              p.addOptions({{QStringLiteral("folds"), QStringLiteral("folds"), QStringLiteral("K"),
                             QStringLiteral("5")},
                            priceOption()});
          }}},
        {QStringLiteral("tune"),
         {QStringLiteral("tune DIR [--trials N] [--lr-range LOW:HIGH] [--wd-range LOW:HIGH] "
                         "[--momentum-range LOW:HIGH] [--batch-sizes B,B] [--halving] "
                         "[--minutes M] [--metric METRIC] [train options]"),
          QStringLiteral("random search or successive halving over learning rate, weight decay, "
                         "momentum and batch size; the trials are an experiment, the best is "
                         "tagged"),
          cmdTune,
          [](QCommandLineParser &p) {
              p.addOptions(trainCommandLineOptions());
              const TuneOptions d;
              p.addOptions({
                  {QStringLiteral("trials"), QStringLiteral("configurations to try"),
                   QStringLiteral("N"), QString::number(d.trials)},
                  {QStringLiteral("lr-range"),
                   QStringLiteral("learning rates, sampled on a log scale (or a list)"),
                   QStringLiteral("LOW:HIGH"), QStringLiteral("0.01:0.3")},
                  {QStringLiteral("wd-range"),
                   QStringLiteral("weight decays, sampled on a log scale (or a list)"),
                   QStringLiteral("LOW:HIGH"), QStringLiteral("1e-05:0.001")},
                  {QStringLiteral("momentum-range"), QStringLiteral("momenta (or a list)"),
                   QStringLiteral("LOW:HIGH"), QStringLiteral("0.8:0.95")},
                  {QStringLiteral("batch-sizes"), QStringLiteral("batch sizes, taken in turn"),
                   QStringLiteral("B,B"), QStringLiteral("64,128,256")},
                  {QStringLiteral("halving"),
                   QStringLiteral("successive halving: every trial at 1/9 of the epochs, the best "
                                  "third at 1/3, the best third of those at all")},
                  {QStringLiteral("minutes"),
                   QStringLiteral("start no trial after this many minutes (0: no limit)"),
                   QStringLiteral("M"), QStringLiteral("0")},
                  {QStringLiteral("metric"), QStringLiteral("what ranks the trials"),
                   QStringLiteral("METRIC"), d.metric},
              });
          }}},
        {QStringLiteral("metrics"),
         {QStringLiteral("metrics DIR --run RUN [--csv]"),
          QStringLiteral("a run's per-epoch metrics as CSV"), cmdMetrics,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("run"), QStringLiteral("the run"), QStringLiteral("RUN")},
                  {QStringLiteral("csv"), QStringLiteral("CSV (the only format)")},
              });
          }}},
        {QStringLiteral("subset"),
         {QStringLiteral("subset DIR --run RUN [--round R] --out FILE.csv"),
          QStringLiteral("what a run's subsets kept: item,path,label,round,times_chosen,flags, "
                         "and each round's share of doubtful items against the set's"),
          cmdSubset,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("run"), QStringLiteral("the run"), QStringLiteral("RUN")},
                  {QStringLiteral("round"),
                   QStringLiteral("only the items this selection round kept (default: every "
                                  "training item, with the latest round that kept it)"),
                   QStringLiteral("R")},
                  {QStringLiteral("out"), QStringLiteral("the CSV file to write"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("describe-run"),
         {QStringLiteral("describe-run DIR --run RUN [--experiment NAME] [--note TEXT] [--tags "
                         "T,T]"),
          QStringLiteral("put a run in an experiment, write its notes, set its tags"),
          cmdDescribeRun,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("run"), QStringLiteral("the run"), QStringLiteral("RUN")},
                  {QStringLiteral("experiment"), QStringLiteral("its experiment (empty: none)"),
                   QStringLiteral("NAME")},
                  {QStringLiteral("note"), QStringLiteral("its notes"), QStringLiteral("TEXT")},
                  {QStringLiteral("tags"), QStringLiteral("its tags, comma-separated"),
                   QStringLiteral("T,T")},
              });
          }}},
        {QStringLiteral("runs"),
         {QStringLiteral("runs DIR [--experiment NAME] [--tag T] [--sort METRIC] [--csv]"),
          QStringLiteral("list training runs with their parameters and results"), cmdRuns,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("sort"),
                   QStringLiteral("run, fraction, total_seconds, seconds_per_epoch, "
                                  "selection_seconds, cpu_seconds, best_val_accuracy, "
                                  "test_accuracy, or a per-epoch metric's max, min, last or "
                                  "mean: val_accuracy.max, train_loss.last, ..."),
                   QStringLiteral("METRIC")},
                  {QStringLiteral("experiment"), QStringLiteral("only this experiment's runs"),
                   QStringLiteral("NAME")},
                  {QStringLiteral("tag"), QStringLiteral("only runs with this tag"),
                   QStringLiteral("TAG")},
                  {QStringLiteral("csv"), QStringLiteral("CSV on standard output")},
                  priceOption(),
              });
          }}},
    });
}

} // namespace winnow::cli

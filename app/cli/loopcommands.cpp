// label-errors, autolabel and queue: what a model says about the labels comes back to the
// project.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "app/cli/trainingterminal.h"
#include "core/io/csvreader.h"
#include "core/loop/loopactions.h"
#include "core/store/project.h"
#include "core/train/runprotocol.h"

#ifndef WINNOW_CLI_WITHOUT_TORCH
#include "core/train/crossfit.h"
#endif

#include <QCommandLineParser>
#include <QTextStream>

namespace winnow::cli {
namespace {

using namespace winnow::core;

// Cross-fitting trains K short runs: unless told otherwise, 10 epochs at width 16.
constexpr int kCrossFitEpochs = 10;
constexpr int kCrossFitWidth = 16;

// --predictions SET|latest: a stored prediction set of `kind`; 0 when not given.
qint64 predictionSetOption(const QCommandLineParser &parser, Project &project,
                           std::optional<PredictionKind> kind) {
    const QString value = parser.value(QStringLiteral("predictions"));
    if (value.isEmpty())
        return 0;
    if (value == QLatin1String("latest")) {
        const auto latest = attempt([&] {
            PredictionRepository store(project);
            if (kind)
                return store.latest(*kind);
            const auto sets = store.list();
            return sets.empty() ? std::optional<PredictionSet>() : std::optional(sets.front());
        });
        if (!latest || !*latest)
            throw UsageError{QStringLiteral("the project holds no %1 predictions yet")
                                 .arg(kind ? predictionKindName(*kind) : QStringLiteral("stored"))};
        return (*latest)->id;
    }
    bool ok = false;
    const qint64 id = value.toLongLong(&ok);
    if (!ok || id <= 0)
        throw UsageError{
            QStringLiteral("--predictions takes a prediction set's number or 'latest', not '%1'")
                .arg(value)};
    return id;
}

// Writes `csv` to --out, or to standard output without it.
int writeCsv(const QCommandLineParser &parser, const QString &csv, qint64 rows, QTextStream &out,
             QTextStream &err) {
    if (!parser.isSet(QStringLiteral("out"))) {
        out << csv << Qt::flush;
        return kExitOk;
    }
    if (!saveFile(parser.value(QStringLiteral("out")), csv.toUtf8(), err))
        return kExitFailure;
    err << rows << " rows written to " << parser.value(QStringLiteral("out")) << Qt::endl;
    return kExitOk;
}

// --count noise-model|confident-joint.
LabelErrorCount labelErrorCount(const QCommandLineParser &parser) {
    const QString value = parser.value(QStringLiteral("count"));
    if (value == QLatin1String("noise-model"))
        return LabelErrorCount::NoiseModel;
    if (value == QLatin1String("confident-joint"))
        return LabelErrorCount::ConfidentJoint;
    throw UsageError{
        QStringLiteral("--count takes noise-model or confident-joint, not '%1'").arg(value)};
}

int reportLabelErrors(const QCommandLineParser &parser, Project &project, qint64 setId,
                      QTextStream &out, QTextStream &err) {
    const LabelErrorCount count = labelErrorCount(parser);
    ExpectedLabelErrors expected;
    const auto errors = flagLabelErrors(project, setId, count, &expected);
    if (!errors)
        return fail(err, errors.error());
    const auto set = attempt([&] { return PredictionRepository(project).find(setId); });
    err << QStringLiteral("%1 likely label errors among %2 items (prediction set %3), stored as "
                          "label-error flags")
               .arg(errors->size())
               .arg(set && *set ? (*set)->items : 0)
               .arg(setId)
        << Qt::endl;
    err << QStringLiteral("%1 expects %2 of the %3 labels held out to be wrong (%4 %)")
               .arg(count == LabelErrorCount::NoiseModel ? QStringLiteral("the noise model")
                                                         : QStringLiteral("the confident joint"))
               .arg(expected.errors, 0, 'f', 0)
               .arg(expected.labeled)
               .arg(expected.labeled > 0 ? 100 * expected.errors / double(expected.labeled) : 0.0,
                    0, 'f', 1)
        << Qt::endl;
    if (parser.isSet(QStringLiteral("json")) && !parser.isSet(QStringLiteral("out")))
        return kExitOk;
    QString csv = QStringLiteral("item,path,given,suggested,score\n");
    for (const LabelErrorRow &row : *errors)
        csv += QStringLiteral("%1,%2,%3,%4,%5\n")
                   .arg(row.itemId)
                   .arg(CsvReader::quote(row.path), CsvReader::quote(row.given),
                        CsvReader::quote(row.suggested))
                   .arg(row.score, 0, 'f', 4);
    return writeCsv(parser, csv, qint64(errors->size()), out, err);
}

#ifdef WINNOW_CLI_WITHOUT_TORCH
// Whether the command needs a model run (LibTorch) rather than stored predictions.
bool needsTraining(const QCommandLineParser &parser) {
    return !parser.isSet(QStringLiteral("predictions"));
}
#endif

int cmdLabelErrors(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                   QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    labelErrorCount(parser); // a wrong --count is refused before anything trains
#ifdef WINNOW_CLI_WITHOUT_TORCH
    if (needsTraining(parser))
        return runInTrainingProgram(out, err);
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    return reportLabelErrors(parser, *project,
                             predictionSetOption(parser, *project, PredictionKind::CrossFit), out,
                             err);
#else
    if (parser.isSet(QStringLiteral("predictions"))) {
        auto project = openProject(dir, err);
        if (!project)
            return kExitFailure;
        return reportLabelErrors(parser, *project,
                                 predictionSetOption(parser, *project, PredictionKind::CrossFit),
                                 out, err);
    }
    TrainOptions base = trainOptions(parser);
    if (!parser.isSet(QStringLiteral("epochs")))
        base.epochs = kCrossFitEpochs;
    if (!parser.isSet(QStringLiteral("width")))
        base.width = kCrossFitWidth;
    const int folds = int(numberOption(parser, QStringLiteral("folds")));
    // The runs' epochs go to standard error, standard output being the CSV; with --json they are
    // the output (for the GUI), and the CSV is written only with --out.
    const bool json = parser.isSet(QStringLiteral("json"));
    TrainingTerminal session(dir, parser, json ? out : err, err);
    if (!session.project)
        return kExitFailure;
    const auto fitted = crossFit(*session.project, base, folds, session.events);
    if (!fitted)
        return fail(err, fitted.error());
    if (fitted->cancelled)
        return fail(err, QStringLiteral("cross-fitting interrupted (runs %1 kept)")
                             .arg(fitted->runIds.empty() ? 0 : fitted->runIds.back()));
    return reportLabelErrors(parser, *session.project, fitted->setId, out, err);
#endif
}

int listRounds(Project &project, QTextStream &out, QTextStream &err) {
    const auto rounds = attempt([&] { return PredictionRepository(project).autolabelRounds(); });
    if (!rounds)
        return fail(err, rounds.error());
    out << "round,predictions,target,threshold,estimated_accuracy,coverage,labeled,created,"
           "reverted\n";
    for (const AutolabelRound &r : *rounds)
        out << QStringLiteral("%1,%2,%3,%4,%5,%6,%7,%8,%9\n")
                   .arg(r.id)
                   .arg(r.setId)
                   .arg(r.targetAccuracy)
                   .arg(r.threshold, 0, 'f', 4)
                   .arg(r.estimatedAccuracy, 0, 'f', 4)
                   .arg(r.coverage, 0, 'f', 4)
                   .arg(r.labeled)
                   .arg(r.createdAt, r.revertedAt);
    out << Qt::flush;
    return kExitOk;
}

// The prediction set a command works on: --predictions, the newest of --run (made now when it
// has none; 0 means LibTorch is needed for that), else the newest set of any kind.
qint64 chosenPredictions(const QCommandLineParser &parser, Project &project, const char *command,
                         QTextStream &err) {
    if (parser.isSet(QStringLiteral("predictions")))
        return predictionSetOption(parser, project, std::nullopt);
    PredictionRepository store(project);
    if (parser.isSet(QStringLiteral("run"))) {
        const qint64 runId = runOption(parser, command);
        if (const auto stored = store.latest(PredictionKind::Run, runId))
            return stored->id;
#ifdef WINNOW_CLI_WITHOUT_TORCH
        (void)err;
        return 0;
#else
        const auto made = storeRunPredictions(project, runId, terminalProgress(err));
        endProgress(err);
        if (!made)
            throw std::runtime_error(made.error().message.toStdString());
        err << QStringLiteral("run %1's predictions stored as set %2").arg(runId).arg(*made)
            << Qt::endl;
        return *made;
#endif
    }
    const auto sets = store.list(); // newest first
    if (sets.empty())
        throw UsageError{QStringLiteral("the project holds no predictions: give --run RUN, or run "
                                        "label-errors first")};
    return sets.front().id;
}

int cmdAutolabel(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                 QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (parser.isSet(QStringLiteral("rounds")))
        return listRounds(*project, out, err);
    if (parser.isSet(QStringLiteral("revert"))) {
        const auto roundId = qint64(numberOption(parser, QStringLiteral("revert")));
        const auto reverted = revertAutolabel(*project, roundId);
        if (!reverted)
            return fail(err, reverted.error());
        if (!*reverted)
            return fail(err, QStringLiteral("round %1 is not a live automated labeling round "
                                            "(autolabel DIR --rounds lists them)")
                                 .arg(roundId));
        out << QStringLiteral("round %1 reverted: its items are unlabeled again").arg(roundId)
            << Qt::endl;
        return kExitOk;
    }
    const double target = numberOption(parser, QStringLiteral("target-accuracy"));
    const auto setId =
        attempt([&] { return chosenPredictions(parser, *project, "autolabel", err); });
    if (!setId)
        return fail(err, setId.error());
    if (*setId == 0) {
        project.reset();
        return runInTrainingProgram(out, err);
    }
    const auto proposal = proposeAutolabel(*project, *setId, target);
    if (!proposal)
        return fail(err, proposal.error());
    const AutolabelPlan &plan = proposal->plan;
    if (!plan.reachable)
        return fail(err, QStringLiteral("no confidence threshold reaches %1 accuracy with 95 % "
                                        "confidence on the %2 held-out items of prediction set "
                                        "%3; label more, or train a better model")
                             .arg(target)
                             .arg(plan.heldOut)
                             .arg(*setId));
    err << QStringLiteral("threshold %1: %2 of %3 held-out items covered (%4 %), accuracy %5 "
                          "(at least %6 with 95 % confidence); %7 unlabeled items to label")
               .arg(plan.threshold, 0, 'f', 4)
               .arg(qint64(plan.coverage * double(plan.heldOut) + 0.5))
               .arg(plan.heldOut)
               .arg(100 * plan.coverage, 0, 'f', 1)
               .arg(plan.accuracy, 0, 'f', 4)
               .arg(plan.lowerBound, 0, 'f', 4)
               .arg(proposal->labels.size())
        << Qt::endl;
    if (parser.isSet(QStringLiteral("apply"))) {
        const auto round = applyAutolabel(*project, *proposal, 0);
        if (!round)
            return fail(err, round.error());
        err << QStringLiteral("round %1 applied: %2 machine labels (autolabel DIR --revert %1 "
                              "takes them back)")
                   .arg(*round)
                   .arg(proposal->labels.size())
            << Qt::endl;
    }
    QString csv = QStringLiteral("item,path,label,confidence\n");
    for (size_t i = 0; i < proposal->labels.size(); ++i) {
        const MachineLabel &label = proposal->labels[i];
        const auto at =
            std::find(proposal->classIds.begin(), proposal->classIds.end(), label.classId);
        csv += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(label.itemId)
                   .arg(CsvReader::quote(proposal->paths.value(int(i))),
                        CsvReader::quote(
                            proposal->classNames.value(int(at - proposal->classIds.begin()))))
                   .arg(label.confidence, 0, 'f', 4);
    }
    return writeCsv(parser, csv, qint64(proposal->labels.size()), out, err);
}

int cmdQueue(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const QString order = parser.value(QStringLiteral("order"));
    if (order != QLatin1String("uncertainty") && order != QLatin1String("default"))
        throw UsageError{QStringLiteral("--order is uncertainty or default, not '%1'").arg(order)};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (order == QLatin1String("default")) {
        if (const auto cleared = clearQueueOrder(*project); !cleared)
            return fail(err, cleared.error());
        out << "the labeling queue is back to its own order" << Qt::endl;
        return kExitOk;
    }
    const auto setId = attempt([&] { return chosenPredictions(parser, *project, "queue", err); });
    if (!setId)
        return fail(err, setId.error());
    if (*setId == 0) {
        project.reset();
        return runInTrainingProgram(out, err);
    }
    const auto ranked = orderQueueByUncertainty(*project, *setId);
    if (!ranked)
        return fail(err, ranked.error());
    out << QStringLiteral("the labeling queue now asks for the %1 unlabeled items by the model's "
                          "uncertainty (prediction set %2), least certain first, classes in turn")
               .arg(*ranked)
               .arg(*setId)
        << Qt::endl;
    return kExitOk;
}

} // namespace

void addLoopCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("label-errors"),
         {QStringLiteral("label-errors DIR [--folds K] [--epochs E] [--width W] [train options] "
                         "[--count HOW] [--out FILE.csv]\n"
                         "       label-errors DIR --predictions SET|latest [--count HOW] "
                         "[--out FILE.csv]"),
          QStringLiteral("likely label errors, from out-of-sample predictions (K-fold "
                         "cross-fitting); stored as label-error flags"),
          cmdLabelErrors,
          [](QCommandLineParser &p) {
              p.addOptions(trainCommandLineOptions());
              p.addOptions({
                  {QStringLiteral("folds"), QStringLiteral("cross-fitting folds"),
                   QStringLiteral("K"), QStringLiteral("5")},
                  {QStringLiteral("predictions"),
                   QStringLiteral("use a stored cross-fitting instead of training"),
                   QStringLiteral("SET")},
                  {QStringLiteral("count"),
                   QStringLiteral("how many to flag: as many as a label-noise model fitted to "
                                  "the predictions expects (noise-model), or confident "
                                  "learning's confident joint (confident-joint)"),
                   QStringLiteral("HOW"), QStringLiteral("noise-model")},
                  {QStringLiteral("out"),
                   QStringLiteral("write item,path,given,suggested,score here (default: "
                                  "standard output)"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("autolabel"),
         {QStringLiteral("autolabel DIR --target-accuracy A [--run RUN|--predictions SET] "
                         "[--apply] [--out FILE.csv]\n"
                         "       autolabel DIR --rounds | --revert ROUND"),
          QStringLiteral("machine labels for the unlabeled items a model is sure enough of to "
                         "reach the target accuracy on held-out items"),
          cmdAutolabel,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("target-accuracy"),
                   QStringLiteral("accuracy the machine labels must reach (95 % lower bound)"),
                   QStringLiteral("A"), QStringLiteral("0.95")},
                  {QStringLiteral("run"), QStringLiteral("predictions of this run"),
                   QStringLiteral("RUN")},
                  {QStringLiteral("predictions"),
                   QStringLiteral("a stored prediction set (number or 'latest')"),
                   QStringLiteral("SET")},
                  {QStringLiteral("apply"), QStringLiteral("store the labels as a round")},
                  {QStringLiteral("out"),
                   QStringLiteral("write item,path,label,confidence here (default: standard "
                                  "output)"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("rounds"), QStringLiteral("list the automated labeling rounds")},
                  {QStringLiteral("revert"), QStringLiteral("take a round's labels back"),
                   QStringLiteral("ROUND")},
              });
          }}},
        {QStringLiteral("queue"),
         {QStringLiteral("queue DIR --order uncertainty|default [--run RUN|--predictions SET]"),
          QStringLiteral("order the labeling queue by the model's uncertainty (least margin "
                         "first, classes in turn), or back to its own order"),
          cmdQueue,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("order"), QStringLiteral("uncertainty or default"),
                   QStringLiteral("ORDER"), QStringLiteral("uncertainty")},
                  {QStringLiteral("run"), QStringLiteral("rank by this run's predictions"),
                   QStringLiteral("RUN")},
                  {QStringLiteral("predictions"),
                   QStringLiteral("rank by a stored prediction set (number or 'latest')"),
                   QStringLiteral("SET")},
              });
          }}},
    });
}

} // namespace winnow::cli

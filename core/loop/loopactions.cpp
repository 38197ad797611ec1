#include "core/loop/loopactions.h"

#include "core/label/labelsource.h"
#include "core/store/answerrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/store/runrepository.h"
#include "core/store/storeerror.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

namespace winnow::core {
namespace {

// The active-learning rounds, as a JSON list in the project's settings.
constexpr auto kRoundsKey = QLatin1String("loop/rounds");

template <typename T> T unwrap(Result<T> result) {
    if (!result)
        throw StoreError(result.error().message);
    return std::move(result).value();
}
inline void unwrap(Result<void> result) {
    if (!result)
        throw StoreError(result.error().message);
}

ScoredItem scored(const LoadedPredictions &loaded, const ItemPrediction &p) {
    return {p.itemId, p.givenClassId > 0 ? loaded.classIndex.value(p.givenClassId, -1) : -1,
            p.probabilities};
}

QHash<qint64, QString> itemPaths(Project &project) {
    QHash<qint64, QString> paths;
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
        paths.insert(item.id, item.path);
    return paths;
}

} // namespace

LoadedPredictions loadPredictions(Project &project, qint64 setId) {
    PredictionRepository store(project);
    const auto set = store.find(setId);
    if (!set)
        throw StoreError(QStringLiteral("there is no prediction set %1").arg(setId));
    LoadedPredictions loaded{*set, store.predictions(setId), {}, {}};
    const auto classes = project.classes();
    if (!classes)
        throw StoreError(classes.error().message);
    QHash<qint64, QString> names;
    for (const ClassInfo &c : *classes)
        names.insert(c.id, c.name);
    for (size_t i = 0; i < set->classIds.size(); ++i) {
        loaded.classIndex.insert(set->classIds[i], int(i));
        loaded.classNames << names.value(set->classIds[i], QString::number(set->classIds[i]));
    }
    return loaded;
}

Result<std::vector<LabelErrorRow>> flagLabelErrors(Project &project, qint64 setId,
                                                   LabelErrorCount count,
                                                   ExpectedLabelErrors *expected) {
    return attempt([&] {
        const LoadedPredictions loaded = loadPredictions(project, setId);
        std::vector<ScoredItem> items;
        for (const ItemPrediction &p : loaded.predictions)
            if (p.heldOut && p.givenClassId > 0)
                items.push_back(scored(loaded, p));
        if (items.empty())
            throw StoreError(QStringLiteral("prediction set %1 holds no out-of-sample "
                                            "predictions of labeled items")
                                 .arg(setId));
        double expectedErrors = 0;
        const auto errors =
            findLabelErrors(items, int(loaded.set.classIds.size()), count, &expectedErrors);
        if (expected)
            *expected = {expectedErrors, qint64(items.size())};
        const auto paths = itemPaths(project);
        std::vector<LabelErrorRow> rows;
        std::vector<NewFlag> flags;
        for (const LabelErrorCandidate &e : errors) {
            const QString given = loaded.classNames.value(e.given);
            const QString suggested = loaded.classNames.value(e.suggested);
            rows.push_back({e.itemId, paths.value(e.itemId), given, suggested, e.score});
            flags.push_back({e.itemId, FlagKind::LabelError, 0, e.score,
                             QStringLiteral("model suggests %1 (labeled %2; %3 %)")
                                 .arg(suggested, given)
                                 .arg(100 * e.suggestedProbability, 0, 'f', 0)});
        }
        FlagRepository(project).replace({FlagKind::LabelError}, flags);
        return rows;
    });
}

Result<AutolabelProposal> proposeAutolabel(Project &project, qint64 setId, double targetAccuracy) {
    return attempt([&] {
        if (!(targetAccuracy > 0 && targetAccuracy < 1))
            throw StoreError(QStringLiteral("the target accuracy must lie between 0 and 1"));
        const LoadedPredictions loaded = loadPredictions(project, setId);
        // Held-out items whose label is known: a run's val split, or all of a cross-fitting.
        QSet<qint64> calibration;
        if (loaded.set.kind == PredictionKind::Run && !loaded.set.runIds.empty()) {
            for (const RunItem &item : RunRepository(project).items(loaded.set.runIds.front()))
                if (item.split == QLatin1String("val"))
                    calibration.insert(item.itemId);
        }
        std::vector<double> confidences;
        std::vector<bool> correct;
        for (const ItemPrediction &p : loaded.predictions) {
            const bool calibrates =
                p.heldOut && p.givenClassId > 0 &&
                (loaded.set.kind == PredictionKind::CrossFit || calibration.contains(p.itemId));
            if (!calibrates)
                continue;
            confidences.push_back(p.confidence);
            correct.push_back(p.classId == p.givenClassId);
        }
        if (confidences.empty())
            throw StoreError(QStringLiteral("prediction set %1 has no held-out labeled items to "
                                            "measure the model's accuracy on")
                                 .arg(setId));
        AutolabelProposal proposal{setId,
                                   targetAccuracy,
                                   planAutolabel(confidences, correct, targetAccuracy),
                                   loaded.set.classIds,
                                   loaded.classNames,
                                   {},
                                   {}};
        if (!proposal.plan.reachable)
            return proposal;

        // What still wants a label: no label of any kind now, not test, not excluded.
        const auto labels = currentLabels(project);
        if (!labels)
            throw StoreError(labels.error().message);
        const auto excluded = FlagRepository(project).exclusions();
        QHash<qint64, ItemFacts> items;
        for (ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
            items.insert(item.id, std::move(item));
        for (const ItemPrediction &p : loaded.predictions) {
            const auto item = items.constFind(p.itemId);
            if (p.givenClassId > 0 || p.confidence < proposal.plan.threshold ||
                item == items.cend() || item->split == QLatin1String("test") ||
                labels->contains(p.itemId) || excluded.value(p.itemId, false))
                continue;
            proposal.labels.push_back({p.itemId, p.classId, p.confidence});
            proposal.paths << item->path;
        }
        return proposal;
    });
}

Result<qint64> applyAutolabel(Project &project, const AutolabelProposal &proposal, qint64 actorId) {
    return attempt([&] {
        if (!proposal.plan.reachable)
            throw StoreError(QStringLiteral("no threshold reaches the target accuracy %1")
                                 .arg(proposal.targetAccuracy));
        AutolabelRound round;
        round.setId = proposal.setId;
        round.targetAccuracy = proposal.targetAccuracy;
        round.threshold = proposal.plan.threshold;
        round.estimatedAccuracy = proposal.plan.lowerBound;
        round.coverage = proposal.plan.coverage;
        return PredictionRepository(project).applyAutolabel(round, proposal.labels, actorId);
    });
}

Result<bool> revertAutolabel(Project &project, qint64 roundId) {
    return attempt([&] { return PredictionRepository(project).revertAutolabel(roundId); });
}

Result<std::vector<qint64>> uncertaintyQueue(Project &project, qint64 setId) {
    return attempt([&] {
        const LoadedPredictions loaded = loadPredictions(project, setId);
        const auto labels = currentLabels(project);
        if (!labels)
            throw StoreError(labels.error().message);
        std::vector<ScoredItem> items;
        for (const ItemPrediction &p : loaded.predictions)
            if (!labels->contains(p.itemId))
                items.push_back(scored(loaded, p));
        return uncertaintyOrder(items);
    });
}

Result<qint64> orderQueueByUncertainty(Project &project, qint64 setId) {
    const auto order = uncertaintyQueue(project, setId);
    if (!order)
        return order.error();
    return attempt([&] {
        PredictionRepository store(project);
        store.setQueuePriority(*order);
        ActiveLearningRound round;
        round.at = nowIso();
        round.setId = setId;
        if (const auto set = store.find(setId); set && !set->runIds.empty())
            round.runId = set->runIds.back();
        round.ranked = qint64(order->size());
        round.humanAnswers = AnswerRepository(project).countLiveAnswers(QStringLiteral("human"));
        round.machineLabels = store.liveMachineLabels().size();
        for (const AutolabelRound &r : store.autolabelRounds())
            if (r.revertedAt.isEmpty())
                round.machineAccuracy = r.estimatedAccuracy;
        if (const auto run = RunRepository(project).find(round.runId); run && run->bestValAccuracy)
            round.valAccuracy = *run->bestValAccuracy;
        QJsonArray rounds =
            QJsonDocument::fromJson(unwrap(project.setting(kRoundsKey)).toUtf8()).array();
        rounds.append(QJsonObject{{"at", round.at},
                                  {"set", round.setId},
                                  {"run", round.runId},
                                  {"ranked", round.ranked},
                                  {"human_answers", round.humanAnswers},
                                  {"machine_labels", round.machineLabels},
                                  {"machine_accuracy", round.machineAccuracy},
                                  {"val_accuracy", round.valAccuracy}});
        unwrap(project.setSetting(
            kRoundsKey, QString::fromUtf8(QJsonDocument(rounds).toJson(QJsonDocument::Compact))));
        return round.ranked;
    });
}

Result<std::vector<ActiveLearningRound>> activeLearningRounds(Project &project) {
    return attempt([&] {
        std::vector<ActiveLearningRound> rounds;
        for (const QJsonValue &value :
             QJsonDocument::fromJson(unwrap(project.setting(kRoundsKey)).toUtf8()).array()) {
            const QJsonObject o = value.toObject();
            rounds.push_back(
                {o.value("at").toString(), o.value("set").toInteger(), o.value("run").toInteger(),
                 o.value("ranked").toInteger(), o.value("human_answers").toInteger(),
                 o.value("machine_labels").toInteger(), o.value("machine_accuracy").toDouble(-1),
                 o.value("val_accuracy").toDouble(-1)});
        }
        return rounds;
    });
}

Result<qint64> answersSinceRanking(Project &project) {
    return attempt([&] {
        if (PredictionRepository(project).rankedItems() == 0)
            return qint64(-1);
        const auto rounds = activeLearningRounds(project);
        if (!rounds || rounds->empty())
            return qint64(-1);
        return AnswerRepository(project).countLiveAnswers(QStringLiteral("human")) -
               rounds->back().humanAnswers;
    });
}

Result<void> clearQueueOrder(Project &project) {
    return attempt([&] { PredictionRepository(project).setQueuePriority({}); });
}

Result<QString> modelSuggestion(Project &project, qint64 itemId) {
    return attempt([&] {
        for (const FlagRow &flag : FlagRepository(project).flagsOf(itemId))
            if (flag.kind == FlagKind::LabelError)
                return flag.detail;
        const auto newest = PredictionRepository(project).newestPredictionOf(itemId);
        if (!newest)
            return QString();
        const auto classes = project.classes();
        QString name = QString::number(newest->first.classId);
        if (classes)
            for (const ClassInfo &c : *classes)
                if (c.id == newest->first.classId)
                    name = c.name;
        return QStringLiteral("model predicts %1 (%2 %, %3 %4)")
            .arg(name)
            .arg(100 * newest->first.confidence, 0, 'f', 0)
            .arg(newest->second.kind == PredictionKind::CrossFit
                     ? QStringLiteral("out of sample, cross-fitting run")
                     : QStringLiteral("run"))
            .arg(newest->first.runId);
    });
}

} // namespace winnow::core

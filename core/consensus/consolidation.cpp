#include "core/consensus/consolidation.h"

#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>

namespace winnow::core {
namespace {

int dense(QHash<qint64, int> &index, std::vector<qint64> &ids, qint64 id) {
    const auto it = index.constFind(id);
    if (it != index.constEnd())
        return *it;
    ids.push_back(id);
    index.insert(id, int(ids.size() - 1));
    return int(ids.size() - 1);
}

ConsolidationInfo toInfo(const StoredConsolidation &c) {
    ConsolidationInfo info;
    static_cast<StoredConsolidation &>(info) = c;
    return info;
}

} // namespace

Result<ConsolidationInfo> consolidateProject(Project &project, const ConsensusMethod &method,
                                             const ConsensusOptions &options,
                                             const ProgressFn &progress,
                                             const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        ConsolidationRepository store(project);
        // Classes in the project's order, so matrices read the same way in every view.
        QHash<qint64, int> itemIndex, workerIndex, classIndex;
        std::vector<qint64> itemIds, workerIds, classIds;
        for (qint64 id : store.classIdsInOrder())
            dense(classIndex, classIds, id);
        AnswerTableBuilder builder;
        for (const AnswerTriple &answer : store.liveAnswers())
            builder.add(dense(itemIndex, itemIds, answer.itemId),
                        dense(workerIndex, workerIds, answer.annotatorId),
                        dense(classIndex, classIds, answer.classId));
        if (itemIds.empty())
            throw StoreError(QStringLiteral("%1: there are no answers to consolidate yet")
                                 .arg(project.directory()));
        const AnswerTable table =
            builder.build(int(itemIds.size()), int(workerIds.size()), int(classIds.size()));
        const ConsensusResult result = method.run(table, options, progress, cancel);

        ConsolidationInfo info;
        info.method = method.name();
        info.items = table.items;
        info.answers = table.answers();
        info.iterations = result.iterations;
        info.cancelled = result.cancelled;
        if (result.cancelled)
            return info;

        NewConsolidation stored;
        stored.method = info.method;
        stored.parameters = QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("seed"), QString::number(options.seed)},
                                      {QStringLiteral("max_iterations"), options.maxIterations},
                                      {QStringLiteral("tolerance"), options.tolerance}})
                .toJson(QJsonDocument::Compact));
        stored.classIds = classIds;
        stored.items = info.items;
        stored.answers = info.answers;
        stored.iterations = info.iterations;
        stored.logLikelihood = result.logLikelihood;
        const int K = table.classes;
        stored.labels.reserve(size_t(table.items));
        for (int i = 0; i < table.items; ++i)
            stored.labels.push_back(
                {itemIds[size_t(i)], classIds[size_t(result.label[size_t(i)])],
                 double(result.confidence[size_t(i)]), result.answers[size_t(i)],
                 QByteArray(
                     reinterpret_cast<const char *>(&result.posterior[size_t(i) * size_t(K)]),
                     qsizetype(sizeof(float)) * K)});
        for (int w = 0; w < table.workers; ++w) {
            const WorkerEstimate &e = result.workers[size_t(w)];
            stored.estimates.push_back(
                {workerIds[size_t(w)], qint64(e.answers), e.accuracy, e.agreement,
                 QByteArray(reinterpret_cast<const char *>(e.confusion.data()),
                            qsizetype(e.confusion.size() * sizeof(double)))});
        }
        info.createdAt = nowIso();
        info.id = store.store(stored, info.createdAt);
        info.seconds = timer.elapsed() / 1000.0;
        return info;
    });
}

Result<std::vector<ConsolidationInfo>> listConsolidations(Project &project) {
    return attempt([&] {
        std::vector<ConsolidationInfo> list;
        for (const StoredConsolidation &c : ConsolidationRepository(project).list())
            list.push_back(toInfo(c));
        return list;
    });
}

Result<void> markConsolidationCurrent(Project &project, qint64 consolidationId) {
    return attempt([&] { ConsolidationRepository(project).markCurrent(consolidationId); });
}

Result<qint64> currentConsolidationId(Project &project) {
    return attempt([&] { return ConsolidationRepository(project).currentId(); });
}

} // namespace winnow::core

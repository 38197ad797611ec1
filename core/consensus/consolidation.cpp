#include "core/consensus/consolidation.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace winnow::core {
namespace {

constexpr auto kSelectLiveAnswers =
    "SELECT a.item_id, a.annotator_id, a.class_id FROM live_answers a ORDER BY a.item_id, a.id";
constexpr auto kInsertConsolidation = "INSERT INTO consolidations (method, parameters, class_ids, "
                                      "created_at, items, answers, iterations,"
                                      " log_likelihood) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr auto kInsertLabel = "INSERT INTO consolidated_labels (consolidation_id, item_id, "
                              "class_id, confidence, answers, posterior)"
                              " VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kInsertEstimate = "INSERT INTO annotator_estimates (consolidation_id, annotator_id, "
                                 "answers, accuracy, agreement, confusion)"
                                 " VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kSelectConsolidations = "SELECT id, method, created_at, items, answers, iterations, "
                                       "is_current FROM consolidations ORDER BY id DESC";
constexpr auto kClearCurrent = "UPDATE consolidations SET is_current = 0 WHERE is_current = 1";
constexpr auto kMarkCurrent = "UPDATE consolidations SET is_current = 1 WHERE id = ?";
constexpr auto kSelectCurrent =
    "SELECT COALESCE((SELECT id FROM consolidations WHERE is_current = 1), 0)";

int dense(QHash<qint64, int> &index, std::vector<qint64> &ids, qint64 id) {
    const auto it = index.constFind(id);
    if (it != index.constEnd())
        return *it;
    ids.push_back(id);
    index.insert(id, int(ids.size() - 1));
    return int(ids.size() - 1);
}

} // namespace

Result<ConsolidationInfo> consolidateProject(Project &project, const ConsensusMethod &method,
                                             const ConsensusOptions &options,
                                             const ProgressFn &progress,
                                             const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        Database &db = project.database();
        // Classes in the project's order, so matrices read the same way in every view.
        QHash<qint64, int> itemIndex, workerIndex, classIndex;
        std::vector<qint64> itemIds, workerIds, classIds;
        {
            Statement classes(db, "SELECT id FROM classes ORDER BY position, id");
            while (classes.step())
                dense(classIndex, classIds, classes.int64(0));
        }
        AnswerTableBuilder builder;
        {
            Statement answers(db, kSelectLiveAnswers);
            while (answers.step())
                builder.add(dense(itemIndex, itemIds, answers.int64(0)),
                            dense(workerIndex, workerIds, answers.int64(1)),
                            dense(classIndex, classIds, answers.int64(2)));
        }
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

        QJsonArray classJson;
        for (qint64 id : classIds)
            classJson.append(id);
        const QJsonObject parameters{{QStringLiteral("seed"), QString::number(options.seed)},
                                     {QStringLiteral("max_iterations"), options.maxIterations},
                                     {QStringLiteral("tolerance"), options.tolerance}};
        info.createdAt = nowIso();
        Transaction transaction(db);
        {
            Statement insert(db, kInsertConsolidation);
            insert.bind(1, info.method)
                .bind(2,
                      QString::fromUtf8(QJsonDocument(parameters).toJson(QJsonDocument::Compact)))
                .bind(3, QString::fromUtf8(QJsonDocument(classJson).toJson(QJsonDocument::Compact)))
                .bind(4, info.createdAt)
                .bind(5, info.items)
                .bind(6, info.answers)
                .bind(7, info.iterations)
                .bind(8, result.logLikelihood);
            insert.run();
            info.id = db.lastInsertId();
        }
        const int K = table.classes;
        Statement label(db, kInsertLabel);
        for (int i = 0; i < table.items; ++i) {
            const QByteArray posterior(
                reinterpret_cast<const char *>(&result.posterior[size_t(i) * size_t(K)]),
                qsizetype(sizeof(float)) * K);
            label.bind(1, info.id)
                .bind(2, itemIds[size_t(i)])
                .bind(3, classIds[size_t(result.label[size_t(i)])])
                .bind(4, double(result.confidence[size_t(i)]))
                .bind(5, result.answers[size_t(i)])
                .bind(6, posterior);
            label.run();
        }
        Statement estimate(db, kInsertEstimate);
        for (int w = 0; w < table.workers; ++w) {
            const WorkerEstimate &e = result.workers[size_t(w)];
            const QByteArray confusion(reinterpret_cast<const char *>(e.confusion.data()),
                                       qsizetype(e.confusion.size() * sizeof(double)));
            estimate.bind(1, info.id)
                .bind(2, workerIds[size_t(w)])
                .bind(3, qint64(e.answers))
                .bind(4, e.accuracy)
                .bind(5, e.agreement)
                .bind(6, confusion);
            estimate.run();
        }
        transaction.commit();
        info.seconds = timer.elapsed() / 1000.0;
        return info;
    });
}

Result<std::vector<ConsolidationInfo>> listConsolidations(Project &project) {
    return attempt([&] {
        std::vector<ConsolidationInfo> list;
        Statement query(project.database(), kSelectConsolidations);
        while (query.step()) {
            ConsolidationInfo info;
            info.id = query.int64(0);
            info.method = query.text(1);
            info.createdAt = query.text(2);
            info.items = query.int64(3);
            info.answers = query.int64(4);
            info.iterations = int(query.int64(5));
            info.current = query.int64(6) != 0;
            list.push_back(info);
        }
        return list;
    });
}

Result<void> markConsolidationCurrent(Project &project, qint64 consolidationId) {
    return attempt([&] {
        Database &db = project.database();
        Transaction transaction(db);
        Statement(db, kClearCurrent).run();
        Statement mark(db, kMarkCurrent);
        mark.bind(1, consolidationId);
        mark.run();
        if (db.changes() != 1)
            throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
        transaction.commit();
    });
}

Result<qint64> currentConsolidationId(Project &project) {
    return attempt([&] {
        Statement query(project.database(), kSelectCurrent);
        query.step();
        return query.int64(0);
    });
}

} // namespace winnow::core

#include "core/consensus/review.h"

#include "core/consensus/consolidation.h"
#include "core/label/labelingsession.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QHash>
#include <algorithm>
#include <cmath>

namespace winnow::core {
namespace {

double entropyBits(const QByteArray &posterior) {
    const auto *p = reinterpret_cast<const float *>(posterior.constData());
    const qsizetype k = posterior.size() / qsizetype(sizeof(float));
    double h = 0;
    for (qsizetype c = 0; c < k; ++c)
        if (p[c] > 0)
            h -= double(p[c]) * std::log2(double(p[c]));
    return h;
}

} // namespace

Result<std::vector<ReviewRow>> reviewQueue(Project &project, qint64 consolidationId,
                                           const ReviewFilter &filter) {
    return attempt([&] {
        QueueQuery query;
        query.minConfidence = filter.minConfidence;
        query.maxConfidence = filter.maxConfidence;
        query.classId = filter.classId;
        query.disagreementOnly = filter.disagreementOnly;
        query.modelDisagreesOnly = filter.modelDisagreesOnly;
        // Entropy order needs every candidate; confidence order is the index's own.
        const bool byEntropy = filter.order == ReviewFilter::Order::EntropyDescending;
        query.limit = byEntropy ? -1 : filter.limit;
        std::vector<ReviewRow> rows;
        for (const QueueRow &row : ReviewRepository(project).queue(consolidationId, query))
            rows.push_back({row.itemId, row.path, row.classId, row.confidence, row.answers,
                            entropyBits(row.posterior), row.decision});
        if (byEntropy) {
            std::stable_sort(rows.begin(), rows.end(), [](const ReviewRow &a, const ReviewRow &b) {
                return a.entropy > b.entropy;
            });
            if (rows.size() > size_t(filter.limit))
                rows.resize(size_t(filter.limit));
        }
        return rows;
    });
}

Result<std::vector<ItemAnswer>> itemAnswers(Project &project, qint64 itemId,
                                            qint64 consolidationId) {
    return attempt([&] {
        std::vector<ItemAnswer> answers;
        for (const AnswerView &a : ReviewRepository(project).itemAnswers(itemId, consolidationId))
            answers.push_back({a.annotator, a.className, a.accuracy.value_or(-1.0)});
        return answers;
    });
}

Result<std::vector<OtherOpinion>> otherOpinions(Project &project, qint64 itemId,
                                                qint64 consolidationId) {
    return attempt(
        [&] { return ReviewRepository(project).otherOpinions(itemId, consolidationId); });
}

Result<void> recordReview(Project &project, qint64 itemId, qint64 reviewerId,
                          ReviewDecision decision, std::optional<qint64> classId,
                          const QString &note, qint64 consolidationId) {
    if (decision == ReviewDecision::Override && !classId)
        return Error{QStringLiteral("an override needs a class")};
    const auto wanted = LabelingSession::answersWanted(project);
    if (!wanted)
        return wanted.error();
    return attempt([&] {
        ReviewRepository(project).record(itemId, reviewerId, decision, classId, note,
                                         consolidationId, *wanted);
    });
}

Result<qint64> reviewAllAs(Project &project, const std::vector<qint64> &itemIds, qint64 classId,
                           qint64 reviewerId, const QString &note) {
    const auto current = currentConsolidationId(project);
    if (!current)
        return current.error();
    for (const qint64 item : itemIds)
        if (const auto recorded = recordReview(project, item, reviewerId, ReviewDecision::Override,
                                               classId, note, *current);
            !recorded)
            return recorded.error();
    return qint64(itemIds.size());
}

Result<std::vector<AnnotatorStats>> annotatorStats(Project &project, qint64 consolidationId,
                                                   QStringList &classNames) {
    return attempt([&] {
        ConsolidationRepository store(project);
        const auto consolidation = store.find(consolidationId);
        if (!consolidation)
            throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
        QHash<qint64, QString> names;
        if (const auto classes = project.classes())
            for (const ClassInfo &c : *classes)
                names.insert(c.id, c.name);
        classNames.clear();
        for (qint64 id : consolidation->classIds)
            classNames << names.value(id);
        const QHash<qint64, double> medians = store.medianAnswerSeconds();
        QHash<qint64, ReferenceScore> reference;
        for (const ReferenceScore &score : store.referenceScores())
            reference.insert(score.annotatorId, score);
        std::vector<AnnotatorStats> stats;
        for (StoredEstimate &e : store.estimates(consolidationId)) {
            AnnotatorStats s{e.annotatorId,
                             e.name,
                             e.answers,
                             e.accuracy,
                             e.agreement,
                             medians.value(e.annotatorId, -1.0),
                             std::move(e.confusion),
                             0,
                             std::nullopt};
            if (const ReferenceScore score = reference.value(e.annotatorId); score.answers > 0) {
                s.referenceAnswers = score.answers;
                s.referenceAccuracy = double(score.agreeing) / double(score.answers);
            }
            stats.push_back(std::move(s));
        }
        return stats;
    });
}

} // namespace winnow::core

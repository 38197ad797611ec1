#include "core/consensus/review.h"

#include "core/io/csvreader.h"
#include "core/io/itemresolver.h"
#include "core/label/labelingsession.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <algorithm>
#include <cmath>

namespace winnow::core {
namespace {

constexpr auto kSelectQueue =
    "SELECT l.item_id, i.path, l.class_id, l.confidence, l.answers, l.posterior,"
    " (SELECT r.decision FROM reviews r WHERE r.item_id = l.item_id ORDER BY r.id DESC LIMIT 1)"
    " FROM consolidated_labels l JOIN items i ON i.id = l.item_id"
    " WHERE l.consolidation_id = ?1 AND l.confidence >= ?2 AND l.confidence <= ?3"
    " AND (?4 IS NULL OR l.class_id = ?4)"
    " AND (?5 = 0 OR EXISTS (SELECT 1 FROM consolidated_labels o WHERE o.item_id = l.item_id"
    "   AND o.class_id <> l.class_id AND o.consolidation_id IN (SELECT id FROM "
    "latest_consolidations"
    "   WHERE method <> (SELECT method FROM consolidations WHERE id = ?1))))"
    " ORDER BY l.confidence, l.item_id LIMIT ?6";
constexpr auto kSelectItemAnswers = "SELECT n.name, c.name, e.accuracy FROM live_answers a JOIN "
                                    "annotators n ON n.id = a.annotator_id"
                                    " JOIN classes c ON c.id = a.class_id"
                                    " LEFT JOIN annotator_estimates e ON e.annotator_id = "
                                    "a.annotator_id AND e.consolidation_id = ?2"
                                    " WHERE a.item_id = ?1"
                                    " ORDER BY a.id";
constexpr auto kSelectOtherOpinions =
    "SELECT c.method, k.name, l.confidence FROM consolidated_labels l JOIN consolidations c ON "
    "c.id = l.consolidation_id"
    " JOIN classes k ON k.id = l.class_id WHERE l.item_id = ?1 AND l.consolidation_id IN"
    " (SELECT id FROM latest_consolidations WHERE method <> (SELECT method FROM consolidations "
    "WHERE id = ?2))"
    " ORDER BY c.method";
constexpr auto kInsertReview = "INSERT INTO reviews (item_id, reviewer_id, decision, class_id, "
                               "note, consolidation_id, created_at)"
                               " VALUES (?, ?, ?, ?, ?, ?, ?)";
constexpr auto kRaiseOverlap =
    "INSERT INTO item_overlap (item_id, wanted) VALUES (?1, ?2)"
    " ON CONFLICT (item_id) DO UPDATE SET wanted = MAX(wanted, excluded.wanted)";
constexpr auto kSelectConsolidatedClass =
    "SELECT class_id FROM consolidated_labels WHERE consolidation_id = ? AND item_id = ?";
constexpr auto kSelectLiveCount =
    "SELECT IFNULL((SELECT answers FROM item_progress WHERE item_id = ?), 0)";
constexpr auto kSelectExport =
    "SELECT l.item_id, k.name, l.confidence, l.answers, r.decision, rk.name, r.created_at"
    " FROM consolidated_labels l JOIN classes k ON k.id = l.class_id"
    " LEFT JOIN reviews r ON r.id = (SELECT MAX(id) FROM reviews WHERE item_id = l.item_id AND "
    "decision <> 'more')"
    " LEFT JOIN classes rk ON rk.id = r.class_id"
    " WHERE l.consolidation_id = ? ORDER BY l.item_id";
constexpr auto kSelectConsolidation = "SELECT method, created_at FROM consolidations WHERE id = ?";

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
        std::vector<ReviewRow> rows;
        Statement query(project.database(), kSelectQueue);
        query.bind(1, consolidationId).bind(2, filter.minConfidence).bind(3, filter.maxConfidence);
        if (filter.classId)
            query.bind(4, *filter.classId);
        query.bind(5, qint64(filter.disagreementOnly));
        // Entropy order needs every candidate; confidence order is the index's own.
        query.bind(6, filter.order == ReviewFilter::Order::EntropyDescending
                          ? qint64(-1)
                          : qint64(filter.limit));
        while (query.step())
            rows.push_back({query.int64(0), project.absolutePath(query.text(1)), query.int64(2),
                            query.real(3), int(query.int64(4)), entropyBits(query.blob(5)),
                            query.text(6)});
        if (filter.order == ReviewFilter::Order::EntropyDescending) {
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
        Statement query(project.database(), kSelectItemAnswers);
        query.bind(1, itemId).bind(2, consolidationId);
        while (query.step())
            answers.push_back(
                {query.text(0), query.text(1), query.isNull(2) ? -1.0 : query.real(2)});
        return answers;
    });
}

Result<std::vector<OtherOpinion>> otherOpinions(Project &project, qint64 itemId,
                                                qint64 consolidationId) {
    return attempt([&] {
        std::vector<OtherOpinion> opinions;
        Statement query(project.database(), kSelectOtherOpinions);
        query.bind(1, itemId).bind(2, consolidationId);
        while (query.step())
            opinions.push_back({query.text(0), query.text(1), query.real(2)});
        return opinions;
    });
}

Result<void> recordReview(Project &project, qint64 itemId, qint64 reviewerId,
                          const QString &decision, std::optional<qint64> classId,
                          const QString &note, qint64 consolidationId) {
    if (decision != QLatin1String("accept") && decision != QLatin1String("override") &&
        decision != QLatin1String("more"))
        return Error{QStringLiteral("unknown review decision '%1'").arg(decision)};
    if (decision == QLatin1String("override") && !classId)
        return Error{QStringLiteral("an override needs a class")};
    const auto wanted = LabelingSession::answersWanted(project);
    if (!wanted)
        return wanted.error();
    return attempt([&] {
        Database &db = project.database();
        Transaction transaction(db);
        if (decision == QLatin1String("accept")) {
            // Pin the class the reviewer saw: a later consolidation must not change an accepted
            // label.
            Statement consolidated(db, kSelectConsolidatedClass);
            consolidated.bind(1, consolidationId).bind(2, itemId);
            if (!consolidated.step())
                throw StoreError(QStringLiteral("item %1 is not in consolidation %2")
                                     .arg(itemId)
                                     .arg(consolidationId));
            classId = consolidated.int64(0);
        }
        Statement insert(db, kInsertReview);
        insert.bind(1, itemId).bind(2, reviewerId).bind(3, decision);
        if (classId)
            insert.bind(4, *classId);
        insert.bind(5, note).bind(6, consolidationId).bind(7, nowIso());
        insert.run();
        if (decision == QLatin1String("more")) {
            Statement live(db, kSelectLiveCount);
            live.bind(1, itemId);
            live.step();
            const qint64 answers = live.int64(0);
            Statement raise(db, kRaiseOverlap);
            raise.bind(1, itemId).bind(2, std::max<qint64>(answers, *wanted) + 1);
            raise.run();
        }
        transaction.commit();
    });
}

Result<std::vector<AnnotatorStats>> annotatorStats(Project &project, qint64 consolidationId,
                                                   QStringList &classNames) {
    return attempt([&] {
        Database &db = project.database();
        classNames.clear();
        {
            Statement info(db, "SELECT class_ids FROM consolidations WHERE id = ?");
            info.bind(1, consolidationId);
            if (!info.step())
                throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
            const QJsonArray ids = QJsonDocument::fromJson(info.text(0).toUtf8()).array();
            Statement name(db, "SELECT name FROM classes WHERE id = ?");
            for (const QJsonValue &id : ids) {
                name.bind(1, qint64(id.toInteger()));
                classNames << (name.step() ? name.text(0) : QString());
                name.reset();
            }
        }
        std::vector<AnnotatorStats> stats;
        QHash<qint64, size_t> index;
        {
            Statement query(
                db, "SELECT e.annotator_id, n.name, e.answers, e.accuracy, e.agreement, e.confusion"
                    " FROM annotator_estimates e JOIN annotators n ON n.id = e.annotator_id"
                    " WHERE e.consolidation_id = ? ORDER BY e.accuracy DESC, n.name");
            query.bind(1, consolidationId);
            while (query.step()) {
                AnnotatorStats s;
                s.annotatorId = query.int64(0);
                s.name = query.text(1);
                s.answers = query.int64(2);
                s.accuracy = query.real(3);
                s.agreement = query.real(4);
                const QByteArray blob = query.blob(5);
                const auto *values = reinterpret_cast<const double *>(blob.constData());
                s.confusion.assign(values, values + blob.size() / qsizetype(sizeof(double)));
                index.insert(s.annotatorId, stats.size());
                stats.push_back(std::move(s));
            }
        }
        Statement durations(
            db, "SELECT annotator_id, duration_ms FROM live_answers WHERE duration_ms IS NOT NULL"
                " ORDER BY annotator_id, duration_ms");
        std::vector<qint64> times;
        qint64 current = -1;
        auto close = [&] {
            if (current >= 0 && !times.empty() && index.contains(current))
                stats[index.value(current)].medianSeconds = times[times.size() / 2] / 1000.0;
            times.clear();
        };
        while (durations.step()) {
            if (durations.int64(0) != current) {
                close();
                current = durations.int64(0);
            }
            times.push_back(durations.int64(1));
        }
        close();
        return stats;
    });
}

Result<qint64> exportConsolidatedLabels(Project &project, qint64 consolidationId,
                                        const QString &file, LabelFormat format,
                                        const QString &jobName) {
    return attempt([&] {
        Database &db = project.database();
        QString method, createdAt;
        {
            Statement info(db, kSelectConsolidation);
            info.bind(1, consolidationId);
            if (!info.step())
                throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
            method = info.text(0);
            createdAt = info.text(1);
        }
        const ItemResolver resolver(project);
        QSaveFile out(file);
        if (!out.open(QIODevice::WriteOnly))
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        if (format == LabelFormat::Csv)
            out.write("item,label,confidence,answers,reviewed\n");
        const auto classes = project.classes();
        QHash<QString, int> classIndex;
        if (classes)
            for (const ClassInfo &c : *classes)
                classIndex.insert(c.name, int(classIndex.size()));
        qint64 rows = 0;
        Statement query(db, kSelectExport);
        query.bind(1, consolidationId);
        while (query.step()) {
            const QString item = resolver.exportName(query.int64(0));
            // A review pins its class (accept or override); an accepted label this consolidation
            // still gives keeps the consolidation's confidence, any other reviewed label has 1.
            const bool reviewed = !query.isNull(4);
            const bool pinned = reviewed && !query.isNull(5);
            const QString label = pinned ? query.text(5) : query.text(1);
            const bool sameAsConsolidated =
                label == query.text(1) && query.text(4) == QLatin1String("accept");
            const double confidence = pinned && !sameAsConsolidated ? 1.0 : query.real(2);
            if (format == LabelFormat::Csv) {
                out.write((CsvReader::quote(item) + u',' + CsvReader::quote(label) + u',' +
                           QString::number(confidence, 'f', 6) + u',' +
                           QString::number(query.int64(3)) + u',' +
                           (reviewed ? QStringLiteral("yes") : QStringLiteral("no")) + u'\n')
                              .toUtf8());
            } else {
                const QJsonObject metadata{
                    {QStringLiteral("class-name"), label},
                    {QStringLiteral("confidence"), confidence},
                    {QStringLiteral("human-annotated"), QStringLiteral("yes")},
                    {QStringLiteral("creation-date"), reviewed ? query.text(6) : createdAt},
                    {QStringLiteral("type"), QStringLiteral("groundtruth/image-classification")},
                    {QStringLiteral("job-name"), QStringLiteral("labeling-job/") + jobName},
                    {QStringLiteral("consolidation-method"), method}};
                const QJsonObject line{
                    {QStringLiteral("source-ref"),
                     project.absolutePath(project.storedPath(resolver.exportName(query.int64(0))))},
                    {jobName, classIndex.value(label, -1)},
                    {jobName + QStringLiteral("-metadata"), metadata}};
                out.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
            }
            ++rows;
        }
        if (!out.commit())
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        return rows;
    });
}

} // namespace winnow::core

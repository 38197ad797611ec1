#include "core/store/consolidationrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace winnow::core {
namespace {

constexpr auto kSelectClassOrder = "SELECT id FROM classes ORDER BY position, id";
constexpr auto kSelectLiveAnswers =
    "SELECT a.item_id, a.annotator_id, a.class_id FROM live_answers a ORDER BY a.item_id, a.id";
constexpr auto kInsertConsolidation =
    "INSERT INTO consolidations (method, parameters, class_ids, created_at, items, answers,"
    " iterations, log_likelihood) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr auto kInsertLabel =
    "INSERT INTO consolidated_labels (consolidation_id, item_id, class_id, confidence, answers,"
    " posterior) VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kInsertEstimate =
    "INSERT INTO annotator_estimates (consolidation_id, annotator_id, answers, accuracy,"
    " agreement, confusion) VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kSelectConsolidations =
    "SELECT id, method, created_at, items, answers, iterations, is_current, class_ids"
    " FROM consolidations WHERE CAST(?1 AS BIGINT) IS NULL OR id = ?1 ORDER BY id DESC";
constexpr auto kClearCurrent = "UPDATE consolidations SET is_current = 0 WHERE is_current = 1";
constexpr auto kMarkCurrent = "UPDATE consolidations SET is_current = 1 WHERE id = ?";
constexpr auto kSelectCurrent =
    "SELECT COALESCE((SELECT id FROM consolidations WHERE is_current = 1), 0)";
constexpr auto kSelectLabel =
    "SELECT class_id FROM consolidated_labels WHERE consolidation_id = ? AND item_id = ?";
constexpr auto kSelectEstimates =
    "SELECT e.annotator_id, n.name, e.answers, e.accuracy, e.agreement, e.confusion"
    " FROM annotator_estimates e JOIN annotators n ON n.id = e.annotator_id"
    " WHERE e.consolidation_id = ? ORDER BY e.accuracy DESC, n.name";
constexpr auto kSelectDurations =
    "SELECT annotator_id, duration_ms FROM live_answers WHERE duration_ms IS NOT NULL"
    " ORDER BY annotator_id, duration_ms";
constexpr auto kSelectAnswerCounts =
    "SELECT a.item_id, a.class_id, COUNT(*), MIN(a.id) FROM live_answers a"
    " GROUP BY a.item_id, a.class_id ORDER BY a.item_id, COUNT(*) DESC, MIN(a.id)";
constexpr auto kSelectImportedAnswerCounts =
    "SELECT a.item_id, a.class_id, COUNT(*), MIN(a.id) FROM live_answers a"
    " JOIN annotators n ON n.id = a.annotator_id WHERE n.kind = 'import'"
    " GROUP BY a.item_id, a.class_id ORDER BY a.item_id, COUNT(*) DESC, MIN(a.id)";
constexpr auto kSelectConsolidationLabels =
    "SELECT item_id, class_id FROM consolidated_labels WHERE consolidation_id = ?"
    " ORDER BY item_id";
constexpr auto kSelectCurrentLabels =
    "SELECT l.item_id, l.class_id FROM consolidated_labels l"
    " JOIN consolidations c ON c.id = l.consolidation_id WHERE c.is_current = 1"
    " ORDER BY l.item_id";
constexpr auto kSelectCurrentConfidences =
    "SELECT l.item_id, l.confidence FROM consolidated_labels l"
    " JOIN consolidations c ON c.id = l.consolidation_id WHERE c.is_current = 1";
constexpr auto kUpsertReference =
    "INSERT INTO reference_labels (item_id, class_id, source) VALUES (?, ?, ?)"
    " ON CONFLICT (item_id) DO UPDATE SET class_id = excluded.class_id, source = excluded.source";
constexpr auto kSelectReference =
    "SELECT item_id, class_id FROM reference_labels ORDER BY item_id LIMIT ?";
constexpr auto kSelectReferenceScores =
    "SELECT a.annotator_id, COUNT(*), SUM(CASE WHEN a.class_id = r.class_id THEN 1 ELSE 0 END)"
    " FROM live_answers a JOIN reference_labels r ON r.item_id = a.item_id"
    " GROUP BY a.annotator_id ORDER BY a.annotator_id";
constexpr auto kSelectPinned =
    "SELECT r.item_id, r.class_id FROM reviews r WHERE r.id IN"
    " (SELECT MAX(id) FROM reviews WHERE decision <> 'more' GROUP BY item_id)"
    " AND r.class_id IS NOT NULL ORDER BY r.item_id";

QString compactJson(const std::vector<qint64> &ids) {
    QJsonArray array;
    for (qint64 id : ids)
        array.append(id);
    return QString::fromUtf8(QJsonDocument(array).toJson(QJsonDocument::Compact));
}

QHash<qint64, qint64> pairs(Statement &query) {
    QHash<qint64, qint64> map;
    while (query.step())
        map.insert(query.int64(0), query.int64(1));
    return map;
}

QHash<qint64, qint64> pairs(Database &db, const char *sql) {
    Statement query(db, sql);
    return pairs(query);
}

// Rows of (item, class, ...) ordered by item, most frequent class first: the first per item.
QHash<qint64, qint64> firstPerItem(Database &db, const char *sql) {
    QHash<qint64, qint64> labels;
    Statement query(db, sql);
    qint64 last = -1;
    while (query.step()) {
        if (query.int64(0) == last)
            continue;
        last = query.int64(0);
        labels.insert(last, query.int64(1));
    }
    return labels;
}

} // namespace

ConsolidationRepository::ConsolidationRepository(Project &project)
    : m_db(databaseOf(project)) {
}

std::vector<qint64> ConsolidationRepository::classIdsInOrder() {
    std::vector<qint64> ids;
    Statement query(m_db, kSelectClassOrder);
    while (query.step())
        ids.push_back(query.int64(0));
    return ids;
}

std::vector<AnswerTriple> ConsolidationRepository::liveAnswers() {
    std::vector<AnswerTriple> answers;
    Statement query(m_db, kSelectLiveAnswers);
    while (query.step())
        answers.push_back({query.int64(0), query.int64(1), query.int64(2)});
    return answers;
}

qint64 ConsolidationRepository::store(const NewConsolidation &c, const QString &createdAt) {
    Transaction transaction(m_db);
    Statement insert(m_db, kInsertConsolidation);
    insert.bind(1, c.method)
        .bind(2, c.parameters)
        .bind(3, compactJson(c.classIds))
        .bind(4, createdAt)
        .bind(5, c.items)
        .bind(6, c.answers)
        .bind(7, c.iterations)
        .bind(8, c.logLikelihood);
    const qint64 id = insert.insert();
    Statement label(m_db, kInsertLabel);
    for (const NewConsolidation::Label &l : c.labels) {
        label.bind(1, id)
            .bind(2, l.itemId)
            .bind(3, l.classId)
            .bind(4, l.confidence)
            .bind(5, l.answers)
            .bind(6, l.posterior);
        label.run();
    }
    Statement estimate(m_db, kInsertEstimate);
    for (const NewConsolidation::Estimate &e : c.estimates) {
        estimate.bind(1, id)
            .bind(2, e.annotatorId)
            .bind(3, e.answers)
            .bind(4, e.accuracy)
            .bind(5, e.agreement)
            .bind(6, e.confusion);
        estimate.run();
    }
    transaction.commit();
    return id;
}

std::vector<StoredConsolidation> ConsolidationRepository::select(std::optional<qint64> id) {
    std::vector<StoredConsolidation> list;
    Statement query(m_db, kSelectConsolidations);
    if (id)
        query.bind(1, *id);
    while (query.step()) {
        StoredConsolidation c;
        c.id = query.int64(0);
        c.method = query.text(1);
        c.createdAt = query.text(2);
        c.items = query.int64(3);
        c.answers = query.int64(4);
        c.iterations = int(query.int64(5));
        c.current = query.int64(6) != 0;
        for (const QJsonValue &classId : QJsonDocument::fromJson(query.text(7).toUtf8()).array())
            c.classIds.push_back(classId.toInteger());
        list.push_back(std::move(c));
    }
    return list;
}

std::vector<StoredConsolidation> ConsolidationRepository::list() {
    return select(std::nullopt);
}

std::optional<StoredConsolidation> ConsolidationRepository::find(qint64 consolidationId) {
    auto found = select(consolidationId);
    if (found.empty())
        return std::nullopt;
    return std::move(found.front());
}

void ConsolidationRepository::markCurrent(qint64 consolidationId) {
    Transaction transaction(m_db);
    Statement(m_db, kClearCurrent).run();
    Statement mark(m_db, kMarkCurrent);
    mark.bind(1, consolidationId);
    mark.run();
    if (m_db.changes() != 1)
        throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
    transaction.commit();
}

qint64 ConsolidationRepository::currentId() {
    Statement query(m_db, kSelectCurrent);
    query.step();
    return query.int64(0);
}

std::optional<qint64> ConsolidationRepository::labelOf(qint64 consolidationId, qint64 itemId) {
    Statement query(m_db, kSelectLabel);
    query.bind(1, consolidationId).bind(2, itemId);
    if (!query.step())
        return std::nullopt;
    return query.int64(0);
}

std::vector<StoredEstimate> ConsolidationRepository::estimates(qint64 consolidationId) {
    std::vector<StoredEstimate> estimates;
    Statement query(m_db, kSelectEstimates);
    query.bind(1, consolidationId);
    while (query.step()) {
        StoredEstimate e;
        e.annotatorId = query.int64(0);
        e.name = query.text(1);
        e.answers = query.int64(2);
        e.accuracy = query.real(3);
        e.agreement = query.real(4);
        const QByteArray blob = query.blob(5);
        const auto *values = reinterpret_cast<const double *>(blob.constData());
        e.confusion.assign(values, values + blob.size() / qsizetype(sizeof(double)));
        estimates.push_back(std::move(e));
    }
    return estimates;
}

QHash<qint64, double> ConsolidationRepository::medianAnswerSeconds() {
    QHash<qint64, double> medians;
    Statement query(m_db, kSelectDurations);
    std::vector<qint64> times;
    qint64 current = -1;
    auto close = [&] {
        if (current >= 0 && !times.empty())
            medians.insert(current, double(times[times.size() / 2]) / 1000.0);
        times.clear();
    };
    while (query.step()) {
        if (query.int64(0) != current) {
            close();
            current = query.int64(0);
        }
        times.push_back(query.int64(1));
    }
    close();
    return medians;
}

QHash<qint64, qint64> ConsolidationRepository::mostFrequentAnswers() {
    return firstPerItem(m_db, kSelectAnswerCounts);
}

QHash<qint64, qint64> ConsolidationRepository::mostFrequentImportedAnswers() {
    return firstPerItem(m_db, kSelectImportedAnswerCounts);
}

QHash<qint64, qint64> ConsolidationRepository::consolidationLabels(qint64 consolidationId) {
    Statement query(m_db, kSelectConsolidationLabels);
    query.bind(1, consolidationId);
    return pairs(query);
}

QHash<qint64, qint64> ConsolidationRepository::currentConsolidationLabels() {
    return pairs(m_db, kSelectCurrentLabels);
}

QHash<qint64, double> ConsolidationRepository::currentConsolidationConfidences() {
    QHash<qint64, double> confidences;
    Statement query(m_db, kSelectCurrentConfidences);
    while (query.step())
        confidences.insert(query.int64(0), query.real(1));
    return confidences;
}

QHash<qint64, qint64> ConsolidationRepository::pinnedReviewLabels() {
    return pairs(m_db, kSelectPinned);
}

void ConsolidationRepository::setReferenceLabels(
    const std::vector<std::pair<qint64, qint64>> &labels, const QString &source) {
    Transaction transaction(m_db);
    Statement insert(m_db, kUpsertReference);
    for (const auto &[item, classId] : labels) {
        insert.bind(1, item).bind(2, classId).bind(3, source);
        insert.step();
        insert.reset();
    }
    transaction.commit();
}

std::vector<std::pair<qint64, qint64>> ConsolidationRepository::referenceLabels(qint64 limit) {
    std::vector<std::pair<qint64, qint64>> labels;
    Statement query(m_db, kSelectReference);
    query.bind(1, limit > 0 ? limit : std::numeric_limits<qint64>::max());
    while (query.step())
        labels.emplace_back(query.int64(0), query.int64(1));
    return labels;
}

std::vector<ReferenceScore> ConsolidationRepository::referenceScores() {
    std::vector<ReferenceScore> scores;
    Statement query(m_db, kSelectReferenceScores);
    while (query.step())
        scores.push_back({query.int64(0), query.int64(1), query.int64(2)});
    return scores;
}

} // namespace winnow::core

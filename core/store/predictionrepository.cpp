#include "core/store/predictionrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <QStringList>
#include <QtEndian>

namespace winnow::core {
namespace {

constexpr auto kInsertSet =
    "INSERT INTO prediction_sets (kind, runs, class_ids, label_source, created_at)"
    " VALUES (?, ?, ?, ?, ?) RETURNING id";
constexpr auto kInsertPrediction =
    "INSERT INTO predictions (set_id, item_id, run_id, given_class_id, class_id, confidence,"
    " held_out, probabilities) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
constexpr auto kSelectSets =
    "SELECT s.id, s.kind, s.runs, s.class_ids, s.label_source, s.created_at,"
    " (SELECT COUNT(*) FROM predictions p WHERE p.set_id = s.id) FROM prediction_sets s"
    " WHERE CAST(?1 AS BIGINT) IS NULL OR s.id = ?1 ORDER BY s.id DESC";
constexpr auto kSelectPredictions =
    "SELECT item_id, run_id, given_class_id, class_id, confidence, held_out, probabilities"
    " FROM predictions WHERE set_id = ? ORDER BY item_id";
constexpr auto kSelectNewestOfItem =
    "SELECT item_id, run_id, given_class_id, class_id, confidence, held_out, probabilities,"
    " set_id FROM predictions WHERE item_id = ? ORDER BY set_id DESC LIMIT 1";
constexpr auto kInsertRound =
    "INSERT INTO autolabel_rounds (set_id, target_accuracy, threshold, estimated_accuracy,"
    " coverage, actor_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id";
constexpr auto kInsertMachineLabel =
    "INSERT INTO machine_labels (round_id, item_id, class_id, confidence) VALUES (?, ?, ?, ?)";
constexpr auto kInsertAutolabeled =
    "INSERT INTO autolabeled_items (item_id, round_id) VALUES (?, ?)";
constexpr auto kIsAutolabeled = "SELECT 1 FROM autolabeled_items WHERE item_id = ?";
constexpr auto kRevertRound =
    "UPDATE autolabel_rounds SET reverted_at = ? WHERE id = ? AND reverted_at IS NULL RETURNING id";
constexpr auto kReleaseItems = "DELETE FROM autolabeled_items WHERE round_id = ?";
constexpr auto kSelectRounds =
    "SELECT r.id, r.set_id, r.target_accuracy, r.threshold, r.estimated_accuracy, r.coverage,"
    " r.created_at, COALESCE(r.reverted_at, ''),"
    " (SELECT COUNT(*) FROM machine_labels m WHERE m.round_id = r.id)"
    " FROM autolabel_rounds r ORDER BY r.id";
constexpr auto kSelectMachineLabels =
    "SELECT item_id, class_id, confidence FROM machine_labels WHERE round_id = ? ORDER BY item_id";
constexpr auto kSelectLiveMachineLabels =
    "SELECT m.item_id, m.class_id FROM autolabeled_items a"
    " JOIN machine_labels m ON m.round_id = a.round_id AND m.item_id = a.item_id";

constexpr auto kSelectLiveMachineConfidences =
    "SELECT m.item_id, m.confidence FROM autolabeled_items a"
    " JOIN machine_labels m ON m.round_id = a.round_id AND m.item_id = a.item_id";

constexpr auto kClearPriority = "DELETE FROM queue_priority";
constexpr auto kInsertPriority = "INSERT INTO queue_priority (item_id, rank) VALUES (?, ?)";
constexpr auto kCountPriority = "SELECT COUNT(*) FROM queue_priority";

QString joinIds(const std::vector<qint64> &ids) {
    QStringList parts;
    for (qint64 id : ids)
        parts << QString::number(id);
    return parts.join(u',');
}

std::vector<qint64> splitIds(const QString &text) {
    std::vector<qint64> ids;
    for (const QString &part : text.split(u',', Qt::SkipEmptyParts))
        ids.push_back(part.toLongLong());
    return ids;
}

QByteArray packFloats(const std::vector<float> &values) {
    QByteArray bytes(qsizetype(values.size() * sizeof(float)), Qt::Uninitialized);
    qToLittleEndian<float>(values.data(), qsizetype(values.size()), bytes.data());
    return bytes;
}

std::vector<float> unpackFloats(const QByteArray &bytes) {
    std::vector<float> values(size_t(bytes.size()) / sizeof(float));
    qFromLittleEndian<float>(bytes.constData(), qsizetype(values.size()), values.data());
    return values;
}

std::vector<PredictionSet> selectSets(Database &db, std::optional<qint64> setId) {
    std::vector<PredictionSet> sets;
    Statement query(db, kSelectSets);
    if (setId)
        query.bind(1, *setId);
    while (query.step()) {
        PredictionSet set;
        set.id = query.int64(0);
        set.kind = query.text(1) == QLatin1String("cross-fit") ? PredictionKind::CrossFit
                                                               : PredictionKind::Run;
        set.runIds = splitIds(query.text(2));
        set.classIds = splitIds(query.text(3));
        set.labelSource = query.text(4);
        set.createdAt = query.text(5);
        set.items = query.int64(6);
        sets.push_back(std::move(set));
    }
    return sets;
}

// A row of item_id, run_id, given_class_id, class_id, confidence, held_out, probabilities.
ItemPrediction predictionRow(const Statement &query) {
    ItemPrediction p;
    p.itemId = query.int64(0);
    p.runId = query.int64(1);
    p.givenClassId = query.isNull(2) ? 0 : query.int64(2);
    p.classId = query.int64(3);
    p.confidence = query.real(4);
    p.heldOut = query.int64(5) != 0;
    p.probabilities = unpackFloats(query.blob(6));
    return p;
}

} // namespace

QString predictionKindName(PredictionKind kind) {
    return kind == PredictionKind::CrossFit ? QStringLiteral("cross-fit") : QStringLiteral("run");
}

PredictionRepository::PredictionRepository(Project &project)
    : m_db(databaseOf(project)) {
}

qint64 PredictionRepository::create(const PredictionSet &set,
                                    const std::vector<ItemPrediction> &predictions) {
    Transaction transaction(m_db);
    Statement insertSet(m_db, kInsertSet);
    insertSet.bind(1, predictionKindName(set.kind))
        .bind(2, joinIds(set.runIds))
        .bind(3, joinIds(set.classIds))
        .bind(4, set.labelSource)
        .bind(5, nowIso());
    const qint64 setId = insertSet.insert();
    Statement insert(m_db, kInsertPrediction);
    for (const ItemPrediction &p : predictions) {
        if (p.probabilities.size() != set.classIds.size())
            throw StoreError(QStringLiteral("item %1: %2 probabilities for %3 classes")
                                 .arg(p.itemId)
                                 .arg(p.probabilities.size())
                                 .arg(set.classIds.size()));
        insert.bind(1, setId).bind(2, p.itemId).bind(3, p.runId);
        if (p.givenClassId > 0)
            insert.bind(4, p.givenClassId);
        else
            insert.bindNull(4);
        insert.bind(5, p.classId)
            .bind(6, p.confidence)
            .bind(7, qint64(p.heldOut))
            .bind(8, packFloats(p.probabilities));
        insert.run();
    }
    transaction.commit();
    return setId;
}

std::vector<PredictionSet> PredictionRepository::list() {
    return selectSets(m_db, std::nullopt);
}

std::optional<PredictionSet> PredictionRepository::find(qint64 setId) {
    auto sets = selectSets(m_db, setId);
    return sets.empty() ? std::nullopt : std::optional(std::move(sets.front()));
}

std::optional<PredictionSet> PredictionRepository::latest(PredictionKind kind, qint64 runId) {
    for (PredictionSet &set : selectSets(m_db, std::nullopt)) // newest first
        if (set.kind == kind && (runId == 0 || std::find(set.runIds.begin(), set.runIds.end(),
                                                         runId) != set.runIds.end()))
            return std::move(set);
    return std::nullopt;
}

std::vector<ItemPrediction> PredictionRepository::predictions(qint64 setId) {
    std::vector<ItemPrediction> rows;
    Statement query(m_db, kSelectPredictions);
    query.bind(1, setId);
    while (query.step())
        rows.push_back(predictionRow(query));
    return rows;
}

std::optional<std::pair<ItemPrediction, PredictionSet>>
PredictionRepository::newestPredictionOf(qint64 itemId) {
    Statement query(m_db, kSelectNewestOfItem);
    query.bind(1, itemId);
    if (!query.step())
        return std::nullopt;
    ItemPrediction prediction = predictionRow(query);
    auto set = find(query.int64(7));
    if (!set)
        return std::nullopt;
    return std::make_pair(std::move(prediction), std::move(*set));
}

qint64 PredictionRepository::applyAutolabel(const AutolabelRound &round,
                                            const std::vector<MachineLabel> &labels,
                                            qint64 actorId) {
    Transaction transaction(m_db);
    Statement insertRound(m_db, kInsertRound);
    insertRound.bind(1, round.setId)
        .bind(2, round.targetAccuracy)
        .bind(3, round.threshold)
        .bind(4, round.estimatedAccuracy)
        .bind(5, round.coverage);
    if (actorId > 0)
        insertRound.bind(6, actorId);
    else
        insertRound.bindNull(6);
    insertRound.bind(7, nowIso());
    const qint64 roundId = insertRound.insert();
    Statement taken(m_db, kIsAutolabeled);
    Statement insertLabel(m_db, kInsertMachineLabel);
    Statement insertItem(m_db, kInsertAutolabeled);
    for (const MachineLabel &label : labels) {
        taken.bind(1, label.itemId);
        const bool already = taken.step();
        taken.reset();
        if (already) // a live round labels it already
            continue;
        insertLabel.bind(1, roundId)
            .bind(2, label.itemId)
            .bind(3, label.classId)
            .bind(4, label.confidence);
        insertLabel.run();
        insertItem.bind(1, label.itemId).bind(2, roundId);
        insertItem.run();
    }
    transaction.commit();
    return roundId;
}

bool PredictionRepository::revertAutolabel(qint64 roundId) {
    Transaction transaction(m_db);
    Statement revert(m_db, kRevertRound);
    revert.bind(1, nowIso()).bind(2, roundId);
    if (revert.insert() == 0)
        return false;
    Statement release(m_db, kReleaseItems);
    release.bind(1, roundId);
    release.run();
    transaction.commit();
    return true;
}

std::vector<AutolabelRound> PredictionRepository::autolabelRounds() {
    std::vector<AutolabelRound> rounds;
    Statement query(m_db, kSelectRounds);
    while (query.step())
        rounds.push_back({query.int64(0), query.int64(1), query.real(2), query.real(3),
                          query.real(4), query.real(5), query.text(6), query.text(7),
                          query.int64(8)});
    return rounds;
}

std::vector<MachineLabel> PredictionRepository::machineLabels(qint64 roundId) {
    std::vector<MachineLabel> labels;
    Statement query(m_db, kSelectMachineLabels);
    query.bind(1, roundId);
    while (query.step())
        labels.push_back({query.int64(0), query.int64(1), query.real(2)});
    return labels;
}

QHash<qint64, qint64> PredictionRepository::liveMachineLabels() {
    QHash<qint64, qint64> labels;
    Statement query(m_db, kSelectLiveMachineLabels);
    while (query.step())
        labels.insert(query.int64(0), query.int64(1));
    return labels;
}

QHash<qint64, double> PredictionRepository::liveMachineConfidences() {
    QHash<qint64, double> confidences;
    Statement query(m_db, kSelectLiveMachineConfidences);
    while (query.step())
        confidences.insert(query.int64(0), query.real(1));
    return confidences;
}

void PredictionRepository::setQueuePriority(const std::vector<qint64> &items) {
    Transaction transaction(m_db);
    m_db.execute(QString::fromLatin1(kClearPriority));
    Statement insert(m_db, kInsertPriority);
    qint64 rank = 0;
    for (qint64 item : items) {
        insert.bind(1, item).bind(2, ++rank);
        insert.run();
    }
    transaction.commit();
}

qint64 PredictionRepository::rankedItems() {
    Statement count(m_db, kCountPriority);
    return count.step() ? count.int64(0) : 0;
}

} // namespace winnow::core

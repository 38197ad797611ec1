#include "core/store/flagrepository.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"

namespace winnow::core {
namespace {

constexpr auto kDeleteKind = "DELETE FROM flags WHERE kind = ?";
constexpr auto kInsertFlag = "INSERT INTO flags (item_id, kind, cluster, value, detail, created_at)"
                             " VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kSelectClusterMembers =
    "SELECT f.cluster, f.item_id, i.split, f.kind = 'exact-duplicate'"
    " FROM flags f JOIN items i ON i.id = f.item_id"
    " WHERE f.kind IN ('exact-duplicate', 'near-duplicate') ORDER BY f.cluster, f.item_id";
constexpr auto kInsertDivergent =
    "INSERT INTO flags (item_id, kind, value, detail, created_at)"
    " SELECT l.item_id, 'divergent', l.confidence,"
    " CASE WHEN l.confidence < ?1 THEN 'low confidence' ELSE 'methods disagree' END, ?2"
    " FROM consolidated_labels l WHERE l.consolidation_id = (SELECT MAX(id) FROM consolidations)"
    " AND (l.confidence < ?1 OR EXISTS (SELECT 1 FROM consolidated_labels o"
    "  WHERE o.item_id = l.item_id AND o.class_id <> l.class_id"
    "  AND o.consolidation_id IN (SELECT id FROM latest_consolidations"
    "   WHERE method <> (SELECT method FROM consolidations ORDER BY id DESC LIMIT 1))))";
// An item's exclusion state is its latest exclusion row.
constexpr auto kSelectFlags =
    "SELECT f.item_id, i.path, f.kind, COALESCE(f.cluster, 0), COALESCE(f.value, 0), f.detail,"
    " i.split, COALESCE((SELECT e.excluded FROM exclusions e WHERE e.item_id = f.item_id"
    "  ORDER BY e.id DESC LIMIT 1), 0)"
    " FROM flags f JOIN items i ON i.id = f.item_id WHERE (?1 = '' OR f.kind = ?1)"
    " AND (CAST(?2 AS BIGINT) IS NULL OR f.item_id = ?2)"
    " ORDER BY f.kind, COALESCE(f.cluster, 0), i.path";
constexpr auto kCountFlags = "SELECT kind, COUNT(*) FROM flags GROUP BY kind ORDER BY kind";
constexpr auto kCountUnresolvedLeaks =
    "SELECT COUNT(*) FROM flags f WHERE f.kind = 'leak' AND COALESCE((SELECT e.excluded"
    " FROM exclusions e WHERE e.item_id = f.item_id ORDER BY e.id DESC LIMIT 1), 0) = 0";
constexpr auto kInsertExclusion =
    "INSERT INTO exclusions (item_id, excluded, reason, actor_id, created_at)"
    " VALUES (?, ?, ?, ?, ?)";
constexpr auto kSelectExclusions = "SELECT item_id, excluded FROM exclusions ORDER BY id";

} // namespace

FlagRepository::FlagRepository(Project &project)
    : m_project(project)
    , m_db(databaseOf(project)) {
}

void FlagRepository::replace(std::initializer_list<FlagKind> kinds,
                             const std::vector<NewFlag> &flags) {
    Transaction transaction(m_db);
    Statement remove(m_db, kDeleteKind);
    for (FlagKind kind : kinds) {
        remove.bind(1, flagKindName(kind));
        remove.run();
    }
    Statement insert(m_db, kInsertFlag);
    const QString now = nowIso();
    for (const NewFlag &flag : flags) {
        insert.bind(1, flag.itemId).bind(2, flagKindName(flag.kind));
        if (flag.cluster > 0)
            insert.bind(3, flag.cluster);
        else
            insert.bindNull(3);
        insert.bind(4, flag.value).bind(5, flag.detail).bind(6, now);
        insert.run();
    }
    transaction.commit();
}

std::vector<ClusterMember> FlagRepository::duplicateClusterMembers() {
    std::vector<ClusterMember> members;
    Statement query(m_db, kSelectClusterMembers);
    while (query.step())
        members.push_back(
            {int(query.int64(0)), query.int64(1), query.text(2), query.int64(3) != 0});
    return members;
}

qint64 FlagRepository::replaceDivergent(double minConfidence) {
    Transaction transaction(m_db);
    Statement remove(m_db, kDeleteKind);
    remove.bind(1, flagKindName(FlagKind::Divergent));
    remove.run();
    Statement insert(m_db, kInsertDivergent);
    insert.bind(1, minConfidence).bind(2, nowIso());
    insert.run();
    const qint64 flagged = m_db.changes();
    transaction.commit();
    return flagged;
}

std::vector<FlagRow> FlagRepository::list(std::optional<FlagKind> kind) {
    return select(kind, std::nullopt);
}

std::vector<FlagRow> FlagRepository::flagsOf(qint64 itemId) {
    return select(std::nullopt, itemId);
}

std::vector<FlagRow> FlagRepository::select(std::optional<FlagKind> kind,
                                            std::optional<qint64> itemId) {
    std::vector<FlagRow> rows;
    Statement query(m_db, kSelectFlags);
    query.bind(1, kind ? flagKindName(*kind) : QString());
    if (itemId)
        query.bind(2, *itemId);
    else
        query.bindNull(2);
    while (query.step()) {
        const auto rowKind = parseFlagKind(query.text(2));
        if (!rowKind)
            continue; // a kind a newer build wrote
        rows.push_back({query.int64(0), m_project.absolutePath(query.text(1)), *rowKind,
                        int(query.int64(3)), query.real(4), query.text(5), query.text(6),
                        query.int64(7) != 0});
    }
    return rows;
}

QHash<QString, qint64> FlagRepository::counts() {
    QHash<QString, qint64> counts;
    Statement query(m_db, kCountFlags);
    while (query.step())
        counts.insert(query.text(0), query.int64(1));
    return counts;
}

qint64 FlagRepository::unresolvedLeaks() {
    Statement query(m_db, kCountUnresolvedLeaks);
    return query.step() ? query.int64(0) : 0;
}

void FlagRepository::setExcluded(const std::vector<qint64> &itemIds, bool excluded,
                                 const QString &reason, qint64 actorId) {
    Transaction transaction(m_db);
    Statement insert(m_db, kInsertExclusion);
    const QString now = nowIso();
    for (qint64 id : itemIds) {
        insert.bind(1, id).bind(2, qint64(excluded)).bind(3, reason);
        if (actorId > 0)
            insert.bind(4, actorId);
        else
            insert.bindNull(4);
        insert.bind(5, now);
        insert.run();
    }
    transaction.commit();
}

QHash<qint64, bool> FlagRepository::exclusions() {
    QHash<qint64, bool> state;
    Statement query(m_db, kSelectExclusions);
    while (query.step())
        state.insert(query.int64(0), query.int64(1) != 0);
    return state;
}

} // namespace winnow::core

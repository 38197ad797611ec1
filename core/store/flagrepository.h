#pragma once

#include "core/store/records.h"

#include <QHash>
#include <QString>
#include <initializer_list>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

struct NewFlag {
    qint64 itemId = 0;
    FlagKind kind = FlagKind::Divergent;
    int cluster = 0; // 0: none
    double value = 0;
    QString detail;
};

// A member of a duplicate cluster, with the split it is in.
struct ClusterMember {
    int cluster = 0;
    qint64 itemId = 0;
    QString split;
    bool exact = false; // flagged as an exact copy (same bytes or pixels)
};

// Flags on items and the exclusions a curator made. Methods throw StoreError.
class FlagRepository {
public:
    explicit FlagRepository(Project &project);

    // Replaces every flag of `kinds` with `flags`, all or nothing.
    void replace(std::initializer_list<FlagKind> kinds, const std::vector<NewFlag> &flags);
    // Members of the exact and near duplicate clusters, by cluster.
    std::vector<ClusterMember> duplicateClusterMembers();
    // Replaces the divergent flags: items of the newest consolidation under `minConfidence`, or
    // that the newest consolidation of another method labels otherwise. Returns how many.
    qint64 replaceDivergent(double minConfidence);
    // In kind, cluster and path order; every kind when none is given.
    std::vector<FlagRow> list(std::optional<FlagKind> kind);
    std::vector<FlagRow> flagsOf(qint64 itemId); // every kind
    QHash<QString, qint64> counts();             // by kind name
    // Items flagged as leaks and not excluded.
    qint64 unresolvedLeaks();

    // Records an exclusion (or a restore) with who and when; never deletes.
    void setExcluded(const std::vector<qint64> &itemIds, bool excluded, const QString &reason,
                     qint64 actorId);
    // Each item's latest exclusion state, for items ever excluded or restored.
    QHash<qint64, bool> exclusions();

private:
    std::vector<FlagRow> select(std::optional<FlagKind> kind, std::optional<qint64> itemId);

    Project &m_project;
    Database &m_db;
};

} // namespace winnow::core

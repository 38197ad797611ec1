#include "core/curation/curation.h"

#include "core/curation/duplicates.h"
#include "core/io/rasterimage.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QtConcurrent/QtConcurrentMap>
#include <cmath>
#include <map>
#include <set>

namespace winnow::core {
namespace {

constexpr auto kInsertFlag = "INSERT INTO flags (item_id, kind, cluster, value, detail, "
                             "created_at) VALUES (?, ?, ?, ?, ?, ?)";
constexpr auto kDeleteKind = "DELETE FROM flags WHERE kind = ?";

void clearKinds(Database &db, std::initializer_list<const char *> kinds) {
    Statement remove(db, kDeleteKind);
    for (const char *kind : kinds) {
        remove.bind(1, QString::fromLatin1(kind));
        remove.run();
    }
}

class FlagWriter {
public:
    explicit FlagWriter(Database &db)
        : m_insert(db, kInsertFlag)
        , m_now(nowIso()) {}
    void add(qint64 item, const QString &kind, int cluster, double value,
             const QString &detail = {}) {
        m_insert.bind(1, item).bind(2, kind);
        if (cluster > 0)
            m_insert.bind(3, cluster);
        m_insert.bind(4, value).bind(5, detail).bind(6, m_now);
        m_insert.run();
    }

private:
    Statement m_insert;
    QString m_now;
};

// Leak flags for every duplicate cluster whose members are in train and in val or test.
DuplicateSummary writeLeaks(Database &db) {
    std::map<int, std::set<QString>> splits;
    std::map<int, std::vector<qint64>> members;
    {
        Statement query(
            db,
            "SELECT f.cluster, f.item_id, i.split FROM flags f JOIN items i ON i.id = f.item_id"
            " WHERE f.kind IN ('exact-duplicate', 'near-duplicate') ORDER BY f.cluster, f.item_id");
        while (query.step()) {
            splits[int(query.int64(0))].insert(query.text(2));
            members[int(query.int64(0))].push_back(query.int64(1));
        }
    }
    clearKinds(db, {"leak"});
    FlagWriter writer(db);
    DuplicateSummary summary;
    for (const auto &[cluster, names] : splits) {
        const bool leaks =
            names.count(QStringLiteral("train")) &&
            (names.count(QStringLiteral("val")) || names.count(QStringLiteral("test")));
        if (!leaks)
            continue;
        ++summary.leakClusters;
        QStringList list(names.begin(), names.end());
        for (qint64 item : members[cluster]) {
            writer.add(item, QStringLiteral("leak"), cluster, 0,
                       QStringLiteral("cluster spans %1").arg(list.join(QStringLiteral(", "))));
            ++summary.leakItems;
        }
    }
    return summary;
}

} // namespace

Result<DuplicateSummary> flagDuplicates(Project &project, int maxDistance, bool mirrors) {
    return attempt([&] {
        Database &db = project.database();
        std::vector<qint64> ids;
        std::vector<Fingerprint> prints;
        {
            Statement query(
                db, "SELECT id, content_hash, IFNULL(pixel_hash, x''), IFNULL(perceptual_hash, 0),"
                    " IFNULL(mirrored_hash, 0) FROM items ORDER BY path");
            while (query.step()) {
                ids.push_back(query.int64(0));
                prints.push_back({query.blob(1), query.blob(2), std::uint64_t(query.int64(3)),
                                  std::uint64_t(query.int64(4))});
            }
        }
        const DuplicateClusters clusters = findDuplicates(prints, maxDistance, mirrors);
        std::vector<int> first(size_t(clusters.count), -1);
        for (size_t i = 0; i < ids.size(); ++i)
            if (clusters.cluster[i] > 0 && first[size_t(clusters.cluster[i] - 1)] < 0)
                first[size_t(clusters.cluster[i] - 1)] = int(i);
        Transaction transaction(db);
        clearKinds(db, {"exact-duplicate", "near-duplicate"});
        DuplicateSummary summary;
        {
            FlagWriter writer(db);
            for (size_t i = 0; i < ids.size(); ++i) {
                const int c = clusters.cluster[i];
                if (c == 0)
                    continue;
                const bool exact = clusters.exact[size_t(c - 1)];
                const Fingerprint &head = prints[size_t(first[size_t(c - 1)])];
                int distance = __builtin_popcountll(prints[i].perceptual ^ head.perceptual);
                if (mirrors && head.mirrored != 0)
                    distance = std::min(distance,
                                        __builtin_popcountll(prints[i].perceptual ^ head.mirrored));
                writer.add(ids[i],
                           exact ? QStringLiteral("exact-duplicate")
                                 : QStringLiteral("near-duplicate"),
                           c, distance,
                           exact ? QStringLiteral("same bytes or pixels")
                                 : QStringLiteral("perceptual distance %1").arg(distance));
                ++summary.duplicateItems;
            }
        }
        for (bool exact : clusters.exact)
            (exact ? summary.exactClusters : summary.nearClusters) += 1;
        const DuplicateSummary leaks = writeLeaks(db);
        summary.leakClusters = leaks.leakClusters;
        summary.leakItems = leaks.leakItems;
        transaction.commit();
        return summary;
    });
}

Result<DuplicateSummary> flagLeaks(Project &project) {
    return attempt([&] {
        Transaction transaction(project.database());
        const DuplicateSummary summary = writeLeaks(project.database());
        transaction.commit();
        return summary;
    });
}

Result<qint64> flagQuality(Project &project, const QualityThresholds &t, const ProgressFn &progress,
                           const CancelToken *cancel) {
    return attempt([&] {
        struct Item {
            qint64 id;
            QString path;
            int width, height;
        };
        std::vector<Item> items;
        {
            Statement query(project.database(),
                            "SELECT id, path, width, height FROM items ORDER BY id");
            while (query.step())
                items.push_back({query.int64(0), project.absolutePath(query.text(1)),
                                 int(query.int64(2)), int(query.int64(3))});
        }
        struct Stats {
            double mean = -1, deviation = 0;
        };
        // Brightness statistics from a reduced copy: enough to tell dark from bright.
        auto measure = [](const Item &item) {
            Stats s;
            const auto raster = loadRasterImage(item.path, 64);
            if (!raster)
                return s;
            const auto *p = reinterpret_cast<const unsigned char *>(raster->pixels.constData());
            const qsizetype n = raster->pixels.size();
            double sum = 0, squares = 0;
            for (qsizetype i = 0; i < n; ++i) {
                sum += p[i];
                squares += double(p[i]) * p[i];
            }
            s.mean = sum / double(n) / 255.0;
            s.deviation = std::sqrt(std::max(0.0, squares / double(n) -
                                                      (sum / double(n)) * (sum / double(n)))) /
                          255.0;
            return s;
        };
        std::vector<Stats> stats(items.size());
        const size_t chunk = 2048;
        for (size_t start = 0; start < items.size(); start += chunk) {
            if (cancel && cancel->isCancelled())
                throw StoreError(QStringLiteral("cancelled"));
            const std::vector<Item> part(items.begin() + std::ptrdiff_t(start),
                                         items.begin() +
                                             std::ptrdiff_t(std::min(items.size(), start + chunk)));
            const QList<Stats> measured = QtConcurrent::blockingMapped<QList<Stats>>(part, measure);
            std::copy(measured.begin(), measured.end(), stats.begin() + std::ptrdiff_t(start));
            if (progress)
                progress(qint64(std::min(items.size(), start + chunk)), qint64(items.size()),
                         QStringLiteral("Measuring images"));
        }
        Database &db = project.database();
        Transaction transaction(db);
        clearKinds(db, {"dark", "bright", "low-information", "odd-size"});
        FlagWriter writer(db);
        qint64 flagged = 0;
        for (size_t i = 0; i < items.size(); ++i) {
            const Stats &s = stats[i];
            const Item &item = items[i];
            if (s.mean >= 0 && s.mean < t.dark)
                writer.add(item.id, QStringLiteral("dark"), 0, s.mean,
                           QStringLiteral("mean brightness %1").arg(s.mean, 0, 'f', 2)),
                    ++flagged;
            if (s.mean > t.bright)
                writer.add(item.id, QStringLiteral("bright"), 0, s.mean,
                           QStringLiteral("mean brightness %1").arg(s.mean, 0, 'f', 2)),
                    ++flagged;
            if (s.mean >= 0 && s.deviation < t.lowContrast)
                writer.add(
                    item.id, QStringLiteral("low-information"), 0, s.deviation,
                    QStringLiteral("near-constant (deviation %1)").arg(s.deviation, 0, 'f', 3)),
                    ++flagged;
            const double aspect = double(std::max(item.width, item.height)) /
                                  std::max(1, std::min(item.width, item.height));
            if (aspect > t.maxAspect || std::min(item.width, item.height) < t.minSide)
                writer.add(item.id, QStringLiteral("odd-size"), 0, aspect,
                           QStringLiteral("%1 x %2").arg(item.width).arg(item.height)),
                    ++flagged;
        }
        transaction.commit();
        return flagged;
    });
}

Result<qint64> flagDivergent(Project &project, double minConfidence) {
    return attempt([&] {
        Database &db = project.database();
        Transaction transaction(db);
        clearKinds(db, {"divergent"});
        Statement insert(
            db,
            "INSERT INTO flags (item_id, kind, value, detail, created_at)"
            " SELECT l.item_id, 'divergent', l.confidence,"
            " CASE WHEN l.confidence < ?2 THEN 'low confidence' ELSE 'methods disagree' END, ?3"
            " FROM consolidated_labels l WHERE l.consolidation_id = (SELECT MAX(id) FROM "
            "consolidations)"
            " AND (l.confidence < ?2 OR EXISTS (SELECT 1 FROM consolidated_labels o WHERE "
            "o.item_id = l.item_id"
            "  AND o.class_id <> l.class_id AND o.consolidation_id IN (SELECT id FROM "
            "latest_consolidations"
            "  WHERE method <> (SELECT method FROM consolidations ORDER BY id DESC LIMIT 1))))");
        insert.bind(2, minConfidence).bind(3, nowIso());
        insert.run();
        const qint64 flagged = db.changes();
        transaction.commit();
        return flagged;
    });
}

Result<std::vector<FlagRow>> listFlags(Project &project, const QString &kind) {
    return attempt([&] {
        std::vector<FlagRow> rows;
        Statement query(
            project.database(),
            "SELECT f.item_id, i.path, f.kind, IFNULL(f.cluster, 0), IFNULL(f.value, 0), f.detail, "
            "i.split,"
            " IFNULL((SELECT e.excluded FROM exclusions e WHERE e.item_id = f.item_id ORDER BY "
            "e.id DESC LIMIT 1), 0)"
            " FROM flags f JOIN items i ON i.id = f.item_id WHERE (?1 = '' OR f.kind = ?1)"
            " ORDER BY f.kind, IFNULL(f.cluster, 0), i.path");
        query.bind(1, kind);
        while (query.step())
            rows.push_back({query.int64(0), project.absolutePath(query.text(1)), query.text(2),
                            int(query.int64(3)), query.real(4), query.text(5), query.text(6),
                            query.int64(7) != 0});
        return rows;
    });
}

Result<QHash<QString, qint64>> flagCounts(Project &project) {
    return attempt([&] {
        QHash<QString, qint64> counts;
        Statement query(project.database(),
                        "SELECT kind, COUNT(*) FROM flags GROUP BY kind ORDER BY kind");
        while (query.step())
            counts.insert(query.text(0), query.int64(1));
        return counts;
    });
}

Result<void> setExcluded(Project &project, const std::vector<qint64> &itemIds, bool excluded,
                         const QString &reason, qint64 actorId) {
    return attempt([&] {
        Database &db = project.database();
        Transaction transaction(db);
        Statement insert(db, "INSERT INTO exclusions (item_id, excluded, reason, actor_id, "
                             "created_at) VALUES (?, ?, ?, ?, ?)");
        const QString now = nowIso();
        for (qint64 id : itemIds) {
            insert.bind(1, id).bind(2, qint64(excluded)).bind(3, reason);
            if (actorId > 0)
                insert.bind(4, actorId);
            insert.bind(5, now);
            insert.run();
        }
        transaction.commit();
    });
}

Result<QHash<qint64, bool>> exclusions(Project &project) {
    return attempt([&] {
        QHash<qint64, bool> state;
        Statement query(project.database(), "SELECT item_id, excluded FROM exclusions ORDER BY id");
        while (query.step())
            state.insert(query.int64(0), query.int64(1) != 0);
        return state;
    });
}

} // namespace winnow::core

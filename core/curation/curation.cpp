#include "core/curation/curation.h"

#include "core/curation/duplicates.h"
#include "core/io/rasterimage.h"
#include "core/label/labelsource.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QtConcurrent/QtConcurrentMap>
#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace winnow::core {
namespace {

// Leak flags for every duplicate cluster whose members are in train and in val or test.
std::vector<NewFlag> leakFlags(const std::vector<ClusterMember> &clusterMembers,
                               DuplicateSummary &summary) {
    std::map<int, std::set<QString>> splits;
    std::map<int, std::vector<qint64>> members;
    for (const ClusterMember &member : clusterMembers) {
        splits[member.cluster].insert(member.split);
        members[member.cluster].push_back(member.itemId);
    }
    std::vector<NewFlag> flags;
    for (const auto &[cluster, names] : splits) {
        if (!splitsLeak(names))
            continue;
        ++summary.leakClusters;
        const QStringList list(names.begin(), names.end());
        for (qint64 item : members[cluster]) {
            flags.push_back(
                {item, FlagKind::Leak, cluster, 0,
                 QStringLiteral("cluster spans %1").arg(list.join(QStringLiteral(", ")))});
            ++summary.leakItems;
        }
    }
    return flags;
}

} // namespace

namespace {

// Label-conflict flags for every member of a cluster whose labelled members carry more than one
// class: the copies most worth a curator's look.
std::vector<NewFlag> conflictFlags(Project &project, const std::vector<ClusterMember> &members,
                                   DuplicateSummary &summary) {
    const auto labels = currentLabels(project);
    if (!labels)
        throw StoreError(labels.error().message);
    QHash<qint64, QString> names;
    if (const auto classes = project.classes())
        for (const ClassInfo &c : *classes)
            names.insert(c.id, c.name);
    std::map<int, std::set<QString>> classesOf;
    for (const ClusterMember &m : members)
        if (const qint64 label = labels->value(m.itemId))
            classesOf[m.cluster].insert(names.value(label));
    std::vector<NewFlag> flags;
    for (const auto &[cluster, classes] : classesOf) {
        if (classes.size() < 2)
            continue;
        ++summary.conflictClusters;
        const QString detail =
            QStringLiteral("labels disagree: %1")
                .arg(QStringList(classes.begin(), classes.end()).join(QStringLiteral(", ")));
        for (const ClusterMember &m : members)
            if (m.cluster == cluster)
                flags.push_back(
                    {m.itemId, FlagKind::LabelConflict, cluster, double(classes.size()), detail});
    }
    return flags;
}

} // namespace

std::vector<Fingerprint> projectFingerprints(const std::vector<ItemFacts> &items) {
    std::vector<Fingerprint> prints(items.size());
    QtConcurrent::blockingMap(prints, [&](Fingerprint &print) {
        const ItemFacts &item = items[size_t(&print - prints.data())];
        print = {item.contentHash, item.pixelHash, item.perceptualHash, item.mirroredHash,
                 appearanceOfFile(item.path)};
    });
    return prints;
}

Result<DuplicateSummary> flagDuplicates(Project &project, int maxDistance, bool mirrors) {
    return attempt([&] {
        const std::vector<ItemFacts> items =
            ItemRepository(project).all(ItemRepository::Order::ByPath);
        const std::vector<Fingerprint> prints = projectFingerprints(items);
        const DuplicateClusters clusters = findDuplicates(prints, maxDistance, mirrors);
        std::vector<int> first(size_t(clusters.count), -1);
        for (size_t i = 0; i < items.size(); ++i)
            if (clusters.cluster[i] > 0 && first[size_t(clusters.cluster[i] - 1)] < 0)
                first[size_t(clusters.cluster[i] - 1)] = int(i);
        DuplicateSummary summary;
        std::vector<NewFlag> flags;
        std::vector<ClusterMember> members;
        for (size_t i = 0; i < items.size(); ++i) {
            const int c = clusters.cluster[i];
            if (c == 0)
                continue;
            const bool exact = clusters.exact[size_t(c - 1)];
            const Fingerprint &head = prints[size_t(first[size_t(c - 1)])];
            int distance = __builtin_popcountll(prints[i].perceptual ^ head.perceptual);
            if (mirrors && head.mirrored != 0)
                distance =
                    std::min(distance, __builtin_popcountll(prints[i].perceptual ^ head.mirrored));
            flags.push_back({items[i].id,
                             exact ? FlagKind::ExactDuplicate : FlagKind::NearDuplicate, c,
                             double(distance),
                             exact ? QStringLiteral("same bytes or pixels")
                                   : QStringLiteral("perceptual distance %1").arg(distance)});
            members.push_back({c, items[i].id, items[i].split});
            ++summary.duplicateItems;
        }
        for (bool exact : clusters.exact)
            (exact ? summary.exactClusters : summary.nearClusters) += 1;
        std::sort(members.begin(), members.end(),
                  [](const ClusterMember &a, const ClusterMember &b) {
                      return std::pair(a.cluster, a.itemId) < std::pair(b.cluster, b.itemId);
                  });
        const std::vector<NewFlag> leaks = leakFlags(members, summary);
        flags.insert(flags.end(), leaks.begin(), leaks.end());
        const std::vector<NewFlag> conflicts = conflictFlags(project, members, summary);
        flags.insert(flags.end(), conflicts.begin(), conflicts.end());
        FlagRepository(project).replace({FlagKind::ExactDuplicate, FlagKind::NearDuplicate,
                                         FlagKind::Leak, FlagKind::LabelConflict},
                                        flags);
        return summary;
    });
}

Result<DuplicateSummary> flagLeaks(Project &project) {
    return attempt([&] {
        FlagRepository flags(project);
        DuplicateSummary summary;
        flags.replace({FlagKind::Leak}, leakFlags(flags.duplicateClusterMembers(), summary));
        return summary;
    });
}

namespace {

struct RobustSpread {
    double median = 0;
    double sd = 0; // the median absolute deviation, scaled to a normal's standard deviation
};

RobustSpread robustSpread(std::vector<double> values) {
    if (values.empty())
        return {};
    const auto middle = [](std::vector<double> &v) {
        std::nth_element(v.begin(), v.begin() + std::ptrdiff_t(v.size() / 2), v.end());
        return v[v.size() / 2];
    };
    RobustSpread spread;
    spread.median = middle(values);
    for (double &value : values)
        value = std::abs(value - spread.median);
    spread.sd = 1.4826 * middle(values);
    return spread;
}

} // namespace

Result<qint64> flagQuality(Project &project, const QualityThresholds &t, const ProgressFn &progress,
                           const CancelToken *cancel) {
    return attempt([&] {
        using Item = ItemFacts;
        const std::vector<Item> items = ItemRepository(project).all(ItemRepository::Order::ById);
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
        // What is dark, bright or flat depends on the data set: Fashion-MNIST's garments on
        // black are darker than most photographs without being dark pictures. A limit is the
        // absolute one or the set's own outlier bound (median -/+ 3 robust deviations),
        // whichever is stricter, but never laxer than a third of the way to the extreme.
        std::vector<double> means, deviations;
        for (const Stats &s : stats) {
            if (s.mean >= 0) {
                means.push_back(s.mean);
                deviations.push_back(s.deviation);
            }
        }
        const RobustSpread brightnessSpread = robustSpread(means);
        const RobustSpread contrastSpread = robustSpread(deviations);
        const double darkLimit = std::max(
            t.dark / 3, std::min(t.dark, brightnessSpread.median - 3 * brightnessSpread.sd));
        const double brightLimit =
            std::min(1 - (1 - t.bright) / 3,
                     std::max(t.bright, brightnessSpread.median + 3 * brightnessSpread.sd));
        const double flatLimit =
            std::max(t.lowContrast / 3,
                     std::min(t.lowContrast, contrastSpread.median - 3 * contrastSpread.sd));
        std::vector<NewFlag> flags;
        for (size_t i = 0; i < items.size(); ++i) {
            const Stats &s = stats[i];
            const Item &item = items[i];
            if (s.mean >= 0 && s.mean < darkLimit)
                flags.push_back(
                    {item.id, FlagKind::Dark, 0, s.mean,
                     QStringLiteral("mean brightness %1, below this set's dark limit %2")
                         .arg(s.mean, 0, 'f', 3)
                         .arg(darkLimit, 0, 'f', 3)});
            if (s.mean > brightLimit)
                flags.push_back(
                    {item.id, FlagKind::Bright, 0, s.mean,
                     QStringLiteral("mean brightness %1, above this set's bright limit %2")
                         .arg(s.mean, 0, 'f', 3)
                         .arg(brightLimit, 0, 'f', 3)});
            if (s.mean >= 0 && s.deviation < flatLimit)
                flags.push_back({item.id, FlagKind::LowInformation, 0, s.deviation,
                                 QStringLiteral("near-constant (deviation %1, below %2)")
                                     .arg(s.deviation, 0, 'f', 3)
                                     .arg(flatLimit, 0, 'f', 3)});
            const double aspect = double(std::max(item.width, item.height)) /
                                  std::max(1, std::min(item.width, item.height));
            if (aspect > t.maxAspect || std::min(item.width, item.height) < t.minSide)
                flags.push_back({item.id, FlagKind::OddSize, 0, aspect,
                                 QStringLiteral("%1 x %2").arg(item.width).arg(item.height)});
        }
        FlagRepository(project).replace(
            {FlagKind::Dark, FlagKind::Bright, FlagKind::LowInformation, FlagKind::OddSize}, flags);
        return qint64(flags.size());
    });
}

Result<qint64> flagDivergent(Project &project, double minConfidence) {
    return attempt([&] { return FlagRepository(project).replaceDivergent(minConfidence); });
}

Result<std::vector<FlagRow>> listFlags(Project &project, std::optional<FlagKind> kind) {
    return attempt([&] { return FlagRepository(project).list(kind); });
}

Result<QHash<QString, qint64>> flagCounts(Project &project) {
    return attempt([&] { return FlagRepository(project).counts(); });
}

bool splitsLeak(const std::set<QString> &splits) {
    const auto has = [&](const char *name) { return splits.count(QLatin1String(name)) > 0; };
    return (has("train") || has("unassigned")) && (has("val") || has("test"));
}

Result<qint64> unresolvedLeaks(Project &project) {
    return attempt([&] { return FlagRepository(project).unresolvedLeaks(); });
}

Result<void> setExcluded(Project &project, const std::vector<qint64> &itemIds, bool excluded,
                         const QString &reason, qint64 actorId) {
    return attempt(
        [&] { FlagRepository(project).setExcluded(itemIds, excluded, reason, actorId); });
}

Result<QHash<qint64, bool>> exclusions(Project &project) {
    return attempt([&] { return FlagRepository(project).exclusions(); });
}

} // namespace winnow::core

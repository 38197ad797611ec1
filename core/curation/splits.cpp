#include "core/curation/splits.h"

#include "core/curation/curation.h"
#include "core/curation/duplicates.h"
#include "core/label/labelsource.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <algorithm>
#include <map>
#include <numeric>
#include <random>

namespace winnow::core {

std::vector<int> stratifiedGroupAssignment(const std::vector<int> &labels,
                                           const std::vector<int> &groups,
                                           const std::vector<double> &fractions, unsigned seed) {
    const size_t parts = fractions.size();
    const double total = std::accumulate(fractions.begin(), fractions.end(), 0.0);
    // Members of each group and the group's label.
    std::map<int, std::vector<int>> members;
    for (size_t i = 0; i < labels.size(); ++i)
        members[groups[i]].push_back(int(i));
    std::map<int, std::vector<int>> groupsOfLabel; // label -> group ids
    std::map<int, int> groupLabel;
    for (const auto &[group, items] : members) {
        std::map<int, int> votes;
        for (int i : items)
            ++votes[labels[size_t(i)]];
        const int label = std::max_element(votes.begin(), votes.end(), [](auto a, auto b) {
                              return a.second < b.second;
                          })->first;
        groupLabel[group] = label;
        groupsOfLabel[label].push_back(group);
    }
    std::mt19937 rng(seed);
    std::vector<int> part(labels.size(), 0);
    for (auto &[label, list] : groupsOfLabel) {
        qint64 count = 0;
        for (int g : list)
            count += qint64(members[g].size());
        // Targets by largest remainder, so they add up to the label's count.
        std::vector<qint64> target(parts);
        std::vector<std::pair<double, size_t>> remainders;
        qint64 assigned = 0;
        for (size_t p = 0; p < parts; ++p) {
            const double exact = count * fractions[p] / total;
            target[p] = qint64(std::floor(exact));
            assigned += target[p];
            remainders.emplace_back(exact - std::floor(exact), p);
        }
        std::stable_sort(remainders.begin(), remainders.end(),
                         [](auto a, auto b) { return a.first > b.first; });
        for (size_t r = 0; assigned < count; ++r, ++assigned)
            ++target[remainders[r % parts].second];
        // Largest groups first (they are the hard ones to place), shuffled within a size.
        std::shuffle(list.begin(), list.end(), rng);
        std::stable_sort(list.begin(), list.end(),
                         [&](int a, int b) { return members[a].size() > members[b].size(); });
        std::vector<qint64> have(parts, 0);
        for (int g : list) {
            const qint64 size = qint64(members[g].size());
            size_t best = 0;
            for (size_t p = 1; p < parts; ++p)
                if (target[p] - have[p] > target[best] - have[best])
                    best = p;
            have[best] += size;
            for (int i : members[g])
                part[size_t(i)] = int(best);
        }
    }
    return part;
}

namespace {

struct ProjectItems {
    std::vector<qint64> ids;
    std::vector<int> labels;
    std::vector<int> groups;
    int groupsKeptWhole = 0;
};

ProjectItems loadItems(Project &project, int maxDistance) {
    ProjectItems items;
    const std::vector<ItemFacts> facts = ItemRepository(project).all(ItemRepository::Order::ByPath);
    for (const ItemFacts &item : facts)
        items.ids.push_back(item.id);
    const auto labels = currentLabels(project);
    if (!labels)
        throw StoreError(labels.error().message);
    // The same confirmed clusters as the duplicate flags: look-alikes need not share a split.
    const DuplicateClusters clusters = findDuplicates(projectFingerprints(facts), maxDistance);
    items.groupsKeptWhole = clusters.count;
    for (size_t i = 0; i < items.ids.size(); ++i) {
        items.labels.push_back(int(labels->value(items.ids[i], -1)));
        // Clusters keep their number; singletons get numbers after them.
        items.groups.push_back(clusters.cluster[i] > 0 ? clusters.cluster[i]
                                                       : clusters.count + 1 + int(i));
    }
    return items;
}

} // namespace

Result<SplitSummary> resplitProject(Project &project, const SplitOptions &options) {
    if (options.train < 0 || options.val < 0 || options.test < 0 ||
        options.train + options.val + options.test <= 0)
        return Error{QStringLiteral("split fractions must be non-negative and not all zero")};
    return attempt([&] {
        const ProjectItems items = loadItems(project, options.maxDistance);
        const std::vector<int> part = stratifiedGroupAssignment(
            items.labels, items.groups, {options.train, options.val, options.test}, options.seed);
        SplitSummary summary;
        summary.groupsKeptWhole = items.groupsKeptWhole;
        constexpr Split kParts[3] = {Split::Train, Split::Val, Split::Test};
        std::vector<std::pair<qint64, Split>> splits;
        splits.reserve(items.ids.size());
        for (size_t i = 0; i < items.ids.size(); ++i) {
            splits.emplace_back(items.ids[i], kParts[part[i]]);
            ++summary.items[size_t(part[i])];
        }
        ItemRepository(project).setSplits(splits);
        if (const auto leaks = flagLeaks(project); !leaks)
            throw StoreError(leaks.error().message);
        return summary;
    });
}

Result<QHash<qint64, int>> groupKFold(Project &project, int folds, unsigned seed, int maxDistance) {
    if (folds < 2)
        return Error{QStringLiteral("k-fold needs at least 2 folds, not %1").arg(folds)};
    return attempt([&] {
        const ProjectItems items = loadItems(project, maxDistance);
        const std::vector<int> fold = stratifiedGroupAssignment(
            items.labels, items.groups, std::vector<double>(size_t(folds), 1.0), seed);
        QHash<qint64, int> result;
        for (size_t i = 0; i < items.ids.size(); ++i)
            result.insert(items.ids[i], fold[i]);
        return result;
    });
}

} // namespace winnow::core

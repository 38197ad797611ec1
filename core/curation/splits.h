#pragma once

#include "core/util/result.h"

#include <QHash>
#include <array>
#include <vector>

namespace winnow::core {

class Project;

// Assigns each group (items that must stay together) to a part so that, per label, the parts
// get the target fractions: groups of one label are dealt largest first in a seeded shuffle to
// the part furthest below its target. Returns the part of every item. `labels` and `groups`
// run over items; a group's label is its most frequent member label.
std::vector<int> stratifiedGroupAssignment(const std::vector<int> &labels,
                                           const std::vector<int> &groups,
                                           const std::vector<double> &fractions, unsigned seed);

struct SplitOptions {
    double train = 0.8;
    double val = 0.1;
    double test = 0.1;
    unsigned seed = 0;
    int maxDistance = 10; // duplicate clusters at this distance are kept whole
};

struct SplitSummary {
    std::array<qint64, 3> items{}; // train, val, test
    int groupsKeptWhole = 0;
};

// Re-splits the project: stratified by current label, duplicate clusters kept whole, seeded and
// reproducible; refreshes the leak flags. Items without a label are split as a label of their own.
Result<SplitSummary> resplitProject(Project &project, const SplitOptions &options);
// Stratified group k-fold: the fold (0..k-1) of every item id.
Result<QHash<qint64, int>> groupKFold(Project &project, int folds, unsigned seed, int maxDistance);

} // namespace winnow::core

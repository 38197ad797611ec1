#pragma once

#include "core/curation/duplicates.h"
#include "core/store/itemrepository.h"
#include "core/store/records.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <QHash>
#include <QString>
#include <optional>
#include <set>
#include <vector>

namespace winnow::core {

class Project;

struct DuplicateSummary {
    int exactClusters = 0;
    int nearClusters = 0;
    qint64 duplicateItems = 0;
    int leakClusters = 0; // clusters with members in train and in val or test
    qint64 leakItems = 0;
    int conflictClusters = 0; // clusters whose members' current labels disagree
};

// The absolute limits; each is tightened to the data set's own outliers (median -/+ 3 robust
// deviations) where that is stricter, down to a third of the way to the extreme.
struct QualityThresholds {
    double dark = 0.12;        // mean brightness (0..1) below: very dark
    double bright = 0.92;      // mean brightness above: very bright
    double lowContrast = 0.02; // standard deviation (0..1) below: near-constant, low information
    double maxAspect = 3.0;    // longer side over shorter side above: odd aspect ratio
    int minSide = 8;           // shorter side below: odd size
};

// The fingerprints of a project's items as findDuplicates takes them: stored hashes, and each
// image's look read from its file (in parallel).
std::vector<Fingerprint> projectFingerprints(const std::vector<ItemFacts> &items);

// Duplicate clusters from the stored hashes: exact-duplicate and near-duplicate flags (with
// their cluster and, for near ones, the distance to the cluster's first member), leak flags for
// clusters that span train and val/test, and label-conflict flags for clusters whose members'
// current labels disagree. Replaces earlier flags of those kinds.
Result<DuplicateSummary> flagDuplicates(Project &project, int maxDistance, bool mirrors = false);
// Leak flags only, from the duplicate flags there are (after a re-split).
Result<DuplicateSummary> flagLeaks(Project &project);
// Decodes every image (on all cores) and flags dark, bright, low-information and odd-size ones.
Result<qint64> flagQuality(Project &project, const QualityThresholds &thresholds,
                           const ProgressFn &progress = {}, const CancelToken *cancel = nullptr);
// Items of the latest consolidation under minConfidence, or labelled otherwise by the latest
// consolidation of another method: divergent.
Result<qint64> flagDivergent(Project &project, double minConfidence);

Result<std::vector<FlagRow>> listFlags(Project &project, std::optional<FlagKind> kind = {});
Result<QHash<QString, qint64>> flagCounts(Project &project);
// Whether a cluster whose members are in these splits leaks: some train (unassigned items train
// too) and some val or test.
bool splitsLeak(const std::set<QString> &splits);
// Items flagged as leaks that are not excluded.
Result<qint64> unresolvedLeaks(Project &project);

// Excludes items from training (or restores them); recorded with who and when, never deleting.
Result<void> setExcluded(Project &project, const std::vector<qint64> &itemIds, bool excluded,
                         const QString &reason, qint64 actorId);
Result<QHash<qint64, bool>> exclusions(Project &project);

} // namespace winnow::core

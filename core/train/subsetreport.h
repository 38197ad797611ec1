#pragma once

// What a run's subsets kept and left out: for every training item of the run, how often the
// selection chose it and what the project knows of it (its flags, its consolidation's
// confidence); for every round, the share of kept items in each group of doubtful items against
// that group's share of the whole training set. Read by the Train tab's subset view and by
// `winnow-cli subset`.

#include "core/store/records.h"
#include "core/util/result.h"

#include <QHash>
#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;

// Labels below this consolidation confidence count as low-confidence.
inline constexpr double kLowLabelConfidence = 0.9;

struct SubsetItem {
    qint64 itemId = 0;
    QString path;
    QString label;                    // the label the run trained on
    int timesChosen = 0;              // over the counted rounds
    int lastRound = -1;               // the latest round that kept it (-1: none)
    QStringList flags;                // flag kind names, as stored now
    std::optional<double> confidence; // of the current consolidation's label
    // Whether the label is the project's reference label (a hidden truth some projects carry,
    // such as the demo's and the benchmarks'); unset without one.
    std::optional<bool> matchesReference;
};

// One group of training items (e.g. "divergent") and how a round treats it.
struct GroupShare {
    QString group;
    qint64 inSet = 0;     // training items in the group
    qint64 kept = 0;      // of them, in the round
    double setShare = 0;  // inSet / training items
    double keptShare = 0; // kept / items the round kept
};

struct SubsetReport {
    std::vector<SubsetItem> items; // the run's training items, by id
    std::vector<SelectionRound> rounds;
    // The rounds times_chosen counts: those after round 0 when there are any (round 0 is a
    // uniform random start), else round 0.
    int countedRounds = 0;

    // Items in every counted round, and in none.
    std::vector<const SubsetItem *> alwaysChosen() const;
    std::vector<const SubsetItem *> neverChosen() const;
    // The groups (labels that differ from the reference, low-confidence labels, divergent,
    // duplicates, likely label errors, quality flags) for one of `rounds`; groups without
    // members are left out.
    std::vector<GroupShare> groupShares(const SelectionRound &round) const;
    // The training item with this id; null when the run did not train on it.
    const SubsetItem *item(qint64 itemId) const;

    QHash<qint64, size_t> rowOf; // item id -> its place in `items`
};

Result<SubsetReport> subsetReport(Project &project, qint64 runId);

// CSV: item,path,label,round,times_chosen,flags. With a round, the items it kept (round = it);
// without, every training item of the run (round = the latest round that kept it, empty for
// none). Flags are joined with ';'.
QString subsetCsv(const SubsetReport &report, std::optional<int> round);

} // namespace winnow::core

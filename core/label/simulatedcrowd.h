#pragma once

#include "core/util/result.h"

#include <QString>
#include <vector>

namespace winnow::core {

class Project;

struct SimulatedAnnotator {
    QString name;
    double accuracy = 0.8; // chance of the reference label; otherwise a random other class
};

// Adds answers from simulated annotators (kind "simulated") to the first `items` items that
// have a reference answer from `referenceAnnotator` (empty: a reference label, kept apart from
// the answers); each item gets `perItem` of them. For
// demos and trials of consolidation; deterministic for a seed. Returns the answers added.
Result<qint64> simulateAnnotators(Project &project, const QString &referenceAnnotator,
                                  const std::vector<SimulatedAnnotator> &annotators, int items,
                                  int perItem, unsigned seed);

} // namespace winnow::core

#pragma once

#include "core/util/result.h"

#include <QHash>

namespace winnow::core {

class Project;

// The label every item has now: the class its latest review pinned (accepted or overridden), else
// its label in the consolidation marked current (markConsolidationCurrent), else its most
// frequent live answer (ties to the earliest). Items without any answer are absent.
Result<QHash<qint64, qint64>> currentLabels(Project &project);

} // namespace winnow::core

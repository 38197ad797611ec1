#pragma once

#include "core/consensus/consensus.h"
#include "core/store/consolidationrepository.h"
#include "core/util/result.h"

#include <QString>
#include <vector>

namespace winnow::core {

class Project;

// A consolidation as stored, and when it was just run, how long it took.
struct ConsolidationInfo : StoredConsolidation {
    double seconds = 0;
    bool cancelled = false;
};

// Runs a method over the project's live answers and stores its labels, confidences,
// posteriors and annotator estimates under a new consolidation (nothing is stored when
// cancelled).
Result<ConsolidationInfo> consolidateProject(Project &project, const ConsensusMethod &method,
                                             const ConsensusOptions &options,
                                             const ProgressFn &progress = {},
                                             const CancelToken *cancel = nullptr);
// Stored consolidations, newest first.
Result<std::vector<ConsolidationInfo>> listConsolidations(Project &project);
// Marks a consolidation as the one training takes its labels from. Only this explicit act changes
// the current labels: a new consolidation, of any method, never becomes current by itself.
Result<void> markConsolidationCurrent(Project &project, qint64 consolidationId);
// The consolidation marked current, or 0 when none is.
Result<qint64> currentConsolidationId(Project &project);

} // namespace winnow::core

#pragma once

#include "core/consensus/consensus.h"
#include "core/util/result.h"

#include <QString>

#include <vector>

namespace winnow::core {

class Project;

struct ConsolidationInfo {
    qint64 id = 0;
    QString method;
    QString createdAt;
    qint64 items = 0;
    qint64 answers = 0;
    int iterations = 0;
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

} // namespace winnow::core

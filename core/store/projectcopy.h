#pragma once

#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <vector>

namespace winnow::core {

class Project;

struct CopySummary {
    qint64 rows = 0;
    int tables = 0;
    double seconds = 0;
    bool cancelled = false; // nothing was written then
};

// Every table of a project, parents before children: what a copy moves and compares.
const std::vector<const char *> &projectTables();

// Copies the whole of `source` (items, classes, annotators, every answer with its history,
// consolidations, reviews, flags, runs and their metrics) into `target`, which must be a new,
// empty project; between a folder and a server in either direction. Ids are kept; paths become
// absolute on a server. All or nothing: one transaction on the target.
Result<CopySummary> copyProject(Project &source, Project &target, const ProgressFn &progress = {},
                                const CancelToken *cancel = nullptr);

} // namespace winnow::core

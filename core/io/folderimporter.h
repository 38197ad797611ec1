#pragma once

#include "core/io/importsummary.h"
#include "core/util/progress.h"
#include "core/util/result.h"

namespace winnow::core {

class Project;

// Imports every image under `folder` (recursively, any format OpenCV reads, whatever the
// extension says). Images are referenced where they are, not copied. Files already in the
// project are left alone, so importing a folder twice adds nothing twice.
Result<ImportSummary> importImageFolder(Project &project, const QString &folder,
                                        const ImportOptions &options,
                                        const ProgressFn &progress = {},
                                        const CancelToken *cancel = nullptr);

} // namespace winnow::core

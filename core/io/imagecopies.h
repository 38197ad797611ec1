#pragma once

#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <vector>

namespace winnow::core {

class Project;

struct ImageCopySummary {
    qint64 stored = 0;
    qint64 reduced = 0; // re-encoded because the longer side was above the limit
    std::vector<QString> unreadable;
    double seconds = 0;
};

constexpr int kDefaultImageCopySide = 1024;

// Stores a copy of every item's image that has none yet (team projects: annotators may not reach
// the files): the file itself when its longer side is at most `maxSide`, else a reduced copy
// (JPEG, or PNG for images with transparency). Files that cannot be read are named, not fatal.
Result<ImageCopySummary> storeImageCopies(Project &project, int maxSide = kDefaultImageCopySide,
                                          const ProgressFn &progress = {},
                                          const CancelToken *cancel = nullptr);

} // namespace winnow::core

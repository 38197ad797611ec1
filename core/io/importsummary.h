#pragma once

#include "core/store/project.h"

#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

struct ImportIssue {
    QString path;
    QString reason;
};

// What an import did: every file found is either imported, already present, or skipped with
// an issue that names it and says why.
struct ImportSummary {
    qint64 found = 0;
    qint64 imported = 0;
    qint64 alreadyPresent = 0;
    qint64 skipped = 0;
    bool cancelled = false;
    qint64 batchId = 0;
    double seconds = 0;
    std::vector<ImportIssue> issues;
};

// Images above this many pixels are refused from their header, before decoding (SageMaker
// Ground Truth's limit): a folder of them would exhaust the memory.
constexpr qint64 kDefaultMaxPixels = 100'000'000;

struct ImportOptions {
    std::optional<Split> split;
    bool labelsFromFolders = false; // parent folder name becomes the answer of `folder`
    qint64 maxPixels = kDefaultMaxPixels;
    bool followLinksOutside = false; // read links that lead out of the folder
};

} // namespace winnow::core

#pragma once

// The curated dataset, or the subset one selection round of a run kept, written in the forms
// training tools load: an ImageFolder tree (split/class/image), a CSV of path,label,split,
// confidence, or Ground Truth output manifests (one per split).

#include "core/io/importsummary.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;

enum class ExportFormat { ImageFolder, Csv, Manifest };
QString exportFormatName(ExportFormat format); // imagefolder, csv, manifest
std::optional<ExportFormat> parseExportFormat(const QString &name);

// One selection round of a run; round -1 is its last.
struct SubsetRef {
    qint64 runId = 0;
    int round = -1;
};
// "RUN:ROUND", "RUN:last" or "RUN" (its last round); nullopt when it is none of these.
std::optional<SubsetRef> parseSubsetRef(const QString &text);

struct DatasetExportOptions {
    ExportFormat format = ExportFormat::ImageFolder;
    QString folder;          // created when missing; refused when it holds anything
    bool copyImages = false; // ImageFolder: copies instead of symbolic links
    // Only the images this round kept, with the labels the run trained on; otherwise every
    // labeled image that no curator excluded, with its current label.
    std::optional<SubsetRef> subset;
};

struct DatasetExportSummary {
    qint64 written = 0;
    qint64 excluded = 0;  // left out: a curator excluded them
    qint64 unlabeled = 0; // left out: no label yet
    std::vector<CountRow> perSplit;
    std::vector<ImportIssue> issues; // images that could not be linked or copied, and why
    QStringList files;               // what the folder holds now, relative to it
    bool cancelled = false;          // nothing is left behind when cancelled
};

// Everything is written into a staging folder inside `options.folder` and moved into place only
// when complete, so a failed or cancelled export leaves the folder as it found it. Class and
// file names are made safe as path components: nothing is written outside the folder.
Result<DatasetExportSummary> exportDataset(Project &project, const DatasetExportOptions &options,
                                           const ProgressFn &progress = {},
                                           const CancelToken *cancel = nullptr);

// A name as one safe file or folder name: '%', separators and control characters are written
// as %XX (their UTF-8 bytes), as is a leading '.' (no ".", ".." or hidden names), and long
// names are cut at 200 bytes.
// classNameOfFolder reads such a folder name back ("T-shirt%2Ftop" is "T-shirt/top").
QString safeFileName(const QString &name);
QString classNameOfFolder(const QString &folderName);

} // namespace winnow::core

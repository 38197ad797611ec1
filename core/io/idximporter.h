#pragma once

#include "core/io/importsummary.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <QStringList>

namespace winnow::core {

class Project;

struct IdxOptions {
    std::optional<Split> split;
    qint64 limit = 0;       // import only the first `limit` images; 0 = all
    QStringList classNames; // label value -> class name; empty: the number itself
    // The labels become reference labels (they score annotators; no image is labeled by them)
    // instead of answers of annotator `idx`.
    bool labelsAsReference = false;
};

// Imports an MNIST-family pair of IDX files (gzip or raw): each image is written as PNG under
// the project's images/<name>/ folder and its label becomes the answer of annotator `idx` (or a
// reference label).
Result<ImportSummary> importIdx(Project &project, const QString &imagesFile,
                                const QString &labelsFile, const IdxOptions &options,
                                const ProgressFn &progress = {},
                                const CancelToken *cancel = nullptr);

// The ten Fashion-MNIST class names in label order.
QStringList fashionMnistClassNames();

} // namespace winnow::core

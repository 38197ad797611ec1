#pragma once

#include "core/io/imageprobe.h"
#include "core/io/importsummary.h"
#include "core/util/progress.h"

#include <functional>

namespace winnow::core {

// Probes inputs on all cores in chunks and stores each chunk in one transaction while the next
// is being decoded. Shared by every image importer; throws StoreError on database failure.
class ImportPipeline {
public:
    struct Source {
        QString kind; // import_batches.kind
        QString description;
        std::optional<Split> split;
        QString labelAnnotator; // empty: the inputs carry no labels
    };
    using ProbeFn = std::function<ImageProbe(qsizetype index)>;

    static constexpr qsizetype kChunk = 512;

    ImportPipeline(Project &project, Source source);

    // Runs probe(0..count-1); `summary` already holds what the caller found and filtered.
    void run(qsizetype count, const ProbeFn &probe, ImportSummary &summary,
             const ProgressFn &progress, const CancelToken *cancel);

private:
    Project &m_project;
    Source m_source;
};

} // namespace winnow::core

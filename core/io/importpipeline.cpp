#include "core/io/importpipeline.h"

#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QtConcurrent/QtConcurrentMap>
#include <numeric>

namespace winnow::core {
namespace {

template <typename T> T unwrap(Result<T> result) {
    if (!result)
        throw StoreError(result.error().message);
    return std::move(result).value();
}

void unwrap(Result<void> result) {
    if (!result)
        throw StoreError(result.error().message);
}

} // namespace

ImportPipeline::ImportPipeline(Project &project, Source source)
    : m_project(project)
    , m_source(std::move(source)) {
}

void ImportPipeline::run(qsizetype count, const ProbeFn &probe, ImportSummary &summary,
                         const ProgressFn &progress, const CancelToken *cancel) {
    QElapsedTimer timer;
    timer.start();
    const qint64 total = summary.found;
    qint64 done = summary.alreadyPresent + summary.skipped;
    if (progress)
        progress(done, total, QStringLiteral("Importing"));

    qint64 annotatorId = 0;
    if (!m_source.labelAnnotator.isEmpty())
        annotatorId =
            unwrap(m_project.ensureAnnotator(m_source.labelAnnotator, QStringLiteral("import")));

    auto chunkIndices = [count](qsizetype start) {
        std::vector<qsizetype> indices(size_t(std::min(kChunk, count - start)));
        std::iota(indices.begin(), indices.end(), start);
        return indices;
    };
    auto mapChunk = [&](qsizetype start) {
        return QtConcurrent::mapped(chunkIndices(start),
                                    [&probe](qsizetype i) { return probe(i); });
    };

    QFuture<ImageProbe> pending;
    if (count > 0)
        pending = mapChunk(0);
    for (qsizetype start = 0; start < count; start += kChunk) {
        const QList<ImageProbe> probes = pending.results();
        if (start + kChunk < count && !(cancel && cancel->isCancelled()))
            pending = mapChunk(start + kChunk);

        std::vector<NewItem> items;
        items.reserve(size_t(probes.size()));
        for (const ImageProbe &p : probes) {
            if (p.item)
                items.push_back(*p.item);
            else
                summary.issues.push_back({p.path, p.error});
        }
        summary.skipped += probes.size() - qsizetype(items.size());
        if (!items.empty()) {
            if (summary.batchId == 0)
                summary.batchId = unwrap(
                    m_project.createBatch(m_source.kind, m_source.description, m_source.split));
            const qint64 added =
                unwrap(m_project.addItems(summary.batchId, m_source.split, items, annotatorId));
            summary.imported += added;
            summary.alreadyPresent += qint64(items.size()) - added;
        }
        done += probes.size();
        if (progress)
            progress(done, total, QStringLiteral("Importing"));
        if (cancel && cancel->isCancelled()) {
            summary.cancelled = true;
            if (pending.isRunning())
                pending.waitForFinished();
            break;
        }
    }
    if (summary.batchId != 0)
        unwrap(m_project.finishBatch(summary.batchId, summary.imported, summary.skipped));
    summary.seconds = timer.elapsed() / 1000.0;
}

} // namespace winnow::core

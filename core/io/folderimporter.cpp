#include "core/io/folderimporter.h"

#include "core/io/datasetexport.h"
#include "core/io/importpipeline.h"
#include "core/io/regularfile.h"
#include "core/store/storeerror.h"

#include <QDir>
#include <QFileInfo>
#include <algorithm>

namespace winnow::core {

Result<ImportSummary> importImageFolder(Project &project, const QString &folder,
                                        const ImportOptions &options, const ProgressFn &progress,
                                        const CancelToken *cancel) {
    return attempt([&] {
        const QFileInfo rootInfo(folder);
        if (!rootInfo.isDir())
            throw StoreError(QStringLiteral("%1: not a folder").arg(folder));
        const QString root = rootInfo.canonicalFilePath();

        if (progress)
            progress(0, 0, QStringLiteral("Listing files"));
        FolderListing listing = listFolderFiles(
            root, options.followLinksOutside, [cancel] { return cancel && cancel->isCancelled(); });
        const QStringList &files = listing.files;

        ImportSummary summary;
        summary.found = files.size() + qsizetype(listing.refused.size());
        for (auto &[path, reason] : listing.refused) {
            summary.issues.push_back({path, reason});
            ++summary.skipped;
        }
        const auto known = project.itemIdsByPath();
        if (!known)
            throw StoreError(known.error().message);
        QStringList fresh;
        fresh.reserve(files.size());
        for (const QString &file : std::as_const(files)) {
            if (known->contains(file))
                ++summary.alreadyPresent;
            else
                fresh.append(file);
        }

        auto probe = [&](qsizetype i) {
            const QString &file = fresh[i];
            ImageProbe result = probeImageFile(file, options.maxPixels);
            if (result.item && options.labelsFromFolders) {
                const QString parent = QFileInfo(file).absolutePath();
                if (parent != root)
                    result.item->label = classNameOfFolder(QFileInfo(parent).fileName());
            }
            return result;
        };
        ImportPipeline pipeline(project,
                                {QStringLiteral("folder"), root, options.split,
                                 options.labelsFromFolders ? QStringLiteral("folder") : QString()});
        pipeline.run(fresh.size(), probe, summary, progress, cancel);
        return summary;
    });
}

} // namespace winnow::core

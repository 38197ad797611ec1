#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <functional>
#include <utility>
#include <vector>

namespace winnow::core {

// The whole of a regular file, following symbolic links, or why not. FIFOs, sockets and devices
// (a link to /dev/zero, say) are refused without reading from them, so a hostile folder can
// neither hang an import nor fill the memory; files above `maxBytes` are refused too.
Result<QByteArray> readRegularFile(const QString &path, qint64 maxBytes);
// Whether `path` is (or links to) a regular file, without opening it.
Result<void> requireRegularFile(const QString &path);

// The files under `root` (absolute), recursively and sorted; links to folders are not followed.
// A link whose target lies outside `root` is read only when `followLinksOutside` (the user asked
// for it); otherwise it is left out and named in `refused` with the reason, as is a link that
// leads nowhere.
struct FolderListing {
    QStringList files;
    std::vector<std::pair<QString, QString>> refused; // path, reason
};
FolderListing listFolderFiles(const QString &root, bool followLinksOutside,
                              const std::function<bool()> &cancelled = {});

} // namespace winnow::core

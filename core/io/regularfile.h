#pragma once

#include "core/util/result.h"

#include <QByteArray>
#include <QString>

namespace winnow::core {

// The whole of a regular file, following symbolic links, or why not. FIFOs, sockets and devices
// (a link to /dev/zero, say) are refused without reading from them, so a hostile folder can
// neither hang an import nor fill the memory; files above `maxBytes` are refused too.
Result<QByteArray> readRegularFile(const QString &path, qint64 maxBytes);
// Whether `path` is (or links to) a regular file, without opening it.
Result<void> requireRegularFile(const QString &path);

} // namespace winnow::core

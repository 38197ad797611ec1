#pragma once

#include <QString>

namespace winnow::core {

// What training will run on here: LibTorch version, device, thread count, CPU capabilities.
QString computeSummary();
// The libraries Winnow runs on besides LibTorch: "Qt 6.4.2, OpenCV 4.6.0, SQLite 3.40.1".
QString libraryVersions();

} // namespace winnow::core

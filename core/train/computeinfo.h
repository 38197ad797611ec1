#pragma once

#include <QString>

namespace winnow::core {

// What training will run on here: LibTorch version, device, thread count, CPU capabilities.
QString computeSummary();

} // namespace winnow::core

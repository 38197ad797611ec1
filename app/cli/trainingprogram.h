#pragma once

#include <QTextStream>

namespace winnow::cli {

// winnow-cli is built without LibTorch, whose start-up alone (registering its operators) costs
// more than half a second, so that every command that does not train starts at once. The
// commands that need it (train, sweep, dedup --embeddings, version) run in winnow-train: the same
// commands linked with LibTorch, installed beside it. winnow-cli replaces itself with that
// program (same process id, same arguments, same standard streams), so signals and exit codes
// reach the caller unchanged.
#ifdef WINNOW_CLI_WITHOUT_TORCH
inline constexpr bool kCliHasTorch = false;
#else
inline constexpr bool kCliHasTorch = true;
#endif

// Runs this very command line in winnow-train; returns only if it cannot be started.
int runInTrainingProgram(QTextStream &out, QTextStream &err);

} // namespace winnow::cli

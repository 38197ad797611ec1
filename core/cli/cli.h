#pragma once

#include <QStringList>

class QTextStream;

namespace winnow::core {

// Exit codes of winnow-cli.
enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

// The whole of winnow-cli: `args` without the program name. Results go to `out`, errors
// (naming the file and the reason) to `err`. Needs a QCoreApplication.
int runCli(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace winnow::core

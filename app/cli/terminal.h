#pragma once

// What every winnow-cli command shares: its exit codes, reading its arguments, and telling the
// person at the terminal how it goes and what went wrong (which file, which reason).

#include "core/store/project.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <memory>
#include <optional>

class QCommandLineParser;
class QTextStream;

namespace winnow::cli {

enum ExitCode { kExitOk = 0, kExitFailure = 1, kExitUsage = 2 };

// Thrown by a command on arguments it cannot use; the dispatcher prints it with the command's
// usage and exits 2.
struct UsageError {
    QString message;
};

// Parses a command's arguments; throws UsageError on unknown options or a wrong count of
// positional arguments.
QStringList parse(QCommandLineParser &parser, const QStringList &args, int minPositional,
                  int maxPositional);
// --split train|val|test, when given.
std::optional<core::Split> splitOption(const QCommandLineParser &parser);
// --run RUN of the commands that need one; throws UsageError naming `command` without it.
qint64 runOption(const QCommandLineParser &parser, const char *command);
// A number option; throws UsageError naming the option when it is not one.
double numberOption(const QCommandLineParser &parser, const QString &name);

// Stores copies of the images of a team project's items (core/io/imagecopies) with progress,
// naming the files it could not read; kExitFailure when the store fails.
int reportImageCopies(core::Project &project, int side, QTextStream &out, QTextStream &err);

// Prints "error: MESSAGE" and returns kExitFailure.
int fail(QTextStream &err, const QString &message);
inline int fail(QTextStream &err, const core::Error &error) {
    return fail(err, error.message);
}

// "\rstage: done / total" on a terminal, nothing when standard error is not one.
core::ProgressFn terminalProgress(QTextStream &err);
// Clears what terminalProgress left on the line.
void endProgress(QTextStream &err);
bool isTerminal();

// Opens a project, or says why not on `err` and returns nullptr.
std::unique_ptr<core::Project>
openProject(const QString &dir, QTextStream &err,
            core::Database::Mode mode = core::Database::Mode::ReadWrite);
// Writes a whole file or nothing (QSaveFile); says on `err` which file failed and why.
bool saveFile(const QString &file, const QByteArray &bytes, QTextStream &err);

} // namespace winnow::cli

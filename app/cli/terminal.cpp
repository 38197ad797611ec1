#include "app/cli/terminal.h"

#include <QCommandLineParser>
#include <QSaveFile>
#include <QTextStream>
#include <unistd.h>

namespace winnow::cli {

QStringList parse(QCommandLineParser &parser, const QStringList &args, int minPositional,
                  int maxPositional) {
    if (!parser.parse(QStringList{QStringLiteral("winnow-cli")} + args))
        throw UsageError{parser.errorText()};
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < minPositional || positional.size() > maxPositional)
        throw UsageError{positional.size() < minPositional
                             ? QStringLiteral("missing arguments")
                             : QStringLiteral("unexpected argument '%1'").arg(positional.last())};
    return positional;
}

std::optional<core::Split> splitOption(const QCommandLineParser &parser) {
    if (!parser.isSet(QStringLiteral("split")))
        return std::nullopt;
    const QString value = parser.value(QStringLiteral("split"));
    const auto split = core::parseSplit(value);
    if (!split || *split == core::Split::Unassigned)
        throw UsageError{QStringLiteral("--split must be train, val or test, not '%1'").arg(value)};
    return split;
}

qint64 runOption(const QCommandLineParser &parser, const char *command) {
    bool ok = false;
    const qint64 runId = parser.value(QStringLiteral("run")).toLongLong(&ok);
    if (!ok)
        throw UsageError{QStringLiteral("%1 needs --run RUN").arg(QLatin1String(command))};
    return runId;
}

double numberOption(const QCommandLineParser &parser, const QString &name) {
    bool ok = false;
    const double value = parser.value(name).toDouble(&ok);
    if (!ok)
        throw UsageError{
            QStringLiteral("--%1 needs a number, not '%2'").arg(name, parser.value(name))};
    return value;
}

int fail(QTextStream &err, const QString &message) {
    err << "error: " << message << Qt::endl;
    return kExitFailure;
}

bool isTerminal() {
    return isatty(STDERR_FILENO) != 0;
}

core::ProgressFn terminalProgress(QTextStream &err) {
    if (!isTerminal())
        return {};
    return [&err](qint64 done, qint64 total, const QString &stage) {
        if (total > 0)
            err << QStringLiteral("\r%1: %2 / %3").arg(stage).arg(done).arg(total) << Qt::flush;
    };
}

void endProgress(QTextStream &err) {
    if (isTerminal())
        err << '\r' << Qt::flush;
}

std::unique_ptr<core::Project> openProject(const QString &dir, QTextStream &err,
                                           core::Database::Mode mode) {
    auto project = core::Project::open(dir, mode);
    if (!project) {
        fail(err, project.error());
        return nullptr;
    }
    return std::move(project).value();
}

bool saveFile(const QString &file, const QByteArray &bytes, QTextStream &err) {
    QSaveFile output(file);
    if (output.open(QIODevice::WriteOnly) && output.write(bytes) == bytes.size() && output.commit())
        return true;
    err << "error: " << file << ": cannot write: " << output.errorString() << Qt::endl;
    return false;
}

} // namespace winnow::cli

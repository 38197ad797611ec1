#include "app/cli/trainingprogram.h"

#include "app/cli/terminal.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <cerrno>
#include <cstring>
#include <unistd.h>
#include <vector>

namespace winnow::cli {

int runInTrainingProgram(QTextStream &out, QTextStream &err) {
    const QString program =
        QDir(QCoreApplication::applicationDirPath()).filePath(QStringLiteral("winnow-train"));
    QStringList arguments = QCoreApplication::arguments();
    arguments[0] = program;
    std::vector<QByteArray> storage;
    for (const QString &argument : arguments)
        storage.push_back(QFile::encodeName(argument));
    std::vector<char *> argv;
    for (QByteArray &argument : storage)
        argv.push_back(argument.data());
    argv.push_back(nullptr);
    out.flush();
    err.flush();
    ::execv(storage.front().constData(), argv.data());
    err << "error: cannot start " << program << ": " << std::strerror(errno) << Qt::endl;
    return kExitFailure;
}

} // namespace winnow::cli

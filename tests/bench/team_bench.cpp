// Team mode: copying a whole project (the 60,000-image CIFAR-10 project of import_bench) from
// its folder to a private PostgreSQL server on this machine and back, with time and peak memory.
#include "core/io/imagecopies.h"
#include "core/store/project.h"
#include "core/store/projectcopy.h"
#include "tests/bench/benchsupport.h"
#include "tests/pgserver.h"

#include <QCoreApplication>
#include <QTemporaryDir>
#include <QTextStream>

using namespace winnow;

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        out << "usage: team_bench PROJECT_DIR" << Qt::endl;
        return 2;
    }
    QString why;
    test::PostgresServer *server = test::PostgresServer::instance(&why);
    if (!server) {
        out << "team bench skipped: " << why << Qt::endl;
        return 0;
    }
    auto source = core::Project::open(QString::fromLocal8Bit(argv[1]));
    if (!source) {
        out << source.errorMessage() << Qt::endl;
        return 1;
    }
    const auto items = (*source)->summary();
    auto remote = core::Project::create(server->createDatabase());
    if (!remote) {
        out << remote.errorMessage() << Qt::endl;
        return 1;
    }
    const auto there = core::copyProject(**source, **remote);
    if (!there) {
        out << there.errorMessage() << Qt::endl;
        return 1;
    }
    out << QStringLiteral("copy to a server: %1 items, %2 rows in %3 s (%4 rows/s)")
               .arg(items ? items->items : 0)
               .arg(there->rows)
               .arg(there->seconds, 0, 'f', 2)
               .arg(there->rows / std::max(there->seconds, 1e-9), 0, 'f', 0)
        << Qt::endl;
    const auto copies = core::storeImageCopies(**remote);
    if (!copies) {
        out << copies.errorMessage() << Qt::endl;
        return 1;
    }
    out << QStringLiteral("image copies on the server: %1 images in %2 s (%3 images/s)")
               .arg(copies->stored)
               .arg(copies->seconds, 0, 'f', 2)
               .arg(copies->stored / std::max(copies->seconds, 1e-9), 0, 'f', 0)
        << Qt::endl;
    QTemporaryDir dir;
    auto back = core::Project::create(dir.filePath(QStringLiteral("back")));
    const auto again = core::copyProject(**remote, **back);
    if (!again) {
        out << again.errorMessage() << Qt::endl;
        return 1;
    }
    out << QStringLiteral("copy back to a folder: %1 rows in %2 s; peak memory %3 MiB")
               .arg(again->rows)
               .arg(again->seconds, 0, 'f', 2)
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return 0;
}

// Imports the 60,000 CIFAR-10 JPEGs (train and test folders, labels from folders) into a fresh
// project and prints images per second and peak memory.
#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "tests/bench/benchsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTextStream>

using namespace winnow;

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 4) {
        out << "usage: import_bench CIFAR_ARCHIVE CACHE_DIR PROJECT_DIR" << Qt::endl;
        return 2;
    }
    const QString cifar =
        bench::cifar10Folder(QString::fromLocal8Bit(argv[1]), QString::fromLocal8Bit(argv[2]));
    if (cifar.isEmpty()) {
        out << "cannot unpack " << argv[1] << Qt::endl;
        return 1;
    }
    const QString projectDir = QString::fromLocal8Bit(argv[3]);
    QDir(projectDir).removeRecursively();
    auto project = core::Project::create(projectDir);
    if (!project) {
        out << project.error().message << Qt::endl;
        return 1;
    }
    QElapsedTimer timer;
    timer.start();
    qint64 imported = 0;
    for (const auto &[part, split] :
         {std::pair{"train", core::Split::Train}, std::pair{"test", core::Split::Test}}) {
        const auto summary =
            core::importImageFolder(**project, cifar + u'/' + QLatin1String(part), {split, true});
        if (!summary) {
            out << summary.error().message << Qt::endl;
            return 1;
        }
        imported += summary->imported;
    }
    const double seconds = timer.elapsed() / 1000.0;
    out << QStringLiteral("import: %1 CIFAR-10 JPEGs in %2 s = %3 images/s (target >= 3000), peak "
                          "memory %4 MiB")
               .arg(imported)
               .arg(seconds, 0, 'f', 2)
               .arg(imported / seconds, 0, 'f', 0)
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return imported == 60000 ? 0 : 1;
}

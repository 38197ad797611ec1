// Opens a large project in the main window and prints the time until the first screen of
// thumbnails is painted.
#include "tests/bench/benchsupport.h"
#include "ui/datasetmodel.h"
#include "ui/mainwindow.h"
#include "ui/thumbnailcache.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QListView>
#include <QTextStream>

using namespace winnow;

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        out << "usage: firstscreen_bench PROJECT_DIR" << Qt::endl;
        return 2;
    }
    QElapsedTimer timer;
    timer.start();
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.resize(1280, 820);
    window.show();
    const auto opened = window.openProject(QString::fromLocal8Bit(argv[1]));
    if (!opened) {
        out << opened.error().message << Qt::endl;
        return 1;
    }
    const qint64 listed = timer.elapsed();
    // The first screen is there when the grid has painted and no visible thumbnail is pending.
    QApplication::processEvents();
    while (window.thumbnails()->pendingCount() > 0 && timer.elapsed() < 30000)
        QApplication::processEvents(QEventLoop::WaitForMoreEvents, 10);
    window.grid()->viewport()->repaint();
    const qint64 painted = timer.elapsed();
    out << QStringLiteral(
               "first screen: %1 items, rows listed after %2 ms, thumbnails painted after %3 ms "
               "(target < 1000 ms), peak memory %4 MiB")
               .arg(window.model()->totalCount())
               .arg(listed)
               .arg(painted)
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return 0;
}

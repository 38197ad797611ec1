// Labeling speed: time from a class key press to the next image on screen (median and 95th
// percentile, for 32x32 to 1024x1024 images), answer CSV import rate, and queue claim time; in a
// project folder (SQLite) and in a team project on a private PostgreSQL server on this machine.
#include "core/io/answerfiles.h"
#include "core/label/labelingsession.h"
#include "core/store/project.h"
#include "tests/bench/benchsupport.h"
#include "tests/pgserver.h"
#include "ui/labelingview.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QKeyEvent>
#include <QTemporaryDir>
#include <QTextStream>
#include <QThread>
#include <algorithm>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

using namespace winnow;

namespace {

double percentile(std::vector<double> values, double p) {
    std::sort(values.begin(), values.end());
    return values.empty()
               ? 0
               : values[size_t(std::min<double>(values.size() - 1, p * (values.size() - 1) + 0.5))];
}

// A folder (SQLite), or a new database of the private server when there is one.
test::PostgresServer *g_server = nullptr;

QString backendName() {
    return g_server ? QStringLiteral("PostgreSQL") : QStringLiteral("SQLite");
}

std::unique_ptr<core::Project> fakeProject(const QString &dir, int count,
                                           const QString &imageFolder = {}) {
    auto created = core::Project::create(g_server ? g_server->createDatabase() : dir);
    if (!created)
        qFatal("%s", qPrintable(created.errorMessage()));
    auto project = std::move(created).value();
    const qint64 batch = *project->createBatch(
        QStringLiteral("folder"), imageFolder.isEmpty() ? QStringLiteral("/bench/d") : imageFolder,
        std::nullopt);
    std::vector<core::NewItem> items(static_cast<size_t>(count));
    for (int i = 0; i < count; ++i) {
        items[size_t(i)].path = imageFolder.isEmpty()
                                    ? QStringLiteral("/bench/d/%1.png").arg(i)
                                    : QStringLiteral("%1/%2.png").arg(imageFolder).arg(i);
        items[size_t(i)].contentHash = QByteArray::number(i);
        items[size_t(i)].width = items[size_t(i)].height = 32;
        items[size_t(i)].channels = 3;
    }
    if (!project->addItems(batch, std::nullopt, items, 0))
        qFatal("cannot add items");
    return project;
}

void keyLatency(QTextStream &out, int side) {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("img"));
    QDir().mkpath(images);
    constexpr int kImages = 60;
    cv::RNG rng(side);
    for (int i = 0; i < kImages; ++i) {
        cv::Mat image(side, side, CV_8UC3);
        rng.fill(image, cv::RNG::UNIFORM, 0, 255);
        cv::GaussianBlur(image, image, cv::Size(0, 0), 3);
        cv::imwrite(QStringLiteral("%1/%2.png").arg(images).arg(i).toStdString(), image);
    }
    auto project = fakeProject(dir.filePath(QStringLiteral("p")), kImages, images);
    for (const char *name : {"cat", "dog"})
        (void)*project->ensureClass(QLatin1String(name));
    const qint64 annotator =
        *project->ensureAnnotator(QStringLiteral("bench"), QStringLiteral("human"));

    ui::LabelingView view;
    view.resize(1280, 800);
    view.show();
    view.start(project.get(), annotator);
    std::vector<double> ms;
    for (int i = 0; i < kImages - 5; ++i) {
        // An annotator looks at each image for a while; the view decodes ahead meanwhile.
        QElapsedTimer pause;
        pause.start();
        while (pause.elapsed() < 60)
            QApplication::processEvents(QEventLoop::AllEvents, 5);
        bool shown = false;
        auto connection =
            QObject::connect(&view, &ui::LabelingView::imageShown, [&] { shown = true; });
        QElapsedTimer timer;
        timer.start();
        QKeyEvent press(QEvent::KeyPress, Qt::Key_1, Qt::NoModifier, QStringLiteral("1"));
        QApplication::sendEvent(&view, &press);
        while (!shown && timer.elapsed() < 5000)
            QApplication::processEvents(QEventLoop::AllEvents, 1);
        ms.push_back(timer.nsecsElapsed() / 1e6);
        QObject::disconnect(connection);
    }
    out << QStringLiteral("%5: label key -> next image, %1x%1: median %2 ms, p95 %3 ms over %4 "
                          "presses (target median < 16 ms)")
               .arg(side)
               .arg(percentile(ms, 0.5), 0, 'f', 2)
               .arg(percentile(ms, 0.95), 0, 'f', 2)
               .arg(ms.size())
               .arg(backendName())
        << Qt::endl;
}

void csvImport(QTextStream &out) {
    QTemporaryDir dir;
    constexpr int kItems = 100000;
    constexpr int kRows = 1000000;
    auto project = fakeProject(dir.filePath(QStringLiteral("p")), kItems);
    QByteArray csv = "item,worker,label\n";
    csv.reserve(kRows * 24);
    quint32 state = 12345;
    for (int r = 0; r < kRows; ++r) {
        state = state * 1664525u + 1013904223u;
        csv += QByteArray::number(r % kItems) + ".png,w" + QByteArray::number((state >> 8) % 2000) +
               ",c" + QByteArray::number((state >> 20) % 10) + '\n';
    }
    const QString file = dir.filePath(QStringLiteral("answers.csv"));
    QFile f(file);
    f.open(QIODevice::WriteOnly);
    f.write(csv);
    f.close();
    const auto summary = core::importAnswersCsv(*project, file);
    if (!summary) {
        out << summary.error().message << Qt::endl;
        return;
    }
    out << QStringLiteral("%6: answers CSV import: %1 rows (%2 new, %3 duplicates) in %4 s = %5 "
                          "rows/s (target >= %7)")
               .arg(summary->rows)
               .arg(summary->imported)
               .arg(summary->duplicates)
               .arg(summary->seconds, 0, 'f', 2)
               .arg(summary->rows / summary->seconds, 0, 'f', 0)
               .arg(backendName(), g_server ? QStringLiteral("100,000") : QStringLiteral("200,000"))
        << Qt::endl;

    // Claiming the next batch of a queue over this project (100,000 items, 1,000,000 answers).
    const qint64 annotator =
        *project->ensureAnnotator(QStringLiteral("new"), QStringLiteral("human"));
    if (!core::LabelingSession::setAnswersWanted(*project, 15))
        return;
    core::LabelingSession session(*project, annotator);
    QElapsedTimer timer;
    timer.start();
    const auto claimed = session.claim(core::LabelingSession::kDefaultAnswersWanted * 8);
    out << QStringLiteral("%5: queue claim of %1 items over %2 items with %3 answers: %4 ms "
                          "(target < 100 ms)")
               .arg(claimed ? claimed->size() : 0)
               .arg(kItems)
               .arg(summary->imported)
               .arg(timer.elapsed())
               .arg(backendName())
        << Qt::endl;
}

} // namespace

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QTextStream out(stdout);
    for (int side : {32, 256, 1024})
        keyLatency(out, side);
    csvImport(out);
    QString why;
    g_server = test::PostgresServer::instance(&why);
    if (!g_server) {
        out << "PostgreSQL figures skipped: " << why << Qt::endl;
    } else {
        for (int side : {32, 256})
            keyLatency(out, side);
        csvImport(out);
    }
    out << QStringLiteral("labeling bench peak memory %1 MiB")
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return 0;
}

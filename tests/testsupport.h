#pragma once

// Fixtures shared by the test suites: images drawn here, projects in temporary folders.

#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "tests/pgserver.h"

#include <QByteArray>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTest>
#include <csignal>
#include <memory>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <vector>

namespace winnow::test {

// A deterministic picture: a gradient with a circle whose place depends on `seed`.
inline cv::Mat drawImage(int width, int height, int channels, int seed) {
    cv::Mat image(height, width, channels == 1 ? CV_8UC1 : channels == 4 ? CV_8UC4 : CV_8UC3);
    for (int y = 0; y < height; ++y)
        for (int x = 0; x < width; ++x) {
            const int v = (x * 255 / std::max(1, width - 1) + seed * 37) % 256;
            if (channels == 1)
                image.at<uchar>(y, x) = uchar(v);
            else if (channels == 3)
                image.at<cv::Vec3b>(y, x) =
                    cv::Vec3b(uchar(v), uchar(y * 255 / std::max(1, height - 1)), uchar(seed * 53));
            else
                image.at<cv::Vec4b>(y, x) = cv::Vec4b(uchar(v), uchar(y), uchar(seed), 255);
        }
    cv::circle(image, cv::Point((seed * 7) % width, (seed * 13) % height), std::max(2, width / 5),
               cv::Scalar::all(255 - (seed * 19) % 200), -1);
    return image;
}

inline QByteArray encodeImage(const cv::Mat &image, const char *extension) {
    std::vector<uchar> bytes;
    if (!cv::imencode(extension, image, bytes))
        return {};
    return QByteArray(reinterpret_cast<const char *>(bytes.data()), qsizetype(bytes.size()));
}

inline bool writeFile(const QString &path, const QByteArray &bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

inline bool writeImage(const QString &path, int width, int height, int channels, int seed,
                       const char *extension = ".png") {
    return writeFile(path, encodeImage(drawImage(width, height, channels, seed), extension));
}

// SIGKILL for a child process, unless it has already ended: a pid of 0 would signal the whole
// process group, the test and its caller included.
inline void killHard(QProcess &process) {
    if (process.state() != QProcess::NotRunning && process.processId() > 0)
        ::kill(pid_t(process.processId()), SIGKILL);
    process.waitForFinished(10000);
}

constexpr int kColourSide = 16;

// Noisy 16x16 images whose dominant colour is their class (folder root/CLASS/N.png): easy to
// learn, impossible to tell apart by one pixel.
inline void writeColourClasses(const QString &root, const QStringList &classes, int perClass,
                               int seed) {
    cv::RNG random(seed);
    for (int c = 0; c < int(classes.size()); ++c)
        for (int i = 0; i < perClass; ++i) {
            cv::Mat image(kColourSide, kColourSide, CV_8UC3);
            random.fill(image, cv::RNG::UNIFORM, 0, 120);
            cv::Mat channels[3];
            cv::split(image, channels);
            channels[c % 3] += 110;
            cv::merge(channels, 3, image);
            writeFile(QStringLiteral("%1/%2/%3.png").arg(root, classes[c]).arg(i),
                      encodeImage(image, ".png"));
        }
}

// Train, val and test folders of colour classes under `root` (perClass images each; val and test
// a third as many), imported with their split and their folder names as labels: a project a
// short training run can use.
inline bool importColourSplits(core::Project &project, const QString &root,
                               const QStringList &classes, int perClass) {
    const std::pair<const char *, core::Split> splits[] = {
        {"train", core::Split::Train}, {"val", core::Split::Val}, {"test", core::Split::Test}};
    for (const auto &[name, split] : splits) {
        const QString folder = QDir(root).filePath(QLatin1String(name));
        writeColourClasses(folder, classes,
                           split == core::Split::Train ? perClass : std::max(2, perClass / 3),
                           int(split) + 1);
        core::ImportOptions options;
        options.split = split;
        options.labelsFromFolders = true;
        if (!core::importImageFolder(project, folder, options).ok())
            return false;
    }
    return true;
}

inline std::unique_ptr<core::Project> createProject(const QString &dir) {
    auto project = core::Project::create(dir);
    if (!project)
        qFatal("cannot create test project: %s", qPrintable(project.error().message));
    return std::move(project).value();
}

enum class Backend { Sqlite, Postgres };

// The engine the store tests run on now: each runs on SQLite, then again on PostgreSQL.
inline Backend &currentBackend() {
    static Backend backend = Backend::Sqlite;
    return backend;
}

inline const char *backendName() {
    return currentBackend() == Backend::Sqlite ? "SQLite" : "PostgreSQL";
}

inline PostgresServer &testServer() {
    QString why;
    PostgresServer *server = PostgresServer::instance(&why);
    if (!server)
        qFatal("cannot start the test PostgreSQL server: %s", qPrintable(why));
    return *server;
}

// Where a new project goes on the current backend: `dir`, or a new empty server database.
inline QString newProjectLocation(const QString &dir) {
    return currentBackend() == Backend::Sqlite ? dir : testServer().createDatabase();
}

// Probabilities of a model that believes `believed` with `confidence`, the rest spread evenly.
inline std::vector<float> belief(int classes, int believed, double confidence) {
    std::vector<float> p(size_t(classes), float((1 - confidence) / (classes - 1)));
    p[size_t(believed)] = float(confidence);
    return p;
}

// A new project on the current backend: in `dir`, or in a new database of the test server.
inline std::unique_ptr<core::Project> createBackendProject(const QString &dir) {
    return createProject(newProjectLocation(dir));
}

// Runs every test of `object` on SQLite, then on PostgreSQL.
inline int runOnBothBackends(QObject &object, int argc, char **argv) {
    currentBackend() = Backend::Sqlite;
    int failed = QTest::qExec(&object, argc, argv);
    currentBackend() = Backend::Postgres;
    failed += QTest::qExec(&object, argc, argv);
    return failed;
}

} // namespace winnow::test

// Curation speed and quality: perceptual hashing throughput over the 60,000 CIFAR-10 JPEGs,
// all-pairs search over 1,000,000 random hashes at distance 6, and precision and recall of
// near-duplicate detection on the CIFAR-10 test images mixed with transformed copies.
#include "core/curation/duplicates.h"
#include "core/curation/hammingindex.h"
#include "core/io/imageprobe.h"
#include "core/io/perceptualhash.h"
#include "tests/bench/benchsupport.h"

#include <QCoreApplication>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentMap>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>

using namespace winnow;

namespace {

QStringList imagesUnder(const QString &folder) {
    QStringList files;
    QDirIterator it(folder, {QStringLiteral("*.jpg")}, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << it.next();
    std::sort(files.begin(), files.end());
    return files;
}

// One of the transformations a copy may have gone through.
cv::Mat transform(const cv::Mat &image, int kind, std::mt19937 &rng) {
    cv::Mat out;
    switch (kind % 5) {
    case 0: { // re-encoded JPEG at quality 50-95
        std::vector<uchar> bytes;
        cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, int(50 + rng() % 46)});
        out = cv::imdecode(bytes, cv::IMREAD_COLOR);
        break;
    }
    case 1: { // resized down and up
        cv::Mat small;
        cv::resize(image, small, cv::Size(), 0.6, 0.6, cv::INTER_AREA);
        cv::resize(small, out, image.size(), 0, 0, cv::INTER_LINEAR);
        break;
    }
    case 2: // brightness changed by up to 10 %
        image.convertTo(out, -1, 1.0 + (int(rng() % 21) - 10) / 100.0, 0);
        break;
    case 3: { // cropped by a few pixels and resized back
        const int c = 1 + int(rng() % 2);
        cv::resize(image(cv::Rect(c, c, image.cols - 2 * c, image.rows - 2 * c)), out, image.size(),
                   0, 0, cv::INTER_LINEAR);
        break;
    }
    default: { // light noise
        cv::Mat noise(image.size(), CV_16SC3);
        cv::randn(noise, 0, 4);
        cv::Mat wide;
        image.convertTo(wide, CV_16SC3);
        cv::add(wide, noise, wide);
        wide.convertTo(out, CV_8UC3);
        break;
    }
    }
    return out;
}

} // namespace

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 3) {
        out << "usage: curation_bench CIFAR_ARCHIVE CACHE_DIR" << Qt::endl;
        return 2;
    }
    const QString cifar =
        bench::cifar10Folder(QString::fromLocal8Bit(argv[1]), QString::fromLocal8Bit(argv[2]));
    if (!cifar.isEmpty()) {
        const QStringList files = imagesUnder(cifar);
        QElapsedTimer timer;
        timer.start();
        const QList<std::uint64_t> hashes =
            QtConcurrent::blockingMapped<QList<std::uint64_t>>(files, [](const QString &file) {
                const cv::Mat image = cv::imread(file.toStdString(), cv::IMREAD_UNCHANGED);
                return image.empty() ? std::uint64_t(0) : core::perceptualHash(image);
            });
        out << QStringLiteral("perceptual hashing (read, decode, hash) of %1 CIFAR-10 JPEGs: %2 "
                              "images/s (target >= 3000)")
                   .arg(hashes.size())
                   .arg(hashes.size() / (timer.elapsed() / 1000.0), 0, 'f', 0)
            << Qt::endl;
    }

    std::mt19937_64 rng64(7);
    std::vector<std::uint64_t> random(1000000);
    for (auto &h : random)
        h = rng64();
    QElapsedTimer timer;
    timer.start();
    const core::HammingIndex index(random);
    const auto pairs = index.pairsWithin(6);
    out << QStringLiteral("all pairs within distance 6 among 1,000,000 random 64-bit hashes: %1 "
                          "pairs in %2 s (target < 3 s)")
               .arg(pairs.size())
               .arg(timer.elapsed() / 1000.0, 0, 'f', 2)
        << Qt::endl;

    if (cifar.isEmpty())
        return 0;
    // CIFAR-10 test images plus transformed copies of every fifth: is each copy found, and only
    // with its original?
    const QStringList test = imagesUnder(cifar + QStringLiteral("/test"));
    std::vector<cv::Mat> images;
    std::vector<int> origin; // index of the original, or -1 for originals
    for (const QString &file : test) {
        images.push_back(cv::imread(file.toStdString(), cv::IMREAD_COLOR));
        origin.push_back(-1);
    }
    std::mt19937 rng(11);
    const int originals = int(images.size());
    for (int i = 0; i < originals; i += 5) {
        images.push_back(transform(images[size_t(i)], i / 5, rng));
        origin.push_back(i);
    }
    std::vector<std::uint64_t> hashes;
    for (const cv::Mat &image : images)
        hashes.push_back(core::perceptualHash(image));
    const core::HammingIndex mixed(hashes);
    for (int distance : {4, 6, 8, 10, 12}) {
        const auto found = mixed.pairsWithin(distance);
        qint64 truePairs = 0, falsePairs = 0;
        for (const auto &[a, b] : found) {
            const bool copy = origin[size_t(b)] == a || origin[size_t(a)] == b;
            (copy ? truePairs : falsePairs) += 1;
        }
        const qint64 copies = qint64(images.size()) - originals;
        out << QStringLiteral("near duplicates at distance %1%2: recall %3 (%4 of %5 copies), "
                              "precision %6 (%7 wrong pairs)")
                   .arg(distance)
                   .arg(distance == core::kDefaultNearDuplicateDistance
                            ? QStringLiteral(" (default)")
                            : QString())
                   .arg(double(truePairs) / copies, 0, 'f', 4)
                   .arg(truePairs)
                   .arg(copies)
                   .arg(found.empty() ? 1.0 : double(truePairs) / double(found.size()), 0, 'f', 4)
                   .arg(falsePairs)
            << Qt::endl;
    }
    out << QStringLiteral("curation bench peak memory %1 MiB")
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return 0;
}

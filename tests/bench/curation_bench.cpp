// Curation speed and quality: perceptual hashing throughput over the 60,000 CIFAR-10 JPEGs,
// all-pairs search over 1,000,000 random hashes at distance 6, and precision and recall of
// near-duplicate detection on the CIFAR-10 test images and drawn photos mixed with transformed
// copies, per transform.
#include "core/curation/appearance.h"
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
#include <map>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>
#include <random>
#include <set>

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

cv::Mat cropped(const cv::Mat &image, std::mt19937 &rng) {
    // 2 to 4 pixels in 32 off each axis, split at random between the two sides, scaled back.
    const auto off = [&](int side) {
        const int total = std::max(1, int(std::lround(side * (2 + int(rng() % 3)) / 32.0)));
        const int first = int(rng() % unsigned(total + 1));
        return std::pair(first, total - first);
    };
    const auto [left, right] = off(image.cols);
    const auto [top, bottom] = off(image.rows);
    cv::Mat out;
    cv::resize(image(cv::Rect(left, top, image.cols - left - right, image.rows - top - bottom)),
               out, image.size(), 0, 0, cv::INTER_LINEAR);
    return out;
}

cv::Mat reencoded(const cv::Mat &image, int quality) {
    std::vector<uchar> bytes;
    cv::imencode(".jpg", image, bytes, {cv::IMWRITE_JPEG_QUALITY, quality});
    return cv::imdecode(bytes, cv::IMREAD_COLOR);
}

cv::Mat rescaled(const cv::Mat &image, double factor) {
    cv::Mat small, out;
    cv::resize(image, small, cv::Size(), factor, factor, cv::INTER_AREA);
    cv::resize(small, out, image.size(), 0, 0, cv::INTER_LINEAR);
    return out;
}

cv::Mat brightened(const cv::Mat &image, std::mt19937 &rng) {
    cv::Mat out;
    image.convertTo(out, -1, 1.0 + (int(rng() % 21) - 10) / 100.0, int(rng() % 21) - 10);
    return out;
}

cv::Mat noisy(const cv::Mat &image) {
    cv::Mat noise(image.size(), CV_16SC3);
    cv::randn(noise, 0, 4);
    cv::Mat wide, out;
    image.convertTo(wide, CV_16SC3);
    cv::add(wide, noise, wide);
    wide.convertTo(out, CV_8UC3);
    return out;
}

// The transformations a planted copy goes through, alone and combined.
const std::vector<QString> kTransforms = {
    QStringLiteral("re-encoded (JPEG 50-95)"),
    QStringLiteral("rescaled (0.5-0.8, back)"),
    QStringLiteral("brightened (+-10 %)"),
    QStringLiteral("noised (sigma 4)"),
    QStringLiteral("cropped (2-4 px in 32)"),
    QStringLiteral("cropped + re-encoded"),
    QStringLiteral("cropped + brightened"),
    QStringLiteral("cropped + noised"),
    QStringLiteral("rescaled + re-encoded"),
    QStringLiteral("brightened + noised"),
    QStringLiteral("mirrored"),
};
constexpr int kMirrored = 10;

cv::Mat transform(const cv::Mat &image, int kind, std::mt19937 &rng) {
    switch (kind) {
    case 0:
        return reencoded(image, int(50 + rng() % 46));
    case 1:
        return rescaled(image, 0.5 + int(rng() % 31) / 100.0);
    case 2:
        return brightened(image, rng);
    case 3:
        return noisy(image);
    case 4:
        return cropped(image, rng);
    case 5:
        return reencoded(cropped(image, rng), 75);
    case 6:
        return brightened(cropped(image, rng), rng);
    case 7:
        return noisy(cropped(image, rng));
    case 8:
        return reencoded(rescaled(image, 0.6), 75);
    case 9:
        return noisy(brightened(image, rng));
    default: {
        cv::Mat out;
        cv::flip(image, out, 1);
        return out;
    }
    }
}

// A drawn "photo": a shaded background and a few overlapping shapes with some texture, at the
// size of a small camera picture.
cv::Mat drawnPhoto(std::mt19937 &rng) {
    const int w = 192, h = 144;
    cv::Mat image(h, w, CV_8UC3);
    const cv::Vec3f a(float(rng() % 256), float(rng() % 256), float(rng() % 256));
    const cv::Vec3f b(float(rng() % 256), float(rng() % 256), float(rng() % 256));
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x)
            image.at<cv::Vec3b>(y, x) = a + (b - a) * (float(x + y) / float(w + h));
    const int shapes = 3 + int(rng() % 6);
    for (int s = 0; s < shapes; ++s) {
        const cv::Scalar colour(rng() % 256, rng() % 256, rng() % 256);
        const cv::Point centre(int(rng() % w), int(rng() % h));
        if (rng() % 2)
            cv::circle(image, centre, 8 + int(rng() % 40), colour, cv::FILLED, cv::LINE_AA);
        else
            cv::rectangle(image, centre,
                          centre + cv::Point(10 + int(rng() % 60), 10 + int(rng() % 50)), colour,
                          cv::FILLED, cv::LINE_AA);
    }
    cv::Mat grain(image.size(), CV_16SC3);
    cv::randn(grain, 0, 10);
    cv::Mat wide;
    image.convertTo(wide, CV_16SC3);
    cv::add(wide, grain, wide);
    wide.convertTo(image, CV_8UC3);
    cv::GaussianBlur(image, image, cv::Size(), 1.0);
    return image;
}

struct Planted {
    std::vector<core::Fingerprint> prints;
    std::vector<int> family;    // the original each image is or was copied from
    std::vector<int> transform; // -1 for originals
};

core::Fingerprint fingerprintOf(const cv::Mat &image) {
    cv::Mat mirrored;
    cv::flip(image, mirrored, 1);
    return {{},
            {},
            core::perceptualHash(image),
            core::perceptualHash(mirrored),
            core::appearanceOf(image)};
}

// How well the default search finds the planted copies: per transform, the share of copies in
// their original's cluster; over all, the share of links inside clusters that join copies of
// one original (a cluster holding images of k originals has k - 1 wrong links).
void reportPlanted(QTextStream &out, const Planted &set, bool mirrors) {
    QElapsedTimer timer;
    timer.start();
    const core::DuplicateClusters clusters =
        core::findDuplicates(set.prints, core::kDefaultNearDuplicateDistance, mirrors);
    const double seconds = timer.elapsed() / 1000.0;
    std::map<int, std::pair<int, int>> found; // transform -> (found, planted)
    qint64 copies = 0, foundCopies = 0;
    for (size_t i = 0; i < set.prints.size(); ++i) {
        const int kind = set.transform[i];
        if (kind < 0 || (kind == kMirrored && !mirrors))
            continue;
        const int c = clusters.cluster[i];
        const bool hit = c > 0 && clusters.cluster[size_t(set.family[i])] == c;
        found[kind].first += hit;
        found[kind].second += 1;
        foundCopies += hit;
        ++copies;
    }
    std::map<int, std::set<int>> familiesOf;
    std::map<int, int> members;
    for (size_t i = 0; i < set.prints.size(); ++i)
        if (const int c = clusters.cluster[i]) {
            familiesOf[c].insert(set.family[i]);
            ++members[c];
        }
    qint64 links = 0, wrong = 0;
    for (const auto &[c, families] : familiesOf) {
        links += members[c] - 1;
        wrong += qint64(families.size()) - 1;
    }
    out << QStringLiteral("near duplicates at the default distance %1%2 (%3 s):")
               .arg(core::kDefaultNearDuplicateDistance)
               .arg(mirrors ? QStringLiteral(" with --mirrors") : QString())
               .arg(seconds, 0, 'f', 1)
        << Qt::endl;
    for (const auto &[kind, counts] : found)
        out << QStringLiteral("  %1 recall %2 (%3 of %4)")
                   .arg(kTransforms[size_t(kind)], -26)
                   .arg(double(counts.first) / counts.second, 0, 'f', 3)
                   .arg(counts.first)
                   .arg(counts.second)
            << Qt::endl;
    out << QStringLiteral("  overall recall %1 (%2 of %3 copies), precision %4 (%5 wrong links of "
                          "%6) (target: recall >= 0.95 at precision >= 0.99)")
               .arg(double(foundCopies) / double(copies), 0, 'f', 3)
               .arg(foundCopies)
               .arg(copies)
               .arg(links ? 1.0 - double(wrong) / double(links) : 1.0, 0, 'f', 4)
               .arg(wrong)
               .arg(links)
        << Qt::endl;
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
        // Read every file once, so that the figures below measure the work and not the disk.
        qint64 bytes = 0;
        for (const QString &file : files) {
            QFile f(file);
            if (f.open(QIODevice::ReadOnly))
                bytes += f.readAll().size();
        }
        out << QStringLiteral("first read of %1 CIFAR-10 JPEGs (%2 MB): %3 s")
                   .arg(files.size())
                   .arg(bytes / 1e6, 0, 'f', 1)
                   .arg(timer.elapsed() / 1000.0, 0, 'f', 2)
            << Qt::endl;
        timer.restart();
        const QList<std::uint64_t> hashes =
            QtConcurrent::blockingMapped<QList<std::uint64_t>>(files, [](const QString &file) {
                const cv::Mat image = cv::imread(file.toStdString(), cv::IMREAD_UNCHANGED);
                return image.empty() ? std::uint64_t(0) : core::perceptualHash(image);
            });
        out << QStringLiteral("perceptual hashing (read, decode, hash) of %1 CIFAR-10 JPEGs: %2 "
                              "images/s (target >= 5000)")
                   .arg(hashes.size())
                   .arg(hashes.size() / (timer.elapsed() / 1000.0), 0, 'f', 0)
            << Qt::endl;
        timer.restart();
        const QList<core::Appearance> looks = QtConcurrent::blockingMapped<QList<core::Appearance>>(
            files, [](const QString &file) { return core::appearanceOfFile(file); });
        out << QStringLiteral("crop hashes and looks (read, decode, 34 crop hashes, 32x32 grey) of "
                              "%1 CIFAR-10 JPEGs: %2 images/s")
                   .arg(looks.size())
                   .arg(looks.size() / (timer.elapsed() / 1000.0), 0, 'f', 0)
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

    // The complete near-duplicate search also looks up each image's 34 crop hashes. Random
    // images, each crop hash its image's hash with 6 to 20 bits flipped (as real crop hashes
    // are spread around it); no looks, so the time is that of finding candidates.
    for (const int images : {100000, 200000, 1000000}) {
        std::vector<core::Fingerprint> prints(static_cast<size_t>(images));
        std::uniform_int_distribution<int> flips(6, 20), bit(0, 63);
        for (size_t i = 0; i < prints.size(); ++i) {
            prints[i].perceptual = random[i];
            for (int c = 0; c < 34; ++c) {
                std::uint64_t hash = random[i];
                for (int f = flips(rng64); f > 0; --f)
                    hash ^= std::uint64_t(1) << bit(rng64);
                prints[i].look.cropHashes.push_back(hash);
            }
        }
        timer.restart();
        const core::DuplicateClusters found =
            core::findDuplicates(prints, core::kDefaultNearDuplicateDistance);
        out << QStringLiteral("candidate search with crop hashes among %1 random images (34 crop "
                              "hashes each, distance 8): %2 s, %3 clusters")
                   .arg(images)
                   .arg(timer.elapsed() / 1000.0, 0, 'f', 1)
                   .arg(found.count)
            << Qt::endl;
    }

    if (cifar.isEmpty())
        return 0;
    // The CIFAR-10 test images and 500 drawn photos, with a transformed copy of every fifth
    // (each transform in turn): is each copy found, and only with its original?
    std::vector<cv::Mat> originals;
    for (const QString &file : imagesUnder(cifar + QStringLiteral("/test")))
        originals.push_back(cv::imread(file.toStdString(), cv::IMREAD_COLOR));
    std::mt19937 rng(11);
    for (int i = 0; i < 500; ++i)
        originals.push_back(drawnPhoto(rng));
    // Set aside the originals that already have a near copy among the originals (CIFAR-10's
    // own duplicates, such as one airliner photo twice): the truth must be known.
    {
        std::vector<core::Fingerprint> prints(originals.size());
        QtConcurrent::blockingMap(prints, [&](core::Fingerprint &print) {
            print = fingerprintOf(originals[size_t(&print - prints.data())]);
        });
        const core::DuplicateClusters own =
            core::findDuplicates(prints, core::kDefaultNearDuplicateDistance, true);
        std::vector<cv::Mat> distinct;
        for (size_t i = 0; i < originals.size(); ++i)
            if (own.cluster[i] == 0)
                distinct.push_back(originals[i]);
        out << QStringLiteral("set aside %1 originals that have a near copy among the originals "
                              "already (%2 clusters)")
                   .arg(originals.size() - distinct.size())
                   .arg(own.count)
            << Qt::endl;
        originals = std::move(distinct);
    }
    std::vector<cv::Mat> images = originals;
    Planted set;
    for (size_t i = 0; i < originals.size(); ++i) {
        set.family.push_back(int(i));
        set.transform.push_back(-1);
    }
    for (size_t i = 0; i < originals.size(); i += 5) {
        const int kind = int(i / 5) % int(kTransforms.size());
        images.push_back(transform(originals[i], kind, rng));
        set.family.push_back(int(i));
        set.transform.push_back(kind);
    }
    set.prints.resize(images.size());
    QtConcurrent::blockingMap(set.prints, [&](core::Fingerprint &print) {
        print = fingerprintOf(images[size_t(&print - set.prints.data())]);
    });
    out << QStringLiteral("planted copies: %1 originals (CIFAR-10 test and 500 drawn photos, less "
                          "those set aside), %2 copies")
               .arg(originals.size())
               .arg(images.size() - originals.size())
        << Qt::endl;
    reportPlanted(out, set, false);
    reportPlanted(out, set, true);
    out << QStringLiteral("curation bench peak memory %1 MiB")
               .arg(bench::peakMemoryMiB(), 0, 'f', 0)
        << Qt::endl;
    return 0;
}

#include "core/train/trainingset.h"

#include "core/curation/curation.h"
#include "core/io/rasterimage.h"
#include "core/label/labelsource.h"
#include "core/store/itemrepository.h"
#include "core/store/runrepository.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <QtConcurrent/QtConcurrentMap>
#include <algorithm>
#include <atomic>
#include <cstring>
#include <map>
#include <numeric>
#include <opencv2/imgproc.hpp>
#include <random>
#include <stdexcept>

namespace winnow::core {
namespace {

constexpr char kCacheMagic[16] = "WINNOW-TENSORS1";
constexpr qint64 kHeaderSize = 64;
constexpr int kCachesKept = 3;

QString hexDigest(QCryptographicHash &hash) {
    return QString::fromLatin1(hash.result().toHex());
}

void hashSnapshot(LabelSnapshot &snapshot) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const SnapshotItem &item : snapshot.items) {
        const qint64 row[3] = {item.itemId, snapshot.classIds[size_t(item.label)],
                               qint64(item.split)};
        hash.addData(QByteArrayView(reinterpret_cast<const char *>(row), sizeof row));
    }
    snapshot.hash = hexDigest(hash);
}

void checkTrainable(const LabelSnapshot &snapshot) {
    if (snapshot.count(Split::Train) == 0)
        throw std::runtime_error(
            "the training set is empty: no labelled, non-excluded item is in the train split");
    std::vector<int> seen;
    for (const SnapshotItem &item : snapshot.items)
        if (item.split == Split::Train &&
            std::find(seen.begin(), seen.end(), item.label) == seen.end())
            seen.push_back(item.label);
    if (seen.size() < 2)
        throw std::runtime_error(
            QStringLiteral(
                "the training set has a single class ('%1'): training needs at least two")
                .arg(snapshot.classNames.value(seen.front()))
                .toStdString());
}

// Moves `fraction` of each class's training items to val, chosen with a seeded shuffle.
void carveValidation(LabelSnapshot &snapshot, double fraction, std::uint64_t seed) {
    std::map<int, std::vector<size_t>> byClass;
    for (size_t row = 0; row < snapshot.items.size(); ++row)
        if (snapshot.items[row].split == Split::Train)
            byClass[snapshot.items[row].label].push_back(row);
    std::mt19937_64 random(seed);
    for (auto &[label, rows] : byClass) {
        std::shuffle(rows.begin(), rows.end(), random);
        const auto take = size_t(double(rows.size()) * fraction);
        for (size_t i = 0; i < take; ++i)
            snapshot.items[rows[i]].split = Split::Val;
    }
    snapshot.valFromTrain = true;
}

void loadClassNames(Project &project, LabelSnapshot &snapshot) {
    const auto classes = project.classes();
    if (!classes)
        throw std::runtime_error(classes.error().message.toStdString());
    for (qint64 id : snapshot.classIds) {
        const auto it = std::find_if(classes->begin(), classes->end(),
                                     [&](const ClassInfo &c) { return c.id == id; });
        snapshot.classNames << (it == classes->end() ? QString::number(id) : it->name);
    }
}

} // namespace

void rehashSnapshot(LabelSnapshot &snapshot) {
    hashSnapshot(snapshot);
}

qint64 LabelSnapshot::count(Split split) const {
    return std::count_if(items.begin(), items.end(),
                         [&](const SnapshotItem &item) { return item.split == split; });
}

Result<LabelSnapshot> takeLabelSnapshot(Project &project, double valFraction, std::uint64_t seed,
                                        const LabelSource &source) {
    return attempt([&] {
        const auto labels = labelsOf(project, source);
        if (!labels)
            throw std::runtime_error(labels.error().message.toStdString());
        const auto excluded = exclusions(project);
        if (!excluded)
            throw std::runtime_error(excluded.error().message.toStdString());

        LabelSnapshot snapshot;
        std::map<qint64, int> labelOf; // class id -> label index, in class id order
        for (auto it = labels->begin(); it != labels->end(); ++it)
            labelOf.emplace(it.value(), 0);
        for (auto &[classId, label] : labelOf) {
            label = int(snapshot.classIds.size());
            snapshot.classIds.push_back(classId);
        }
        for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById)) {
            const auto label = labels->constFind(item.id);
            if (label == labels->constEnd()) {
                ++snapshot.unlabelled;
                continue;
            }
            if (excluded->value(item.id, false)) {
                ++snapshot.excluded;
                continue;
            }
            Split split = parseSplit(item.split).value_or(Split::Train);
            if (split == Split::Unassigned)
                split = Split::Train;
            snapshot.items.push_back({item.id, labelOf[label.value()], split});
        }
        if (snapshot.count(Split::Val) == 0 && valFraction > 0)
            carveValidation(snapshot, valFraction, seed);
        loadClassNames(project, snapshot);
        checkTrainable(snapshot);
        hashSnapshot(snapshot);
        return snapshot;
    });
}

Result<LabelSnapshot> runSnapshot(Project &project, qint64 runId) {
    return attempt([&] {
        LabelSnapshot snapshot;
        std::map<qint64, int> labelOf;
        std::vector<std::pair<qint64, qint64>> rows;
        for (const RunItem &item : RunRepository(project).items(runId)) {
            rows.emplace_back(item.itemId, item.classId);
            labelOf.emplace(item.classId, 0);
            snapshot.items.push_back(
                {item.itemId, 0, parseSplit(item.split).value_or(Split::Train)});
        }
        if (rows.empty())
            throw std::runtime_error(
                QStringLiteral("run %1 has no stored label snapshot").arg(runId).toStdString());
        for (auto &[classId, label] : labelOf) {
            label = int(snapshot.classIds.size());
            snapshot.classIds.push_back(classId);
        }
        for (size_t i = 0; i < rows.size(); ++i)
            snapshot.items[i].label = labelOf[rows[i].second];
        loadClassNames(project, snapshot);
        hashSnapshot(snapshot);
        return snapshot;
    });
}

namespace {

struct ItemImage {
    QString path;
    int width = 0;
    int height = 0;
    int channels = 0;
};

std::vector<ItemImage> itemImages(Project &project, const LabelSnapshot &snapshot) {
    QHash<qint64, ItemImage> byId;
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
        byId.insert(item.id, {item.path, item.width, item.height, item.channels});
    std::vector<ItemImage> images;
    images.reserve(snapshot.items.size());
    for (const SnapshotItem &item : snapshot.items)
        images.push_back(byId.value(item.itemId));
    return images;
}

ImageGeometry commonGeometry(const std::vector<ItemImage> &images) {
    std::map<std::pair<int, int>, qint64> sizes;
    bool colour = false;
    for (const ItemImage &image : images) {
        ++sizes[{image.height, image.width}];
        colour = colour || image.channels >= 3;
    }
    const auto common =
        std::max_element(sizes.begin(), sizes.end(),
                         [](const auto &a, const auto &b) { return a.second < b.second; });
    return {colour ? 3 : 1, common->first.first, common->first.second};
}

// Decodes one image into `out` as channels x height x width bytes.
void decodeInto(const ItemImage &image, const ImageGeometry &geometry, quint8 *out) {
    const auto raster = loadRasterImage(image.path);
    if (!raster)
        throw std::runtime_error(raster.error().message.toStdString());
    const int type = CV_8UC(raster->channels);
    cv::Mat source(raster->height, raster->width, type,
                   const_cast<char *>(raster->pixels.constData()));
    cv::Mat converted = source;
    if (geometry.channels == 1 && raster->channels == 3)
        cv::cvtColor(source, converted, cv::COLOR_RGB2GRAY);
    else if (geometry.channels == 1 && raster->channels == 4)
        cv::cvtColor(source, converted, cv::COLOR_RGBA2GRAY);
    else if (geometry.channels == 3 && raster->channels == 1)
        cv::cvtColor(source, converted, cv::COLOR_GRAY2RGB);
    else if (geometry.channels == 3 && raster->channels == 4)
        cv::cvtColor(source, converted, cv::COLOR_RGBA2RGB);
    cv::Mat sized;
    if (converted.rows != geometry.height || converted.cols != geometry.width)
        cv::resize(converted, sized, cv::Size(geometry.width, geometry.height), 0, 0,
                   cv::INTER_AREA);
    else
        sized = converted;
    const int plane = geometry.height * geometry.width;
    for (int y = 0; y < geometry.height; ++y) {
        const quint8 *row = sized.ptr<quint8>(y);
        for (int x = 0; x < geometry.width; ++x)
            for (int c = 0; c < geometry.channels; ++c)
                out[c * plane + y * geometry.width + x] = row[x * geometry.channels + c];
    }
}

QString cacheName(const LabelSnapshot &snapshot, const ImageGeometry &geometry) {
    QCryptographicHash hash(QCryptographicHash::Sha256);
    for (const SnapshotItem &item : snapshot.items)
        hash.addData(
            QByteArrayView(reinterpret_cast<const char *>(&item.itemId), sizeof item.itemId));
    const int shape[3] = {geometry.channels, geometry.height, geometry.width};
    hash.addData(QByteArrayView(reinterpret_cast<const char *>(shape), sizeof shape));
    return QStringLiteral("images-%1.u8").arg(hexDigest(hash).left(16));
}

bool readHeader(const QString &path, TensorCache &cache) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray header = file.read(kHeaderSize);
    if (header.size() != kHeaderSize ||
        std::memcmp(header.constData(), kCacheMagic, sizeof kCacheMagic) != 0)
        return false;
    qint64 fields[4];
    std::memcpy(fields, header.constData() + 16, sizeof fields);
    if (fields[0] != cache.rows || fields[1] != cache.geometry.channels ||
        fields[2] != cache.geometry.height || fields[3] != cache.geometry.width)
        return false;
    return file.size() == kHeaderSize + cache.rows * cache.geometry.bytesPerImage();
}

void pruneOldCaches(const QDir &dir, const QString &keep) {
    const QFileInfoList files =
        dir.entryInfoList({QStringLiteral("images-*.u8")}, QDir::Files, QDir::Time);
    int kept = 0;
    for (const QFileInfo &file : files)
        if (file.fileName() != keep && ++kept >= kCachesKept)
            QFile::remove(file.absoluteFilePath());
}

} // namespace

Result<TensorCache> ensureTensorCache(Project &project, const LabelSnapshot &snapshot,
                                      const ProgressFn &progress, const CancelToken *cancel) {
    return attempt([&] {
        if (snapshot.items.empty())
            throw std::runtime_error("the label snapshot is empty");
        const std::vector<ItemImage> images = itemImages(project, snapshot);
        TensorCache cache;
        cache.geometry = commonGeometry(images);
        cache.rows = qint64(images.size());
        cache.dataOffset = kHeaderSize;
        const QDir dir(QDir(project.workFolder()).filePath(QStringLiteral("cache")));
        QDir().mkpath(dir.path());
        const QString name = cacheName(snapshot, cache.geometry);
        cache.path = dir.filePath(name);
        if (readHeader(cache.path, cache))
            return cache;

        const qint64 bytes = cache.geometry.bytesPerImage();
        QByteArray data(kHeaderSize + cache.rows * bytes, '\0');
        std::memcpy(data.data(), kCacheMagic, sizeof kCacheMagic);
        const qint64 fields[4] = {cache.rows, cache.geometry.channels, cache.geometry.height,
                                  cache.geometry.width};
        std::memcpy(data.data() + 16, fields, sizeof fields);

        constexpr qint64 kChunk = 512;
        std::vector<qint64> chunks;
        for (qint64 start = 0; start < cache.rows; start += kChunk)
            chunks.push_back(start);
        std::atomic<qint64> done{0};
        QStringList failures;
        QMutex failuresLock;
        QtConcurrent::blockingMap(chunks, [&](qint64 start) {
            for (qint64 row = start; row < std::min(start + kChunk, cache.rows); ++row) {
                if (cancel && cancel->isCancelled())
                    return;
                try {
                    decodeInto(images[size_t(row)], cache.geometry,
                               reinterpret_cast<quint8 *>(data.data() + kHeaderSize + row * bytes));
                } catch (const std::exception &e) {
                    const QMutexLocker lock(&failuresLock);
                    failures << QStringLiteral("%1: %2").arg(images[size_t(row)].path,
                                                             QString::fromUtf8(e.what()));
                }
            }
            const qint64 now = done.fetch_add(std::min(kChunk, cache.rows - start)) +
                               std::min(kChunk, cache.rows - start);
            if (progress) {
                const QMutexLocker lock(
                    &failuresLock); // progress callbacks need not be thread-safe
                progress(now, cache.rows, QStringLiteral("decoding images"));
            }
        });
        if (cancel && cancel->isCancelled())
            throw std::runtime_error("cancelled while decoding images");
        if (!failures.isEmpty())
            throw std::runtime_error(
                QStringLiteral("%1 image(s) could not be decoded for training; first: %2")
                    .arg(failures.size())
                    .arg(failures.first())
                    .toStdString());
        QSaveFile file(cache.path);
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
            throw std::runtime_error(QStringLiteral("cannot write the image cache %1: %2")
                                         .arg(cache.path, file.errorString())
                                         .toStdString());
        pruneOldCaches(dir, name);
        return cache;
    });
}

} // namespace winnow::core

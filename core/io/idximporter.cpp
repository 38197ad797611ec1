#include "core/io/idximporter.h"

#include "core/io/idxfile.h"
#include "core/io/importpipeline.h"
#include "core/io/regularfile.h"
#include "core/store/consolidationrepository.h"
#include "core/store/storeerror.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <zlib.h>

namespace winnow::core {
namespace {

class GzFile {
public:
    explicit GzFile(const QString &path)
        : m_path(path) {
        // A FIFO or a device would block or never end: only regular files are opened.
        if (const auto regular = requireRegularFile(path); !regular)
            throw StoreError(QStringLiteral("%1: %2").arg(path, regular.error().message));
        m_file = gzopen(QFile::encodeName(path).constData(), "rb");
        if (!m_file)
            throw StoreError(QStringLiteral("%1: cannot open").arg(path));
        gzbuffer(m_file, 1 << 18);
    }
    ~GzFile() { gzclose(m_file); }
    GzFile(const GzFile &) = delete;
    GzFile &operator=(const GzFile &) = delete;

    qint64 read(char *into, qint64 size) {
        qint64 total = 0;
        while (total < size) {
            const int chunk = int(std::min<qint64>(size - total, 1 << 30));
            const int got = gzread(m_file, into + total, unsigned(chunk));
            if (got < 0) {
                int code = 0;
                throw StoreError(QStringLiteral("%1: cannot decompress: %2")
                                     .arg(m_path, QString::fromUtf8(gzerror(m_file, &code))));
            }
            if (got == 0)
                break;
            total += got;
        }
        return total;
    }

private:
    QString m_path;
    gzFile m_file = nullptr;
};

IdxData readIdxFile(const QString &path, int expectedDims, qint64 limit) {
    GzFile file(path);
    return readIdx([&](char *into, qint64 size) { return file.read(into, size); }, path,
                   expectedDims, limit);
}

QString imageFolderName(const QString &imagesFile) {
    QString name = QFileInfo(imagesFile).fileName();
    if (name.endsWith(QLatin1String(".gz")))
        name.chop(3);
    return name.replace(u'.', u'-');
}

// Every stored image of the file gets its label as a reference label.
void storeReferenceLabels(Project &project, const QDir &folder, int digits, const IdxData &labels,
                          qint64 count, const QStringList &classNames, const QString &labelsFile) {
    const auto stored = project.itemIdsByPath();
    if (!stored)
        throw StoreError(stored.error().message);
    QHash<QString, qint64> classIds;
    std::vector<std::pair<qint64, qint64>> reference;
    for (qint64 i = 0; i < count; ++i) {
        const qint64 item = stored->value(
            folder.filePath(QStringLiteral("%1.png").arg(i, digits, 10, QLatin1Char('0'))));
        const int label = quint8(labels.payload[i]);
        if (item == 0 || (!classNames.isEmpty() && label >= classNames.size()))
            continue; // not imported, and reported as such
        const QString name = classNames.isEmpty() ? QString::number(label) : classNames[label];
        if (!classIds.contains(name)) {
            const auto id = project.ensureClass(name);
            if (!id)
                throw StoreError(id.error().message);
            classIds.insert(name, *id);
        }
        reference.emplace_back(item, classIds.value(name));
    }
    ConsolidationRepository(project).setReferenceLabels(reference,
                                                        QFileInfo(labelsFile).fileName());
}

} // namespace

QStringList fashionMnistClassNames() {
    return {QStringLiteral("T-shirt/top"), QStringLiteral("Trouser"), QStringLiteral("Pullover"),
            QStringLiteral("Dress"),       QStringLiteral("Coat"),    QStringLiteral("Sandal"),
            QStringLiteral("Shirt"),       QStringLiteral("Sneaker"), QStringLiteral("Bag"),
            QStringLiteral("Ankle boot")};
}

Result<ImportSummary> importIdx(Project &project, const QString &imagesFile,
                                const QString &labelsFile, const IdxOptions &options,
                                const ProgressFn &progress, const CancelToken *cancel) {
    return attempt([&] {
        const IdxData images = readIdxFile(imagesFile, 3, options.limit);
        const IdxData labels = readIdxFile(labelsFile, 1, options.limit);
        if (images.dims[0] != labels.dims[0])
            throw StoreError(QStringLiteral("%1 holds %2 images but %3 holds %4 labels")
                                 .arg(imagesFile)
                                 .arg(images.dims[0])
                                 .arg(labelsFile)
                                 .arg(labels.dims[0]));
        const int rows = int(images.dims[1]);
        const int cols = int(images.dims[2]);
        const qint64 wanted = options.limit > 0 ? std::min<qint64>(options.limit, images.dims[0])
                                                : qint64(images.dims[0]);
        const qint64 count = std::min(images.available, labels.available);

        ImportSummary summary;
        summary.found = wanted;
        if (count < wanted) {
            summary.skipped += wanted - count;
            summary.issues.push_back(
                {count < images.available ? labelsFile : imagesFile,
                 QStringLiteral("truncated: the header promises %1 records, the data holds %2")
                     .arg(wanted)
                     .arg(count)});
        }

        // Classes are created in label order so their shortcuts follow it (0 -> 1, 1 -> 2, ...).
        for (const QString &name : options.classNames) {
            if (const auto created = project.ensureClass(name); !created)
                throw StoreError(created.error().message);
        }

        const QDir folder(QDir(project.workFolder())
                              .filePath(QStringLiteral("images/") + imageFolderName(imagesFile)));
        if (!QDir().mkpath(folder.path()))
            throw StoreError(QStringLiteral("%1: cannot create the folder").arg(folder.path()));
        const int digits = int(QString::number(std::max<qint64>(count - 1, 1)).size());

        const auto known = project.itemIdsByPath();
        if (!known)
            throw StoreError(known.error().message);
        std::vector<qint64> fresh;
        for (qint64 i = 0; i < count; ++i) {
            const QString path =
                folder.filePath(QStringLiteral("%1.png").arg(i, digits, 10, QLatin1Char('0')));
            if (known->contains(path))
                ++summary.alreadyPresent;
            else
                fresh.push_back(i);
        }

        auto probe = [&](qsizetype n) {
            const qint64 i = fresh[size_t(n)];
            const QString path =
                folder.filePath(QStringLiteral("%1.png").arg(i, digits, 10, QLatin1Char('0')));
            const int label = quint8(labels.payload[i]);
            if (!options.classNames.isEmpty() && label >= options.classNames.size())
                return ImageProbe{
                    path, std::nullopt,
                    QStringLiteral("%1: record %2 has label %3 but only %4 class names were given")
                        .arg(labelsFile)
                        .arg(i)
                        .arg(label)
                        .arg(options.classNames.size())};
            const cv::Mat image(rows, cols, CV_8U,
                                const_cast<char *>(images.payload.constData()) + i * rows * cols);
            std::vector<uchar> png;
            cv::imencode(".png", image, png);
            const QByteArray bytes(reinterpret_cast<const char *>(png.data()),
                                   qsizetype(png.size()));
            QFile out(path);
            if (!out.open(QIODevice::WriteOnly) || out.write(bytes) != bytes.size())
                return ImageProbe{path, std::nullopt,
                                  QStringLiteral("cannot write: %1").arg(out.errorString())};
            ImageProbe result = probeImage(bytes, path);
            if (result.item)
                result.item->label = options.classNames.isEmpty() ? QString::number(label)
                                                                  : options.classNames[label];
            return result;
        };
        ImportPipeline pipeline(project,
                                {QStringLiteral("idx"), QFileInfo(imagesFile).absoluteFilePath(),
                                 options.split,
                                 options.labelsAsReference ? QString() : QStringLiteral("idx")});
        pipeline.run(qsizetype(fresh.size()), probe, summary, progress, cancel);
        if (options.labelsAsReference)
            storeReferenceLabels(project, folder, digits, labels, count, options.classNames,
                                 labelsFile);
        return summary;
    });
}

} // namespace winnow::core

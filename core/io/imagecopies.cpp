#include "core/io/imagecopies.h"

#include "core/io/imageprobe.h"
#include "core/io/regularfile.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QtConcurrent/QtConcurrentMap>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {
namespace {

constexpr size_t kBatch = 512;

struct Made {
    ItemRepository::ImageCopy copy;
    bool reduced = false;
    bool ok = false;
};

Made makeCopy(qint64 itemId, const QString &path, int maxSide) {
    Made made;
    made.copy.itemId = itemId;
    const auto bytes = readRegularFile(path, kMaxImageFileBytes);
    if (!bytes)
        return made;
    const cv::Mat buffer(1, int(bytes->size()), CV_8U, const_cast<char *>(bytes->constData()));
    cv::Mat image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    if (image.empty())
        return made;
    made.ok = true;
    if (std::max(image.cols, image.rows) <= maxSide) {
        made.copy.format = QFileInfo(path).suffix().toLower();
        made.copy.data = *bytes;
        return made;
    }
    const double scale = double(maxSide) / std::max(image.cols, image.rows);
    cv::resize(image, image,
               cv::Size(std::max(1, int(image.cols * scale)), std::max(1, int(image.rows * scale))),
               0, 0, cv::INTER_AREA);
    if (image.depth() != CV_8U)
        image.convertTo(image, CV_8U, image.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
    const bool alpha = image.channels() == 4;
    std::vector<uchar> encoded;
    cv::imencode(alpha ? ".png" : ".jpg", image, encoded,
                 alpha ? std::vector<int>{} : std::vector<int>{cv::IMWRITE_JPEG_QUALITY, 92});
    made.copy.format = alpha ? QStringLiteral("png") : QStringLiteral("jpg");
    made.copy.data =
        QByteArray(reinterpret_cast<const char *>(encoded.data()), qsizetype(encoded.size()));
    made.reduced = true;
    return made;
}

} // namespace

Result<ImageCopySummary> storeImageCopies(Project &project, int maxSide, const ProgressFn &progress,
                                          const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        if (maxSide < 16)
            throw StoreError(QStringLiteral("image copies need a side of at least 16 pixels"));
        ItemRepository repository(project);
        const auto items = repository.withoutImageCopy();
        ImageCopySummary summary;
        for (size_t start = 0; start < items.size(); start += kBatch) {
            if (cancel && cancel->isCancelled())
                break;
            const size_t end = std::min(items.size(), start + kBatch);
            const std::vector<std::pair<qint64, QString>> batch(items.begin() + qsizetype(start),
                                                                items.begin() + qsizetype(end));
            const QList<Made> made = QtConcurrent::blockingMapped<QList<Made>>(
                batch, [maxSide](const std::pair<qint64, QString> &item) {
                    return makeCopy(item.first, item.second, maxSide);
                });
            std::vector<ItemRepository::ImageCopy> copies;
            for (qsizetype i = 0; i < made.size(); ++i) {
                if (!made[i].ok) {
                    summary.unreadable.push_back(batch[size_t(i)].second);
                    continue;
                }
                summary.reduced += made[i].reduced;
                copies.push_back(made[i].copy);
            }
            repository.addImageCopies(copies);
            summary.stored += qint64(copies.size());
            if (progress)
                progress(qint64(end), qint64(items.size()), QStringLiteral("image copies"));
        }
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

} // namespace winnow::core

#include "ui/qimageconvert.h"

#include "core/store/itemrepository.h"
#include "core/store/project.h"

#include <QFileInfo>
#include <QtConcurrent/QtConcurrentRun>

namespace winnow::ui {

QImage toQImage(const core::RasterImage &raster) {
    QImage::Format format = QImage::Format_Grayscale8;
    if (raster.channels == 3)
        format = QImage::Format_RGB888;
    else if (raster.channels == 4)
        format = QImage::Format_RGBA8888;
    const QImage view(reinterpret_cast<const uchar *>(raster.pixels.constData()), raster.width,
                      raster.height, raster.width * raster.channels, format);
    return view.copy();
}

QFuture<QImage> loadItemImage(core::Project *project, qint64 itemId, const QString &path,
                              int maxSide) {
    if (project && project->isOnServer() && !QFileInfo(path).isReadable()) {
        const auto copy =
            core::attempt([&] { return core::ItemRepository(*project).imageCopy(itemId); });
        const QByteArray bytes = copy ? *copy : QByteArray();
        return QtConcurrent::run([bytes, path, maxSide] {
            if (bytes.isEmpty())
                return QImage();
            const auto raster = core::decodeRasterImage(bytes, path, maxSide);
            return raster ? toQImage(*raster) : QImage();
        });
    }
    return QtConcurrent::run([path, maxSide] {
        const auto raster = core::loadRasterImage(path, maxSide);
        return raster ? toQImage(*raster) : QImage();
    });
}

} // namespace winnow::ui

#include "ui/qimageconvert.h"

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

} // namespace winnow::ui

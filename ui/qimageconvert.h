#pragma once

#include "core/io/rasterimage.h"

#include <QFuture>
#include <QImage>

namespace winnow::ui {

// Wraps core's decoded pixels as a QImage (deep copy, safe to pass between threads).
QImage toQImage(const core::RasterImage &raster);

// Decodes an item's image off the GUI thread, reduced to fit maxSide: its file where this machine
// can read it, else the copy a team project keeps on the server (fetched on the calling thread,
// decoded on a worker). A null QImage when neither can be had.
QFuture<QImage> loadItemImage(core::Project *project, qint64 itemId, const QString &path,
                              int maxSide);

} // namespace winnow::ui

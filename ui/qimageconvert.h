#pragma once

#include "core/io/rasterimage.h"

#include <QImage>

namespace winnow::ui {

// Wraps core's decoded pixels as a QImage (deep copy, safe to pass between threads).
QImage toQImage(const core::RasterImage &raster);

} // namespace winnow::ui

#pragma once

#include <QByteArrayView>
#include <optional>

namespace winnow::core {

// The image formats Winnow hands to a decoder. Anything else is refused before decoding, so
// every decoder that runs has had its image's size read from the header first.
enum class ImageFormat { Unknown, Jpeg, Png, Bmp, Gif, Tiff, Webp, Pnm, Pfm, Jpeg2000 };

struct ImageHeader {
    ImageFormat format = ImageFormat::Unknown;
    qint64 width = 0;
    qint64 height = 0;
};

// The format, from the file's first bytes.
ImageFormat sniffImageFormat(QByteArrayView bytes);
const char *imageFormatName(ImageFormat format);

// The width and height the header declares, read without decoding anything; nullopt when the
// format is unknown or its header is cut short or malformed. Never reads past `bytes`.
std::optional<ImageHeader> readImageHeader(QByteArrayView bytes);

// The EXIF orientation of a JPEG (1 to 8, as the tag defines them; 1 when there is none or it
// cannot be read): how the stored pixels must be turned to show the picture upright.
int exifOrientation(QByteArrayView bytes);

} // namespace winnow::core

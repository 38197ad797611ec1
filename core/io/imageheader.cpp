#include "core/io/imageheader.h"

#include <QByteArray>
#include <cctype>

namespace winnow::core {
namespace {

// Bounds-checked reads of the header's integers; out-of-range reads give nullopt.
class Bytes {
public:
    explicit Bytes(QByteArrayView bytes)
        : m_bytes(bytes) {}

    qint64 size() const { return m_bytes.size(); }
    bool has(qint64 at, qint64 count) const {
        return at >= 0 && count >= 0 && at + count <= size();
    }
    quint8 at(qint64 i) const { return quint8(m_bytes[i]); }
    bool equals(qint64 at, QByteArrayView text) const {
        return has(at, text.size()) && m_bytes.sliced(at, text.size()) == text;
    }
    std::optional<quint64> bigEndian(qint64 at, int width) const {
        if (!has(at, width))
            return std::nullopt;
        quint64 value = 0;
        for (int i = 0; i < width; ++i)
            value = (value << 8) | this->at(at + i);
        return value;
    }
    std::optional<quint64> littleEndian(qint64 at, int width) const {
        if (!has(at, width))
            return std::nullopt;
        quint64 value = 0;
        for (int i = width - 1; i >= 0; --i)
            value = (value << 8) | this->at(at + i);
        return value;
    }

private:
    QByteArrayView m_bytes;
};

std::optional<ImageHeader> sized(ImageFormat format, qint64 width, qint64 height) {
    return ImageHeader{format, width, height};
}

std::optional<ImageHeader> jpegHeader(const Bytes &b) {
    qint64 at = 2; // after the start-of-image marker
    while (b.has(at, 2)) {
        if (b.at(at) != 0xFF)
            return std::nullopt;
        while (b.has(at, 1) && b.at(at) == 0xFF) // fill bytes
            ++at;
        if (!b.has(at, 1))
            return std::nullopt;
        const quint8 marker = b.at(at++);
        if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7))
            continue; // markers without a length
        if (marker == 0xD9 || marker == 0xDA)
            return std::nullopt; // end of image or start of scan before any frame header
        const auto length = b.bigEndian(at, 2);
        if (!length || *length < 2)
            return std::nullopt;
        const bool startOfFrame =
            marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
        if (startOfFrame) {
            const auto height = b.bigEndian(at + 3, 2);
            const auto width = b.bigEndian(at + 5, 2);
            if (!height || !width)
                return std::nullopt;
            return sized(ImageFormat::Jpeg, qint64(*width), qint64(*height));
        }
        at += qint64(*length);
    }
    return std::nullopt;
}

std::optional<ImageHeader> pngHeader(const Bytes &b) {
    if (!b.equals(12, "IHDR"))
        return std::nullopt;
    const auto width = b.bigEndian(16, 4);
    const auto height = b.bigEndian(20, 4);
    if (!width || !height)
        return std::nullopt;
    return sized(ImageFormat::Png, qint64(*width), qint64(*height));
}

std::optional<ImageHeader> bmpHeader(const Bytes &b) {
    const auto infoSize = b.littleEndian(14, 4);
    if (!infoSize)
        return std::nullopt;
    if (*infoSize == 12) { // OS/2 core header: 16-bit sizes
        const auto width = b.littleEndian(18, 2);
        const auto height = b.littleEndian(20, 2);
        if (!width || !height)
            return std::nullopt;
        return sized(ImageFormat::Bmp, qint64(*width), qint64(*height));
    }
    const auto width = b.littleEndian(18, 4);
    const auto height = b.littleEndian(22, 4);
    if (!width || !height)
        return std::nullopt;
    // Signed: a negative height means rows stored top-down.
    const qint64 h = qint32(quint32(*height));
    return sized(ImageFormat::Bmp, qint32(quint32(*width)), h < 0 ? -h : h);
}

std::optional<ImageHeader> gifHeader(const Bytes &b) {
    const auto width = b.littleEndian(6, 2);
    const auto height = b.littleEndian(8, 2);
    if (!width || !height)
        return std::nullopt;
    return sized(ImageFormat::Gif, qint64(*width), qint64(*height));
}

std::optional<ImageHeader> tiffHeader(const Bytes &b) {
    const bool little = b.at(0) == 'I';
    auto read = [&](qint64 at, int width) {
        return little ? b.littleEndian(at, width) : b.bigEndian(at, width);
    };
    const auto directory = read(4, 4);
    if (!directory)
        return std::nullopt;
    const auto entries = read(qint64(*directory), 2);
    if (!entries)
        return std::nullopt;
    std::optional<quint64> width, height;
    for (quint64 i = 0; i < *entries; ++i) {
        const qint64 entry = qint64(*directory) + 2 + 12 * qint64(i);
        const auto tag = read(entry, 2);
        const auto type = read(entry + 2, 2);
        if (!tag || !type)
            return std::nullopt;
        std::optional<quint64> value;
        if (*type == 3) // SHORT, left-aligned in the value field
            value = read(entry + 8, 2);
        else if (*type == 4) // LONG
            value = read(entry + 8, 4);
        if (*tag == 256)
            width = value;
        else if (*tag == 257)
            height = value;
        if (width && height)
            return sized(ImageFormat::Tiff, qint64(*width), qint64(*height));
    }
    return std::nullopt;
}

std::optional<ImageHeader> webpHeader(const Bytes &b) {
    if (b.equals(12, "VP8 ")) { // lossy: a key frame's start code, then 14-bit sizes
        if (!b.equals(23, QByteArrayView("\x9D\x01\x2A", 3)))
            return std::nullopt;
        const auto width = b.littleEndian(26, 2);
        const auto height = b.littleEndian(28, 2);
        if (!width || !height)
            return std::nullopt;
        return sized(ImageFormat::Webp, qint64(*width & 0x3FFF), qint64(*height & 0x3FFF));
    }
    if (b.equals(12, "VP8L")) { // lossless: a signature byte, then sizes minus one in 14 bits
        const auto bits = b.littleEndian(21, 4);
        if (!b.has(20, 1) || b.at(20) != 0x2F || !bits)
            return std::nullopt;
        return sized(ImageFormat::Webp, qint64(*bits & 0x3FFF) + 1,
                     qint64((*bits >> 14) & 0x3FFF) + 1);
    }
    if (b.equals(12, "VP8X")) { // extended: canvas sizes minus one in 24 bits
        const auto width = b.littleEndian(24, 3);
        const auto height = b.littleEndian(27, 3);
        if (!width || !height)
            return std::nullopt;
        return sized(ImageFormat::Webp, qint64(*width) + 1, qint64(*height) + 1);
    }
    return std::nullopt;
}

// The whitespace-separated tokens of a Netpbm header, skipping # comments.
class NetpbmTokens {
public:
    NetpbmTokens(const Bytes &b, qint64 at)
        : m_b(b)
        , m_at(at) {}

    QByteArray next() {
        while (m_b.has(m_at, 1)) {
            const char c = char(m_b.at(m_at));
            if (c == '#') {
                while (m_b.has(m_at, 1) && m_b.at(m_at) != '\n' && m_b.at(m_at) != '\r')
                    ++m_at;
            } else if (std::isspace(static_cast<unsigned char>(c))) {
                ++m_at;
            } else {
                break;
            }
        }
        QByteArray token;
        while (m_b.has(m_at, 1) && !std::isspace(m_b.at(m_at)) && m_b.at(m_at) != '#' &&
               token.size() < 64)
            token.append(char(m_b.at(m_at++)));
        return token;
    }
    // A decimal number; nullopt when the token is not one. Saturates far above any real size.
    std::optional<qint64> number() {
        const QByteArray token = next();
        if (token.isEmpty())
            return std::nullopt;
        qint64 value = 0;
        for (const char c : token) {
            if (c < '0' || c > '9')
                return std::nullopt;
            value = std::min<qint64>(value * 10 + (c - '0'), qint64(1) << 40);
        }
        return value;
    }

private:
    const Bytes &m_b;
    qint64 m_at;
};

std::optional<ImageHeader> netpbmHeader(const Bytes &b, ImageFormat format) {
    NetpbmTokens tokens(b, 2);
    if (format == ImageFormat::Pnm && b.at(1) == '7') { // PAM: WIDTH w HEIGHT h ... ENDHDR
        std::optional<qint64> width, height;
        for (int i = 0; i < 64; ++i) {
            const QByteArray token = tokens.next();
            if (token.isEmpty() || token == "ENDHDR")
                break;
            if (token == "WIDTH")
                width = tokens.number();
            else if (token == "HEIGHT")
                height = tokens.number();
        }
        if (!width || !height)
            return std::nullopt;
        return sized(format, *width, *height);
    }
    const auto width = tokens.number();
    const auto height = tokens.number();
    if (!width || !height)
        return std::nullopt;
    return sized(format, *width, *height);
}

// A JPEG 2000 codestream's SIZ segment: the reference grid minus its offset.
std::optional<ImageHeader> codestreamHeader(const Bytes &b, qint64 at) {
    if (!b.equals(at, QByteArrayView("\xFF\x4F\xFF\x51", 4)))
        return std::nullopt;
    const auto gridWidth = b.bigEndian(at + 8, 4);
    const auto gridHeight = b.bigEndian(at + 12, 4);
    const auto offsetX = b.bigEndian(at + 16, 4);
    const auto offsetY = b.bigEndian(at + 20, 4);
    if (!gridWidth || !gridHeight || !offsetX || !offsetY || *offsetX > *gridWidth ||
        *offsetY > *gridHeight)
        return std::nullopt;
    return sized(ImageFormat::Jpeg2000, qint64(*gridWidth - *offsetX),
                 qint64(*gridHeight - *offsetY));
}

// A JP2 file: boxes; the "jp2h" box opens with an "ihdr" box of height and width.
std::optional<ImageHeader> jp2Header(const Bytes &b) {
    qint64 at = 0;
    for (int box = 0; box < 64 && b.has(at, 8); ++box) {
        quint64 length = *b.bigEndian(at, 4);
        qint64 header = 8;
        if (length == 1) {
            const auto large = b.bigEndian(at + 8, 8);
            if (!large)
                return std::nullopt;
            length = *large;
            header = 16;
        } else if (length == 0) {
            length = quint64(b.size() - at);
        }
        if (length < quint64(header) || length > quint64(b.size() - at))
            return std::nullopt;
        if (b.equals(at + 4, "jp2h")) {
            if (!b.equals(at + header + 4, "ihdr"))
                return std::nullopt;
            const auto height = b.bigEndian(at + header + 8, 4);
            const auto width = b.bigEndian(at + header + 12, 4);
            if (!height || !width)
                return std::nullopt;
            return sized(ImageFormat::Jpeg2000, qint64(*width), qint64(*height));
        }
        if (b.equals(at + 4, "jp2c"))
            return codestreamHeader(b, at + header);
        at += qint64(length);
    }
    return std::nullopt;
}

// Orientation (tag 0x0112) in the first image directory of an EXIF block's TIFF structure.
int tiffOrientation(const Bytes &b, qint64 tiff) {
    const bool little = b.equals(tiff, "II");
    if (!little && !b.equals(tiff, "MM"))
        return 1;
    auto read = [&](qint64 at, int width) {
        return little ? b.littleEndian(at, width) : b.bigEndian(at, width);
    };
    const auto directory = read(tiff + 4, 4);
    if (!directory)
        return 1;
    const qint64 start = tiff + qint64(*directory);
    const auto entries = read(start, 2);
    if (!entries)
        return 1;
    for (quint64 i = 0; i < *entries; ++i) {
        const qint64 entry = start + 2 + 12 * qint64(i);
        const auto tag = read(entry, 2);
        if (!tag)
            return 1;
        if (*tag == 0x0112) {
            const auto value = read(entry + 8, 2);
            return value && *value >= 1 && *value <= 8 ? int(*value) : 1;
        }
    }
    return 1;
}

} // namespace

int exifOrientation(QByteArrayView bytes) {
    const Bytes b(bytes);
    if (sniffImageFormat(bytes) != ImageFormat::Jpeg)
        return 1;
    qint64 at = 2;
    while (b.has(at, 4) && b.at(at) == 0xFF) {
        const quint8 marker = b.at(at + 1);
        if (marker == 0xDA || marker == 0xD9)
            break; // the scan starts: no more metadata
        const auto length = b.bigEndian(at + 2, 2);
        if (!length || *length < 2)
            break;
        if (marker == 0xE1 && b.equals(at + 4, QByteArrayView("Exif\0\0", 6)))
            return tiffOrientation(b, at + 10);
        at += 2 + qint64(*length);
    }
    return 1;
}

ImageFormat sniffImageFormat(QByteArrayView bytes) {
    const Bytes b(bytes);
    if (b.equals(0, QByteArrayView("\xFF\xD8\xFF", 3)))
        return ImageFormat::Jpeg;
    if (b.equals(0, QByteArrayView("\x89PNG\r\n\x1A\n", 8)))
        return ImageFormat::Png;
    if (b.equals(0, "BM"))
        return ImageFormat::Bmp;
    if (b.equals(0, "GIF8"))
        return ImageFormat::Gif;
    if (b.equals(0, QByteArrayView("II*\0", 4)) || b.equals(0, QByteArrayView("MM\0*", 4)))
        return ImageFormat::Tiff;
    if (b.equals(0, "RIFF") && b.equals(8, "WEBP"))
        return ImageFormat::Webp;
    if (b.has(0, 3) && b.at(0) == 'P' && std::isspace(b.at(2))) {
        if (b.at(1) >= '1' && b.at(1) <= '7')
            return ImageFormat::Pnm;
        if (b.at(1) == 'F' || b.at(1) == 'f')
            return ImageFormat::Pfm;
    }
    if (b.equals(0, QByteArrayView("\x00\x00\x00\x0CjP  ", 8)) ||
        b.equals(0, QByteArrayView("\xFF\x4F\xFF\x51", 4)))
        return ImageFormat::Jpeg2000;
    return ImageFormat::Unknown;
}

const char *imageFormatName(ImageFormat format) {
    switch (format) {
    case ImageFormat::Jpeg:
        return "JPEG";
    case ImageFormat::Png:
        return "PNG";
    case ImageFormat::Bmp:
        return "BMP";
    case ImageFormat::Gif:
        return "GIF";
    case ImageFormat::Tiff:
        return "TIFF";
    case ImageFormat::Webp:
        return "WebP";
    case ImageFormat::Pnm:
        return "PNM";
    case ImageFormat::Pfm:
        return "PFM";
    case ImageFormat::Jpeg2000:
        return "JPEG 2000";
    case ImageFormat::Unknown:
        break;
    }
    return "unknown";
}

std::optional<ImageHeader> readImageHeader(QByteArrayView bytes) {
    const Bytes b(bytes);
    switch (const ImageFormat format = sniffImageFormat(bytes)) {
    case ImageFormat::Jpeg:
        return jpegHeader(b);
    case ImageFormat::Png:
        return pngHeader(b);
    case ImageFormat::Bmp:
        return bmpHeader(b);
    case ImageFormat::Gif:
        return gifHeader(b);
    case ImageFormat::Tiff:
        return tiffHeader(b);
    case ImageFormat::Webp:
        return webpHeader(b);
    case ImageFormat::Pnm:
    case ImageFormat::Pfm:
        return netpbmHeader(b, format);
    case ImageFormat::Jpeg2000:
        return b.at(0) == 0xFF ? codestreamHeader(b, 0) : jp2Header(b);
    case ImageFormat::Unknown:
        break;
    }
    return std::nullopt;
}

} // namespace winnow::core

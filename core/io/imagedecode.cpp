#include "core/io/imagedecode.h"

#include "core/io/imageheader.h"

#include <opencv2/imgcodecs.hpp>

namespace winnow::core {

cv::Mat applyExifOrientation(const cv::Mat &image, int orientation) {
    cv::Mat out;
    switch (orientation) {
    case 2: // mirrored
        cv::flip(image, out, 1);
        return out;
    case 3: // turned half way
        cv::flip(image, out, -1);
        return out;
    case 4: // upside down, mirrored
        cv::flip(image, out, 0);
        return out;
    case 5: // transposed
        cv::transpose(image, out);
        return out;
    case 6: // stored a quarter turn anticlockwise: turn it clockwise
        cv::transpose(image, out);
        cv::flip(out, out, 1);
        return out;
    case 7: // transversed
        cv::transpose(image, out);
        cv::flip(out, out, -1);
        return out;
    case 8: // stored a quarter turn clockwise: turn it back
        cv::transpose(image, out);
        cv::flip(out, out, 0);
        return out;
    default:
        return image;
    }
}

cv::Mat decodeUpright(const QByteArray &bytes) {
    const cv::Mat buffer(1, int(bytes.size()), CV_8U, const_cast<char *>(bytes.constData()));
    // IMREAD_UNCHANGED keeps alpha and 16-bit depth but ignores the orientation: apply it here.
    const cv::Mat image = cv::imdecode(buffer, cv::IMREAD_UNCHANGED);
    return image.empty() ? image : applyExifOrientation(image, exifOrientation(bytes));
}

} // namespace winnow::core

#include "core/curation/appearance.h"

#include "core/io/imagedecode.h"
#include "core/io/imageprobe.h"
#include "core/io/perceptualhash.h"
#include "core/io/regularfile.h"

#include <algorithm>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {
namespace {

cv::Mat grey8(const cv::Mat &image) {
    cv::Mat grey = greyImage(image);
    if (grey.depth() != CV_8U)
        grey.convertTo(grey, CV_8U, grey.depth() == CV_16U ? 1.0 / 257.0 : 255.0);
    return grey;
}

// The working copy the crop hashes are cut from: at 128 pixels a step of one pixel in 32 is
// four whole pixels, so every crop is a plain rectangle.
constexpr int kWorkSide = 128;
constexpr int kStep = kWorkSide / 32;

// Band-passed grey copy: the difference of two blurs keeps shapes and texture and drops both
// the overall brightness gradient and pixel noise, the parts copies change most.
cv::Mat bandPass(const Appearance &look, bool mirrored) {
    const cv::Mat grey(kLookSide, kLookSide, CV_8U, const_cast<std::uint8_t *>(look.grey.data()));
    cv::Mat pixels, fine, coarse;
    grey.convertTo(pixels, CV_32F);
    if (mirrored)
        cv::flip(pixels, pixels, 1);
    cv::GaussianBlur(pixels, fine, cv::Size(), 1.0);
    cv::GaussianBlur(pixels, coarse, cv::Size(), 3.0);
    return fine - coarse;
}

bool flat(const cv::Mat &pixels) {
    cv::Scalar mean, deviation;
    cv::meanStdDev(pixels, mean, deviation);
    return deviation[0] < 0.5;
}

} // namespace

Appearance appearanceOf(const cv::Mat &image) {
    Appearance look;
    if (image.empty())
        return look;
    const cv::Mat grey = grey8(image);
    cv::Mat small;
    cv::resize(grey, small, cv::Size(kLookSide, kLookSide), 0, 0,
               grey.cols >= kLookSide && grey.rows >= kLookSide ? cv::INTER_AREA
                                                                : cv::INTER_LINEAR);
    look.grey.assign(small.datastart, small.dataend);

    cv::Mat work;
    cv::resize(grey, work, cv::Size(kWorkSide, kWorkSide), 0, 0,
               grey.cols >= kWorkSide && grey.rows >= kWorkSide ? cv::INTER_AREA
                                                                : cv::INTER_LINEAR);
    work.convertTo(work, CV_32F);
    // perceptualHash reads the central three quarters. A copy cropped by c pixels in 32 (split
    // in any way between the two sides) and scaled back shows, in its central three quarters,
    // 3 (32 - c) pixels of the original's 128 at an offset of up to c / 2 steps from the centre.
    for (const int crop : {2, 4}) {
        const int side = 3 * (32 - crop) * kWorkSide / 128;
        const int centre = (kWorkSide - side) / 2;
        for (int dy = -crop / 2; dy <= crop / 2; ++dy)
            for (int dx = -crop / 2; dx <= crop / 2; ++dx) {
                cv::Mat region;
                cv::resize(work(cv::Rect(centre + dx * kStep, centre + dy * kStep, side, side)),
                           region, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
                look.cropHashes.push_back(dctHash(region));
            }
    }
    return look;
}

Appearance appearanceOfFile(const QString &path) {
    const auto bytes = readRegularFile(path, kMaxImageFileBytes);
    if (!bytes)
        return {};
    try {
        return appearanceOf(decodeUpright(*bytes));
    } catch (const cv::Exception &) {
        return {};
    }
}

double lookSimilarity(const Appearance &a, const Appearance &b, bool mirrored) {
    if (!a.known() || !b.known())
        return -1;
    const cv::Mat pa = bandPass(a, false), pb = bandPass(b, mirrored);
    const bool flatA = flat(pa), flatB = flat(pb);
    if (flatA || flatB)
        return flatA && flatB ? 1.0 : 0.0;
    double best = -1;
    // Either image may be the cropped one: the centre of each, at three zooms, is looked for in
    // the other over shifts of up to four pixels.
    for (int direction = 0; direction < 2; ++direction) {
        const cv::Mat &searched = direction == 0 ? pa : pb;
        const cv::Mat &other = direction == 0 ? pb : pa;
        for (const int side : {kLookSide, kLookSide - 2, kLookSide - 4}) {
            cv::Mat zoomed = other;
            if (side != kLookSide)
                cv::resize(other, zoomed, cv::Size(side, side), 0, 0, cv::INTER_AREA);
            const int margin = side / 8;
            const cv::Mat centre =
                zoomed(cv::Rect(margin, margin, side - 2 * margin, side - 2 * margin));
            cv::Mat scores;
            cv::matchTemplate(searched, centre, scores, cv::TM_CCOEFF_NORMED);
            double top = -1;
            cv::minMaxLoc(scores, nullptr, &top);
            best = std::max(best, top);
        }
    }
    return std::min(best, 1.0);
}

} // namespace winnow::core

#pragma once

#include <QString>
#include <array>
#include <cstdint>
#include <vector>

namespace cv {
class Mat;
}

namespace winnow::core {

// What near-duplicate search needs to know of an image beyond its whole-image hash. A copy
// cropped by a few pixels and scaled back has a whole-image hash far from the original's, so
// the original also offers the hashes its centre would have under such crops; and a hash match
// is only a candidate until small grey copies of the two images agree.
struct Appearance {
    // Perceptual hashes of the image as if cropped by 2 or 4 pixels in 32 (in every placement
    // of the crop on a 1-pixel grid) and scaled back: a cropped copy's own hash is near one of
    // them.
    std::vector<std::uint64_t> cropHashes;
    // The whole image in grey at kLookSide x kLookSide; empty when the image could not be read.
    std::vector<std::uint8_t> grey;

    bool known() const { return !grey.empty(); }
};

constexpr int kLookSide = 32;

// The appearance of a decoded image (grey, BGR or BGRA, 8 or 16 bits).
Appearance appearanceOf(const cv::Mat &image);

// The appearance of an image file, decoded upright; empty (not known) when it cannot be read.
Appearance appearanceOfFile(const QString &path);

// A look made ready for many comparisons: its band-pass grey copy.
struct LookPass {
    std::array<float, kLookSide * kLookSide> pixels{};
    bool known = false; // the image could be read
    bool flat = true;   // no detail at all (a blank image)
};

LookPass lookPass(const Appearance &look);

// How alike two images look, from -1 to 1: the best normalised cross-correlation of their
// band-pass grey copies over shifts of up to a few pixels in 32 and zooms of up to 1/8 either
// way, so re-encoded, rescaled, brightened, noisy and slightly cropped copies score high
// (> 0.92), while different images with the same outline score lower. With `mirrored`, b is
// compared mirrored.
double lookSimilarity(const LookPass &a, const LookPass &b, bool mirrored = false);
double lookSimilarity(const Appearance &a, const Appearance &b, bool mirrored = false);

// A coarse signature of a look, for finding look-alikes fast: its band-pass copy at
// kSignatureSide x kSignatureSide, zero mean and unit length (all zero when the image is flat or
// unknown). The dot product of two signatures is their correlation without a shift.
constexpr int kSignatureSide = 16;
using LookSignature = std::array<float, kSignatureSide * kSignatureSide>;
LookSignature lookSignature(const LookPass &pass);

} // namespace winnow::core

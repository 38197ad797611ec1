#pragma once

#include <array>
#include <cstdint>

namespace cv {
class Mat;
}

namespace winnow::core {

// 64-bit DCT perceptual hash (pHash): the 8x8 lowest DCT frequencies of the central three
// quarters of the image, in grey at 32x32, each against their median. Robust to re-encoding,
// resizing and small brightness changes; compare with the Hamming distance.
std::uint64_t perceptualHash(const cv::Mat &image);

// One grey channel of a grey, BGR or BGRA image, in its own depth.
cv::Mat greyImage(const cv::Mat &image);

// The hash bits of a 32x32 single-channel float image: its 8x8 lowest DCT frequencies against
// their median (the step perceptualHash ends with).
std::uint64_t dctHash(const cv::Mat &pixels);

// The hash bits of the 8x8 lowest DCT frequencies of an image, row by row as cv::dct scales
// them: each but the DC term against their median.
std::uint64_t lowFrequencyHash(const std::array<float, 64> &low);

inline int hammingDistance(std::uint64_t a, std::uint64_t b) {
    return __builtin_popcountll(a ^ b);
}

} // namespace winnow::core

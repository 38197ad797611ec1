#pragma once

#include <cstdint>

namespace cv {
class Mat;
}

namespace winnow::core {

// 64-bit DCT perceptual hash (pHash): the 8x8 lowest DCT frequencies of the central three
// quarters of the image, in grey at 32x32, each against their median. Robust to re-encoding,
// resizing and small brightness changes; compare with the Hamming distance.
std::uint64_t perceptualHash(const cv::Mat &image);

inline int hammingDistance(std::uint64_t a, std::uint64_t b) {
    return __builtin_popcountll(a ^ b);
}

} // namespace winnow::core

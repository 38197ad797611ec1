#include "core/io/perceptualhash.h"

#include <algorithm>
#include <array>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

namespace winnow::core {

cv::Mat greyImage(const cv::Mat &image) {
    cv::Mat grey;
    if (image.channels() == 1)
        grey = image;
    else if (image.channels() == 3)
        cv::cvtColor(image, grey, cv::COLOR_BGR2GRAY);
    else
        cv::cvtColor(image, grey, cv::COLOR_BGRA2GRAY);
    return grey;
}

std::uint64_t perceptualHash(const cv::Mat &image) {
    const cv::Mat grey = greyImage(image);

    // The central three quarters: a copy cropped by a few pixels at the border keeps most of it,
    // and borders (frames, padding) say little about what the image shows.
    const int mx = grey.cols / 8, my = grey.rows / 8;
    const cv::Mat centre = grey.cols >= 8 && grey.rows >= 8
                               ? grey(cv::Rect(mx, my, grey.cols - 2 * mx, grey.rows - 2 * my))
                               : grey;
    cv::Mat small;
    cv::resize(centre, small, cv::Size(32, 32), 0, 0, cv::INTER_AREA);
    cv::Mat pixels;
    small.convertTo(pixels, CV_32F, image.depth() == CV_16U ? 1.0 / 257.0 : 1.0);
    return dctHash(pixels);
}

std::uint64_t dctHash(const cv::Mat &pixels) {
    cv::Mat frequencies;
    cv::dct(pixels, frequencies);

    std::array<float, 64> low{};
    for (int y = 0; y < 8; ++y)
        for (int x = 0; x < 8; ++x)
            low[size_t(y * 8 + x)] = frequencies.at<float>(y, x);
    return lowFrequencyHash(low);
}

std::uint64_t lowFrequencyHash(const std::array<float, 64> &low) {
    // The DC term only says how bright the image is; leave it out of the median.
    std::array<float, 63> ac{};
    std::copy(low.begin() + 1, low.end(), ac.begin());
    std::nth_element(ac.begin(), ac.begin() + 31, ac.end());
    const float median = ac[31];

    std::uint64_t hash = 0;
    for (size_t i = 1; i < 64; ++i)
        if (low[i] > median)
            hash |= std::uint64_t(1) << i;
    return hash;
}

} // namespace winnow::core

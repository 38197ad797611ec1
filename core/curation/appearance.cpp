#include "core/curation/appearance.h"

#include "core/io/imagedecode.h"
#include "core/io/imageprobe.h"
#include "core/io/perceptualhash.h"
#include "core/io/regularfile.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
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

// The working copy the crop hashes are read from. A crop's pixels are never cut out and resized:
// shrinking a region to 32 samples by area and taking its 8 lowest DCT frequencies are both
// linear, so one 8 x kWorkSide matrix per axis (a Projection) does both, for a region that may
// start and end between pixels.
constexpr int kWorkSide = 64;
constexpr int kLow = 8;
constexpr int kHashSide = 32;

struct Projection {
    std::array<float, kLow * kWorkSide> weights{}; // row k: frequency k's weight per pixel
    int first = 0, last = 0;                       // the pixels with a weight
};

// The projection of [start, start + length) of the working copy, in working pixels.
Projection projection(double start, double length) {
    // Area weights: output sample i averages the input over [start + i s, start + (i + 1) s).
    const double s = length / kHashSide;
    std::array<double, kHashSide * kWorkSide> area{};
    for (int i = 0; i < kHashSide; ++i) {
        const double from = start + i * s, to = from + s;
        for (int j = std::max(0, int(from)); j < std::min(kWorkSide, int(std::ceil(to))); ++j)
            area[size_t(i * kWorkSide + j)] =
                std::max(0.0, std::min(to, j + 1.0) - std::max(from, double(j))) / s;
    }
    // The DCT-II rows as cv::dct scales them (orthonormal).
    Projection p;
    for (int k = 0; k < kLow; ++k) {
        const double scale = std::sqrt((k == 0 ? 1.0 : 2.0) / kHashSide);
        for (int i = 0; i < kHashSide; ++i) {
            const double basis = scale * std::cos(M_PI * (2 * i + 1) * k / (2.0 * kHashSide));
            for (int j = 0; j < kWorkSide; ++j)
                p.weights[size_t(k * kWorkSide + j)] +=
                    float(basis * area[size_t(i * kWorkSide + j)]);
        }
    }
    p.first = std::clamp(int(start), 0, kWorkSide);
    p.last = std::clamp(int(std::ceil(start + length)), p.first, kWorkSide);
    return p;
}

// perceptualHash reads the central three quarters. A copy cropped by c pixels in 32 (split in
// any way between the two sides) and scaled back shows, in its central three quarters,
// 3 (32 - c) / 4 of the original's 32 at an offset of up to c / 2 pixels from the centre.
struct Crop {
    int crop;                            // pixels in 32
    std::vector<int> offsets;            // -crop / 2 .. crop / 2
    std::vector<Projection> projections; // one per offset
};

const std::vector<Crop> &crops() {
    static const std::vector<Crop> table = [] {
        std::vector<Crop> made;
        for (const int crop : {2, 4}) {
            Crop c{crop, {}, {}};
            const double step = kWorkSide / 32.0;
            const double side = 0.75 * (32 - crop) * step;
            for (int offset = -crop / 2; offset <= crop / 2; ++offset) {
                c.offsets.push_back(offset);
                c.projections.push_back(projection((kWorkSide - side) / 2 + offset * step, side));
            }
            made.push_back(std::move(c));
        }
        return made;
    }();
    return table;
}

// The best normalised correlation of `centre` (float) with a window of `searched` (float, at
// least as large) over every placement: cv::matchTemplate's TM_CCOEFF_NORMED, computed directly,
// which is several times faster at these sizes. Windows without variance score 0.
constexpr int kLanes = 8;

// An image to search, made once for every template looked for in it: its pixels padded on the
// right so that a template row padded to whole lanes never reads past a row's end, and the
// integral tables of its pixels and their squares for every window's mean and variance.
struct Searched {
    explicit Searched(const cv::Mat &pixels)
        : rows(pixels.rows)
        , cols(pixels.cols)
        , stride(pixels.cols + kLanes)
        , image(size_t(rows * stride), 0.0f) {
        for (int r = 0; r < rows; ++r)
            std::copy_n(pixels.ptr<float>(r), cols, image.begin() + r * stride);
        cv::integral(pixels, sum, squares, CV_64F, CV_64F);
    }
    int rows, cols, stride;
    std::vector<float> image;
    cv::Mat sum, squares;
};

double bestCorrelation(const Searched &searched, const cv::Mat &centre) {
    const int h = centre.rows, w = centre.cols, padded = (w + kLanes - 1) / kLanes * kLanes;
    const int shiftsY = searched.rows - h + 1, shiftsX = searched.cols - w + 1;
    const int stride = searched.stride;
    // The template without its mean, rows padded with zeros to whole lanes.
    std::vector<float> templ(size_t(h * padded), 0.0f);
    const double templMean = cv::mean(centre)[0];
    double templNorm = 0;
    for (int r = 0; r < h; ++r)
        for (int c = 0; c < w; ++c) {
            const float v = float(centre.at<float>(r, c) - templMean);
            templ[size_t(r * padded + c)] = v;
            templNorm += double(v) * v;
        }
    const double count = double(h) * w;
    double best = -1;
    for (int dy = 0; dy < shiftsY; ++dy)
        for (int dx = 0; dx < shiftsX; ++dx) {
            std::array<float, kLanes> lanes{};
            for (int r = 0; r < h; ++r) {
                const float *row = searched.image.data() + (dy + r) * stride + dx;
                const float *t = templ.data() + r * padded;
                for (int c = 0; c < padded; c += kLanes)
                    for (int l = 0; l < kLanes; ++l)
                        lanes[size_t(l)] += row[c + l] * t[c + l];
            }
            const double cross = std::accumulate(lanes.begin(), lanes.end(), 0.0);
            const auto window = [&](const cv::Mat &table) {
                return table.at<double>(dy + h, dx + w) - table.at<double>(dy, dx + w) -
                       table.at<double>(dy + h, dx) + table.at<double>(dy, dx);
            };
            const double total = window(searched.sum);
            const double variance = window(searched.squares) - total * total / count;
            if (variance > 1e-6 * count && templNorm > 0)
                best = std::max(best, cross / std::sqrt(variance * templNorm));
            else
                best = std::max(best, 0.0);
        }
    return best;
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
    std::array<float, kLow * kWorkSide> rows{}; // the 8 row frequencies of each column
    std::array<float, kLow * kLow> low{};
    for (const Crop &crop : crops())
        for (const Projection &vertical : crop.projections) {
            rows.fill(0);
            for (int y = vertical.first; y < vertical.last; ++y) {
                const float *pixels = work.ptr<float>(y);
                for (int k = 0; k < kLow; ++k) {
                    const float w = vertical.weights[size_t(k * kWorkSide + y)];
                    float *row = rows.data() + k * kWorkSide;
                    for (int x = 0; x < kWorkSide; ++x)
                        row[x] += w * pixels[x];
                }
            }
            for (const Projection &horizontal : crop.projections) {
                for (int k = 0; k < kLow; ++k)
                    for (int l = 0; l < kLow; ++l) {
                        const float *row = rows.data() + k * kWorkSide;
                        const float *w = horizontal.weights.data() + l * kWorkSide;
                        float sum = 0;
                        for (int x = horizontal.first; x < horizontal.last; ++x)
                            sum += row[x] * w[x];
                        low[size_t(k * kLow + l)] = sum;
                    }
                look.cropHashes.push_back(lowFrequencyHash(low));
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

// Band-passed grey copy: the difference of two blurs keeps shapes and texture and drops both
// the overall brightness gradient and pixel noise, the parts copies change most.
LookPass lookPass(const Appearance &look) {
    LookPass pass;
    if (!look.known())
        return pass;
    pass.known = true;
    const cv::Mat grey(kLookSide, kLookSide, CV_8U, const_cast<std::uint8_t *>(look.grey.data()));
    cv::Mat pixels, fine, coarse;
    grey.convertTo(pixels, CV_32F);
    cv::GaussianBlur(pixels, fine, cv::Size(), 1.0);
    cv::GaussianBlur(pixels, coarse, cv::Size(), 3.0);
    cv::Mat out(kLookSide, kLookSide, CV_32F, pass.pixels.data());
    cv::subtract(fine, coarse, out);
    cv::Scalar mean, deviation;
    cv::meanStdDev(out, mean, deviation);
    pass.flat = deviation[0] < 0.5;
    return pass;
}

double lookSimilarity(const Appearance &a, const Appearance &b, bool mirrored) {
    return lookSimilarity(lookPass(a), lookPass(b), mirrored);
}

double lookSimilarity(const LookPass &a, const LookPass &b, bool mirrored) {
    if (!a.known || !b.known)
        return -1;
    if (a.flat || b.flat)
        return a.flat && b.flat ? 1.0 : 0.0;
    const cv::Mat pa(kLookSide, kLookSide, CV_32F, const_cast<float *>(a.pixels.data()));
    cv::Mat pb(kLookSide, kLookSide, CV_32F, const_cast<float *>(b.pixels.data()));
    // The band-pass filter is symmetric, so the mirrored image's copy is the copy mirrored.
    if (mirrored) {
        cv::Mat flipped;
        cv::flip(pb, flipped, 1);
        pb = flipped;
    }
    double best = -1;
    // Either image may be the cropped one: the centre of each, at three zooms, is looked for in
    // the other over shifts of up to four pixels.
    for (int direction = 0; direction < 2; ++direction) {
        const Searched searched(direction == 0 ? pa : pb);
        const cv::Mat &other = direction == 0 ? pb : pa;
        for (const int side : {kLookSide, kLookSide - 2, kLookSide - 4}) {
            cv::Mat zoomed = other;
            if (side != kLookSide)
                cv::resize(other, zoomed, cv::Size(side, side), 0, 0, cv::INTER_AREA);
            const int margin = side / 8;
            const cv::Mat centre =
                zoomed(cv::Rect(margin, margin, side - 2 * margin, side - 2 * margin));
            best = std::max(best, bestCorrelation(searched, centre));
        }
    }
    return std::min(best, 1.0);
}

LookSignature lookSignature(const LookPass &passed) {
    LookSignature signature{};
    if (!passed.known)
        return signature;
    const cv::Mat pass(kLookSide, kLookSide, CV_32F, const_cast<float *>(passed.pixels.data()));
    cv::Mat small(kSignatureSide, kSignatureSide, CV_32F, signature.data());
    cv::resize(pass, small, small.size(), 0, 0, cv::INTER_AREA);
    small -= cv::mean(small)[0];
    const double length = cv::norm(small);
    if (length > 1e-3)
        small /= length;
    else
        small = 0;
    return signature;
}

} // namespace winnow::core

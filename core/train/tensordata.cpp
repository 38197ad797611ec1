#include "core/train/tensordata.h"

#include <ATen/CPUGeneratorImpl.h>

namespace winnow::core {

at::Generator generatorFor(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index) {
    std::uint64_t x = seed ^ (purpose * 0x9E3779B97F4A7C15ull) ^ (index * 0xC2B2AE3D27D4EB4Full);
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return at::make_generator<at::CPUGeneratorImpl>(x);
}

torch::Tensor mapImages(QFile &file, const TensorCache &cache) {
    file.setFileName(cache.path);
    if (!file.open(QIODevice::ReadOnly))
        throw failure(QStringLiteral("cannot open the image cache %1: %2")
                          .arg(cache.path, file.errorString()));
    uchar *mapped = file.map(cache.dataOffset, cache.rows * cache.geometry.bytesPerImage());
    if (!mapped)
        throw failure(QStringLiteral("cannot map the image cache %1").arg(cache.path));
    return torch::from_blob(
        mapped, {cache.rows, cache.geometry.channels, cache.geometry.height, cache.geometry.width},
        torch::kUInt8);
}

void openDataset(Dataset &data, const TensorCache &cache, const LabelSnapshot &snapshot) {
    data.geometry = cache.geometry;
    data.images = mapImages(data.file, cache);
    std::vector<std::int64_t> labels, train, val, test;
    for (size_t row = 0; row < snapshot.items.size(); ++row) {
        const SnapshotItem &item = snapshot.items[row];
        labels.push_back(item.label);
        (item.split == Split::Val    ? val
         : item.split == Split::Test ? test
                                     : train)
            .push_back(std::int64_t(row));
    }
    const auto longs = [](const std::vector<std::int64_t> &v) {
        return torch::tensor(v, torch::kLong);
    };
    data.labels = longs(labels);
    data.train = longs(train);
    data.val = longs(val);
    data.test = longs(test);
    data.classes = std::int64_t(snapshot.classIds.size());

    // Per-channel mean and std of the training images.
    const std::int64_t c = cache.geometry.channels;
    torch::Tensor sum = torch::zeros({c}, torch::kDouble),
                  squares = torch::zeros({c}, torch::kDouble);
    for (std::int64_t start = 0; start < data.train.size(0); start += 1024) {
        const torch::Tensor rows =
            data.train.narrow(0, start, std::min<std::int64_t>(1024, data.train.size(0) - start));
        const torch::Tensor x = data.images.index_select(0, rows).to(torch::kDouble).div_(255);
        sum += x.sum({0, 2, 3});
        squares += x.square().sum({0, 2, 3});
    }
    const double count = double(data.train.size(0)) * cache.geometry.height * cache.geometry.width;
    const torch::Tensor mean = sum / count;
    const torch::Tensor std = (squares / count - mean.square()).clamp_min(1e-6).sqrt();
    data.mean = mean.to(torch::kFloat).view({1, c, 1, 1});
    data.std = std.to(torch::kFloat).view({1, c, 1, 1});
}

torch::Tensor augmentBatch(const torch::Tensor &x, at::Generator &generator) {
    const std::int64_t n = x.size(0), h = x.size(2), w = x.size(3);
    const torch::Tensor padded = torch::constant_pad_nd(x, {kPad, kPad, kPad, kPad}, 0);
    const torch::Tensor offsets = torch::randint(0, 2 * kPad + 1, {n, 2}, generator, torch::kLong);
    const torch::Tensor flips = torch::rand({n}, generator, torch::kFloat).lt(0.5);
    const auto offset = offsets.accessor<std::int64_t, 2>();
    const auto flip = flips.accessor<bool, 1>();
    std::vector<torch::Tensor> crops;
    crops.reserve(size_t(n));
    for (std::int64_t i = 0; i < n; ++i) {
        torch::Tensor crop = padded[i].narrow(1, offset[i][0], h).narrow(2, offset[i][1], w);
        crops.push_back(flip[i] ? crop.flip({2}) : crop);
    }
    return torch::stack(crops);
}

} // namespace winnow::core

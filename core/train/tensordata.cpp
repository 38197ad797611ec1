#include "core/train/tensordata.h"

#include "core/store/itemrepository.h"

#include <ATen/CPUGeneratorImpl.h>
#include <QDir>
#include <QThread>

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

namespace winnow::core {
namespace {

std::vector<std::int64_t> tensorShape(torch::serialize::InputArchive &archive, const char *module,
                                      const char *name) {
    torch::serialize::InputArchive nested;
    torch::Tensor value;
    if (!archive.try_read(module, nested) || !nested.try_read(name, value))
        throw std::runtime_error(std::string("the checkpoint has no ") + module + "." + name);
    return value.sizes().vec();
}

} // namespace

RunModel loadRunModel(Project &project, const RunRecord &run) {
    const QString path =
        QDir(runDirectory(project, run.id)).filePath(QStringLiteral("checkpoint.pt"));
    if (!QFile::exists(path))
        throw failure(QStringLiteral("run %1 has no checkpoint").arg(run.id));
    torch::serialize::InputArchive archive, modelArchive;
    archive.load_from(path.toStdString());
    archive.read("model", modelArchive);
    RunModel loaded;
    loaded.channels = tensorShape(modelArchive, "conv1", "weight")[1];
    const std::int64_t classes = tensorShape(modelArchive, "fc", "weight")[0];
    torch::set_num_threads(run.options.threads > 0 ? run.options.threads
                                                   : QThread::idealThreadCount());
    loaded.model = ResNet18(loaded.channels, classes, run.options.width);
    loaded.model->load(modelArchive);
    loaded.model->eval();
    if (!archive.try_read("mean", loaded.mean) || !archive.try_read("std", loaded.std)) {
        // Checkpoints from before the normalisation was stored: the run's own training images.
        const auto snapshot = runSnapshot(project, run.id);
        if (!snapshot)
            throw failure(snapshot.error().message);
        const auto cache = ensureTensorCache(project, *snapshot);
        if (!cache)
            throw failure(cache.error().message);
        QFile file;
        const torch::Tensor sample = mapImages(file, *cache)
                                         .narrow(0, 0, std::min<qint64>(cache->rows, 4096))
                                         .to(torch::kFloat)
                                         .div(255);
        loaded.mean = sample.mean({0, 2, 3}).view({1, loaded.channels, 1, 1});
        loaded.std = sample.std({0, 2, 3}).clamp_min(1e-3).view({1, loaded.channels, 1, 1});
    }
    return loaded;
}

ProjectImages cacheEveryItem(Project &project, const ProgressFn &progress,
                             const CancelToken *cancel) {
    ProjectImages all;
    all.snapshot.classIds = {0};
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
        all.snapshot.items.push_back({item.id, 0, Split::Train});
    if (all.snapshot.items.empty())
        throw failure(QStringLiteral("the project has no items"));
    const auto cache = ensureTensorCache(project, all.snapshot, progress, cancel);
    if (!cache)
        throw failure(cache.error().message);
    all.cache = *cache;
    return all;
}

} // namespace winnow::core

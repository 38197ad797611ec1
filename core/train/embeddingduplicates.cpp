// Near duplicates as a trained model sees them, and the weights of a run's checkpoint.

#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/train/resnet.h"
#include "core/train/tensordata.h"
#include "core/train/trainer.h"
#include "core/util/unionfind.h"

#include <QDir>
#include <QThread>
#include <map>

namespace winnow::core {

namespace {

constexpr qint64 kMaxEmbeddingPairs = 5'000'000;

} // namespace

Result<EmbeddingDuplicates> flagEmbeddingDuplicates(Project &project, qint64 runId,
                                                    double minSimilarity,
                                                    const ProgressFn &progress,
                                                    const CancelToken *cancel) {
    return attempt([&] {
        const auto run = findRun(project, runId);
        if (!run)
            throw failure(run.error().message);
        RunModel loaded = loadRunModel(project, *run);
        ResNet18 &model = loaded.model;
        const auto [all, cache] = cacheEveryItem(project, progress, cancel);
        if (all.items.size() < 2)
            throw failure(QStringLiteral("the project has fewer than two items"));
        QFile file;
        const torch::Tensor images = mapImages(file, cache);
        const torch::Tensor &mean = loaded.mean, &std = loaded.std;

        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> parts;
        for (std::int64_t start = 0; start < cache.rows; start += kEvalBatch) {
            if (cancel && cancel->isCancelled())
                throw failure(QStringLiteral("cancelled"));
            torch::Tensor x =
                (images.narrow(0, start, std::min<std::int64_t>(kEvalBatch, cache.rows - start))
                     .to(torch::kFloat)
                     .div(255) -
                 mean) /
                std;
            if (run->options.channelsLast && run->options.width >= kChannelsLastMinWidth)
                x = x.contiguous(torch::MemoryFormat::ChannelsLast);
            const Autocast autocast(run->options.bfloat16);
            parts.push_back(model->forwardWithEmbedding(x).first.to(torch::kFloat));
            if (progress)
                progress(start + parts.back().size(0), cache.rows,
                         QStringLiteral("embedding images"));
        }
        const torch::Tensor embeddings = torch::nn::functional::normalize(
            torch::cat(parts), torch::nn::functional::NormalizeFuncOptions().dim(1));

        // All pairs at or above the similarity, a block of rows at a time.
        const std::int64_t n = embeddings.size(0);
        EmbeddingDuplicates result;
        result.items = n;
        UnionFind groups(static_cast<int>(n));
        std::vector<float> best(size_t(n), 0.0f);
        // Float matrix products go to the system BLAS, which on Debian can be the slow reference
        // one; as a 1x1 convolution the same product runs in oneDNN, some 30 times faster here.
        const std::int64_t dims = embeddings.size(1);
        const torch::Tensor columns = embeddings.t().contiguous().view({1, dims, 1, n});
        for (std::int64_t start = 0; start < n; start += 512) {
            const std::int64_t rows = std::min<std::int64_t>(512, n - start);
            const torch::Tensor block =
                embeddings.narrow(0, start, rows).contiguous().view({rows, dims, 1, 1});
            const torch::Tensor similarity = torch::conv2d(columns, block).view({rows, n});
            const torch::Tensor above = similarity.ge(minSimilarity).triu(start + 1); // j > i only
            const torch::Tensor pairs = above.nonzero();
            result.pairs += pairs.size(0);
            if (result.pairs > kMaxEmbeddingPairs)
                throw failure(
                    QStringLiteral("more than %L1 pairs at similarity %2: raise --min-similarity")
                        .arg(kMaxEmbeddingPairs)
                        .arg(minSimilarity));
            const auto index = pairs.accessor<std::int64_t, 2>();
            const auto values = similarity.accessor<float, 2>();
            for (std::int64_t p = 0; p < pairs.size(0); ++p) {
                const std::int64_t i = start + index[p][0], j = index[p][1];
                const float value = values[index[p][0]][j];
                groups.unite(int(i), int(j));
                best[size_t(i)] = std::max(best[size_t(i)], value);
                best[size_t(j)] = std::max(best[size_t(j)], value);
            }
        }

        std::map<int, std::vector<std::int64_t>> clusters;
        for (std::int64_t i = 0; i < n; ++i)
            if (best[size_t(i)] > 0)
                clusters[groups.find(int(i))].push_back(i);
        std::vector<NewFlag> flags;
        for (const auto &[root, members] : clusters) {
            ++result.clusters;
            for (std::int64_t i : members) {
                flags.push_back({all.items[size_t(i)].itemId, FlagKind::EmbeddingDuplicate,
                                 int(result.clusters), double(best[size_t(i)]),
                                 QStringLiteral("%1 images alike to run %2's model (cosine %3)")
                                     .arg(members.size())
                                     .arg(runId)
                                     .arg(best[size_t(i)], 0, 'f', 3)});
                ++result.flagged;
            }
        }
        FlagRepository(project).replace({FlagKind::EmbeddingDuplicate}, flags);
        return result;
    });
}

} // namespace winnow::core

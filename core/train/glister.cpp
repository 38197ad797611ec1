#include "core/train/glister.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>
#include <stdexcept>

namespace winnow::core::glister {

torch::Tensor lastLayerGradients(const torch::Tensor &logits, const torch::Tensor &labels,
                                 const torch::Tensor &embeddings, bool linearLayer) {
    const auto classes = logits.size(1);
    const torch::Tensor g =
        torch::softmax(logits, 1) - torch::one_hot(labels, classes).to(logits.scalar_type());
    if (!linearLayer)
        return g;
    // Entry c * D + d is g[c] * e[d].
    const torch::Tensor outer =
        torch::einsum("nc,nd->ncd", {g, embeddings}).reshape({logits.size(0), -1});
    return torch::cat({g, outer}, 1);
}

torch::Tensor validationGradient(const torch::Tensor &valLogits, const torch::Tensor &valEmbeddings,
                                 const torch::Tensor &valLabels, const torch::Tensor &sum,
                                 double eta, bool linearLayer) {
    const auto classes = valLogits.size(1);
    torch::Tensor logits = valLogits - eta * sum.slice(0, 0, classes).unsqueeze(0);
    if (linearLayer) {
        const torch::Tensor weight =
            sum.slice(0, classes).reshape({classes, valEmbeddings.size(1)});
        logits = logits - eta * torch::matmul(valEmbeddings, weight.t());
    }
    return lastLayerGradients(logits, valLabels, valEmbeddings, linearLayer).mean(0);
}

Selection greedy(const torch::Tensor &trainGradients, const torch::Tensor &valLogits,
                 const torch::Tensor &valEmbeddings, const torch::Tensor &valLabels,
                 const Options &options) {
    const std::int64_t n = trainGradients.size(0);
    const std::int64_t k = options.budget;
    if (k <= 0 || k > n)
        throw std::invalid_argument(
            "GLISTER budget must be between 1 and the number of training points");
    std::int64_t sampleSize = n;
    if (options.greedy == Greedy::Stochastic) {
        sampleSize = std::int64_t(double(n) / double(k) * std::log(100.0));
        if (sampleSize > n - k + 1)
            throw std::invalid_argument(
                "stochastic greedy needs N ln(100) / k <= N - k + 1: use a smaller fraction");
        sampleSize = std::max<std::int64_t>(1, sampleSize);
    }
    std::mt19937_64 rng(options.seed);
    std::vector<std::int64_t> remaining(static_cast<size_t>(n));
    std::iota(remaining.begin(), remaining.end(), 0);
    torch::Tensor sum = torch::zeros({trainGradients.size(1)}, trainGradients.options());
    torch::Tensor gbar = validationGradient(valLogits, valEmbeddings, valLabels, sum, options.eta,
                                            options.linearLayer);
    Selection selection;
    selection.indices.reserve(static_cast<size_t>(k));
    const auto indexOptions = torch::TensorOptions().dtype(torch::kLong);
    for (std::int64_t pick = 0; pick < k; ++pick) {
        std::vector<std::int64_t> candidates;
        if (options.greedy == Greedy::Naive) {
            candidates = remaining;
        } else {
            // A fresh sample without replacement from the points not chosen yet.
            std::vector<std::int64_t> pool = remaining;
            for (std::int64_t c = 0; c < sampleSize; ++c) {
                std::uniform_int_distribution<std::int64_t> at(c, std::int64_t(pool.size()) - 1);
                std::swap(pool[size_t(c)], pool[size_t(at(rng))]);
            }
            candidates.assign(pool.begin(), pool.begin() + sampleSize);
        }
        const torch::Tensor index =
            torch::from_blob(candidates.data(), {std::int64_t(candidates.size())}, indexOptions)
                .clone();
        const torch::Tensor gains = torch::matmul(trainGradients.index_select(0, index), gbar);
        // The first maximum: deterministic where CORDS's sort leaves ties unspecified.
        const std::int64_t best = candidates[size_t(gains.argmax().item<std::int64_t>())];
        selection.indices.push_back(best);
        remaining.erase(std::find(remaining.begin(), remaining.end(), best));
        sum = sum + trainGradients[best];
        gbar = validationGradient(valLogits, valEmbeddings, valLabels, sum, options.eta,
                                  options.linearLayer);
    }
    selection.weights.assign(static_cast<size_t>(k), 1.f);
    return selection;
}

std::vector<std::int64_t> perClassBudgets(const std::vector<std::int64_t> &classCounts,
                                          std::int64_t budget) {
    const std::int64_t total =
        std::accumulate(classCounts.begin(), classCounts.end(), std::int64_t(0));
    std::vector<std::int64_t> budgets;
    for (std::int64_t count : classCounts)
        budgets.push_back(total > 0 ? (budget * count + total - 1) / total : 0);
    return budgets;
}

} // namespace winnow::core::glister

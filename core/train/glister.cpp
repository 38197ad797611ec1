#include "core/train/glister.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
    const torch::Tensor residual =
        torch::softmax(logits, 1) - torch::one_hot(valLabels, classes).to(logits.scalar_type());
    if (!linearLayer)
        return residual.mean(0);
    // The mean of the outer products g_v e_v^T, row-major, without forming them: R^T E / M.
    const torch::Tensor weight = torch::matmul(residual.t(), valEmbeddings) / valLogits.size(0);
    return torch::cat({residual.mean(0), weight.reshape({-1})});
}

namespace {

std::int64_t stochasticSampleSize(std::int64_t n, std::int64_t k) {
    const auto size = std::int64_t(double(n) / double(k) * std::log(100.0));
    if (size > n - k + 1)
        throw std::invalid_argument(
            "stochastic greedy needs N ln(100) / k <= N - k + 1: use a smaller fraction");
    return std::max<std::int64_t>(1, size);
}

// Bias gradients only: the virtual step shifts every validation row's logits by the same
// vector -eta G, so softmax(z_v - eta G) = exp(z_v) w / sum(exp(z_v) w) with w = exp(-eta G).
// The exponentials of the validation logits are taken once; a pick costs C exponentials and
// M x C multiply-adds, in plain loops without a tensor operation's overhead.
Selection biasGreedy(const torch::Tensor &trainGradients, const torch::Tensor &valLogits,
                     const torch::Tensor &valLabels, const Options &options) {
    const torch::Tensor g = trainGradients.to(torch::kDouble).contiguous();
    const torch::Tensor z = valLogits.to(torch::kDouble).contiguous();
    const torch::Tensor labels = valLabels.to(torch::kLong).contiguous();
    const std::int64_t n = g.size(0), c = g.size(1), m = z.size(0), k = options.budget;
    const double *gradient = g.data_ptr<double>();
    std::vector<double> expZ(size_t(m * c)), labelShare(size_t(c), 0.0);
    for (std::int64_t v = 0; v < m; ++v) {
        const double *row = z.data_ptr<double>() + v * c;
        const double top = *std::max_element(row, row + c);
        for (std::int64_t j = 0; j < c; ++j)
            expZ[size_t(v * c + j)] = std::exp(row[j] - top);
        labelShare[size_t(labels.data_ptr<std::int64_t>()[v])] += 1.0 / double(m);
    }
    std::vector<double> sum(size_t(c), 0.0), w(size_t(c), 0.0), gbar(size_t(c), 0.0);
    const auto updateValidationGradient = [&] {
        double shift = -1e300;
        for (std::int64_t j = 0; j < c; ++j)
            shift = std::max(shift, -options.eta * sum[size_t(j)]);
        for (std::int64_t j = 0; j < c; ++j)
            w[size_t(j)] = std::exp(-options.eta * sum[size_t(j)] - shift);
        std::fill(gbar.begin(), gbar.end(), 0.0);
        for (std::int64_t v = 0; v < m; ++v) {
            const double *e = expZ.data() + v * c;
            double total = 0;
            for (std::int64_t j = 0; j < c; ++j)
                total += e[j] * w[size_t(j)];
            const double scale = 1.0 / (total * double(m));
            for (std::int64_t j = 0; j < c; ++j)
                gbar[size_t(j)] += e[j] * w[size_t(j)] * scale;
        }
        for (std::int64_t j = 0; j < c; ++j)
            gbar[size_t(j)] -= labelShare[size_t(j)];
    };
    const auto gain = [&](std::int64_t i) {
        double total = 0;
        for (std::int64_t j = 0; j < c; ++j)
            total += gradient[i * c + j] * gbar[size_t(j)];
        return total;
    };
    const bool naive = options.greedy == Greedy::Naive;
    const std::int64_t sampleSize = naive ? n : stochasticSampleSize(n, k);
    std::mt19937_64 rng(options.seed);
    std::vector<std::int64_t> pool(static_cast<size_t>(n)); // not chosen yet
    std::iota(pool.begin(), pool.end(), 0);
    std::vector<bool> chosen(size_t(n), false);
    Selection selection;
    updateValidationGradient();
    for (std::int64_t pick = 0; pick < k; ++pick) {
        std::int64_t best = -1;
        double bestGain = -std::numeric_limits<double>::infinity();
        if (naive) { // in index order: the first maximum wins
            for (std::int64_t i = 0; i < n; ++i)
                if (!chosen[size_t(i)])
                    if (const double value = gain(i); best < 0 || value > bestGain) {
                        best = i;
                        bestGain = value;
                    }
        } else { // a fresh sample without replacement from the pool, by partial shuffle
            size_t bestAt = 0;
            for (std::int64_t s = 0; s < sampleSize; ++s) {
                std::uniform_int_distribution<size_t> at(size_t(s), pool.size() - 1);
                std::swap(pool[size_t(s)], pool[at(rng)]);
                if (const double value = gain(pool[size_t(s)]); best < 0 || value > bestGain) {
                    best = pool[size_t(s)];
                    bestGain = value;
                    bestAt = size_t(s);
                }
            }
            std::swap(pool[bestAt], pool.back());
            pool.pop_back();
        }
        chosen[size_t(best)] = true;
        selection.indices.push_back(best);
        for (std::int64_t j = 0; j < c; ++j)
            sum[size_t(j)] += gradient[best * c + j];
        updateValidationGradient();
    }
    selection.weights.assign(static_cast<size_t>(k), 1.f);
    return selection;
}

} // namespace

Selection greedy(const torch::Tensor &trainGradients, const torch::Tensor &valLogits,
                 const torch::Tensor &valEmbeddings, const torch::Tensor &valLabels,
                 const Options &given) {
    const std::int64_t n = trainGradients.size(0);
    const std::int64_t k = given.budget;
    if (k <= 0 || k > n)
        throw std::invalid_argument(
            "GLISTER budget must be between 1 and the number of training points");
    Options options = given;
    if (options.meanStep)
        options.eta /= double(k);
    if (!options.linearLayer)
        return biasGreedy(trainGradients, valLogits, valLabels, options);
    const std::int64_t sampleSize =
        options.greedy == Greedy::Stochastic ? stochasticSampleSize(n, k) : n;
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

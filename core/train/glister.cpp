#include "core/train/glister.h"

#include <algorithm>
#include <array>
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

std::int64_t stochasticSampleSize(std::int64_t n, std::int64_t k, double epsilon) {
    const auto size = std::int64_t(double(n) / double(k) * std::log(1.0 / epsilon));
    if (size > n - k + 1)
        throw std::invalid_argument(
            "stochastic greedy needs N ln(100) / k <= N - k + 1: use a smaller fraction");
    // At least two candidates: with one, every pick is a uniformly random draw and nothing is
    // selected (at epsilon 0.5 that is every budget above 35 %).
    return std::min(std::max<std::int64_t>(2, size), n - k + 1);
}

// The greedy's outer loop, whatever the gradients: k picks, each the first maximum of `gain`
// over every point not chosen yet (Naive, in index order) or over a fresh sample of them
// without replacement (Stochastic, by partial shuffle of the pool); `take` then makes the
// virtual step with the chosen point.
template <typename Gain, typename Take>
Selection pickLoop(std::int64_t n, const Options &options, Gain gain, Take take) {
    const std::int64_t k = options.budget;
    const bool naive = options.greedy == Greedy::Naive;
    const std::int64_t sampleSize = naive ? n : stochasticSampleSize(n, k, options.epsilon);
    std::mt19937_64 rng(options.seed);
    std::vector<std::int64_t> pool(static_cast<size_t>(n)); // not chosen yet
    std::iota(pool.begin(), pool.end(), 0);
    std::vector<bool> chosen(size_t(n), false);
    Selection selection;
    for (std::int64_t pick = 0; pick < k; ++pick) {
        std::int64_t best = -1;
        double bestGain = -std::numeric_limits<double>::infinity();
        if (naive) {
            for (std::int64_t i = 0; i < n; ++i)
                if (!chosen[size_t(i)])
                    if (const double value = gain(i); best < 0 || value > bestGain) {
                        best = i;
                        bestGain = value;
                    }
        } else {
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
        take(best);
    }
    selection.weights.assign(static_cast<size_t>(k), 1.f);
    return selection;
}

// Row-major doubles of a 2-d tensor.
std::vector<double> doubles(const torch::Tensor &t) {
    const torch::Tensor d = t.to(torch::kDouble).contiguous();
    return std::vector<double>(d.data_ptr<double>(), d.data_ptr<double>() + d.numel());
}

// Eight running sums, so the additions do not wait on each other and the compiler vectorises
// them.
template <typename Number> Number dot(const Number *a, const Number *b, std::int64_t size) {
    std::array<Number, 8> sums{};
    std::int64_t i = 0;
    for (; i + 8 <= size; i += 8)
        for (size_t lane = 0; lane < sums.size(); ++lane)
            sums[lane] += a[i + std::int64_t(lane)] * b[i + std::int64_t(lane)];
    Number total = std::accumulate(sums.begin(), sums.end(), Number(0));
    for (; i < size; ++i)
        total += a[i] * b[i];
    return total;
}

// e_i . f_v for every row i of e (n x d) and v of f (m x d), row-major n x m, on LibTorch's
// threads. Much faster here than a LibTorch product, which goes to the system BLAS, on Debian
// possibly the slow reference one.
std::vector<double> similarities(const torch::Tensor &e, const torch::Tensor &f) {
    const std::int64_t n = e.size(0), m = f.size(0), d = e.size(1);
    const torch::Tensor a = e.to(torch::kFloat).contiguous(), b = f.to(torch::kFloat).contiguous();
    const float *rows = a.data_ptr<float>(), *columns = b.data_ptr<float>();
    std::vector<double> out(static_cast<size_t>(n * m));
    at::parallel_for(0, n, std::max<std::int64_t>(1, 65536 / std::max<std::int64_t>(1, m * d)),
                     [&](std::int64_t begin, std::int64_t end) {
                         for (std::int64_t i = begin; i < end; ++i)
                             for (std::int64_t v = 0; v < m; ++v)
                                 out[size_t(i * m + v)] = dot(rows + i * d, columns + v * d, d);
                     });
    return out;
}

// The validation residuals softmax(z_v) - onehot(y_v) into `residual`, and their mean.
void residuals(const std::vector<double> &logits, const std::vector<std::int64_t> &labels,
               std::int64_t c, std::vector<double> &residual, std::vector<double> &mean) {
    const std::int64_t m = std::int64_t(labels.size());
    std::fill(mean.begin(), mean.end(), 0.0);
    for (std::int64_t v = 0; v < m; ++v) {
        const double *z = logits.data() + v * c;
        double *r = residual.data() + v * c;
        const double top = *std::max_element(z, z + c);
        double total = 0;
        for (std::int64_t j = 0; j < c; ++j)
            total += (r[j] = std::exp(z[j] - top));
        for (std::int64_t j = 0; j < c; ++j) {
            r[j] = r[j] / total - (labels[size_t(v)] == j ? 1.0 : 0.0);
            mean[size_t(j)] += r[j] / double(m);
        }
    }
}

std::vector<std::int64_t> labelsOf(const torch::Tensor &labels) {
    const torch::Tensor l = labels.to(torch::kLong).contiguous();
    return std::vector<std::int64_t>(l.data_ptr<std::int64_t>(),
                                     l.data_ptr<std::int64_t>() + l.numel());
}

// Bias gradients only: the virtual step shifts every validation row's logits by the same
// vector -eta G, so softmax(z_v - eta G) = exp(z_v) w / sum(exp(z_v) w) with w = exp(-eta G).
// The exponentials of the validation logits are taken once; a pick costs C exponentials and
// M x C multiply-adds, in plain loops without a tensor operation's overhead.
Selection biasGreedy(const torch::Tensor &trainGradients, const torch::Tensor &valLogits,
                     const torch::Tensor &valLabels, const Options &options) {
    const std::vector<double> g = doubles(trainGradients), z = doubles(valLogits);
    const std::vector<std::int64_t> labels = labelsOf(valLabels);
    const std::int64_t c = trainGradients.size(1), m = valLogits.size(0);
    std::vector<double> expZ(size_t(m * c)), labelShare(size_t(c), 0.0);
    for (std::int64_t v = 0; v < m; ++v) {
        const double *row = z.data() + v * c;
        const double top = *std::max_element(row, row + c);
        for (std::int64_t j = 0; j < c; ++j)
            expZ[size_t(v * c + j)] = std::exp(row[j] - top);
        labelShare[size_t(labels[size_t(v)])] += 1.0 / double(m);
    }
    std::vector<double> sum(size_t(c), 0.0), w(size_t(c), 0.0), gbar(size_t(c), 0.0);
    const auto updateValidationGradient = [&] {
        double shift = -std::numeric_limits<double>::infinity();
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
    updateValidationGradient();
    return pickLoop(
        trainGradients.size(0), options,
        [&](std::int64_t i) {
            double total = 0;
            for (std::int64_t j = 0; j < c; ++j)
                total += g[size_t(i * c + j)] * gbar[size_t(j)];
            return total;
        },
        [&](std::int64_t i) {
            for (std::int64_t j = 0; j < c; ++j)
                sum[size_t(j)] += g[size_t(i * c + j)];
            updateValidationGradient();
        });
}

} // namespace

Selection embeddingGreedy(const torch::Tensor &biasGradients, const torch::Tensor &trainEmbeddings,
                          const torch::Tensor &valLogits, const torch::Tensor &valEmbeddings,
                          const torch::Tensor &valLabels, const Options &given) {
    const std::int64_t n = biasGradients.size(0), c = biasGradients.size(1), m = valLogits.size(0);
    if (given.budget <= 0 || given.budget > n)
        throw std::invalid_argument(
            "GLISTER budget must be between 1 and the number of training points");
    Options options = given;
    if (options.meanStep)
        options.eta /= double(options.budget);
    const std::vector<double> g = doubles(biasGradients);
    const std::vector<double> similarity = similarities(trainEmbeddings, valEmbeddings);
    const std::vector<std::int64_t> labels = labelsOf(valLabels);
    std::vector<double> logits = doubles(valLogits), residual(size_t(m * c)),
                        meanResidual(size_t(c), 0.0), byClass(size_t(c * m));
    const auto update = [&] { // the residuals, and transposed for contiguous dot products
        residuals(logits, labels, c, residual, meanResidual);
        for (std::int64_t v = 0; v < m; ++v)
            for (std::int64_t j = 0; j < c; ++j)
                byClass[size_t(j * m + v)] = residual[size_t(v * c + j)];
    };
    update();
    return pickLoop(
        n, options,
        [&](std::int64_t i) { // g_i . rbar + (1/M) sum_j g_ij sum_v r_vj (e_i . e_v)
            const double *gi = g.data() + i * c;
            const double *k = similarity.data() + i * m;
            double bias = 0, weights = 0;
            for (std::int64_t j = 0; j < c; ++j) {
                bias += gi[j] * meanResidual[size_t(j)];
                weights += gi[j] * dot(byClass.data() + j * m, k, m);
            }
            return bias + weights / double(m);
        },
        [&](std::int64_t i) { // b -= eta g_i, W -= eta g_i e_i^T: z_v -= eta (1 + e_i.e_v) g_i
            const double *gi = g.data() + i * c;
            const double *k = similarity.data() + i * m;
            for (std::int64_t v = 0; v < m; ++v)
                for (std::int64_t j = 0; j < c; ++j)
                    logits[size_t(v * c + j)] -= options.eta * (1 + k[v]) * gi[j];
            update();
        });
}

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
    // Any gradient rows (PerBatch's unit means among them): the gains are dot products with
    // the validation gradient, recomputed after each pick.
    const std::vector<double> g = doubles(trainGradients);
    const std::int64_t width = trainGradients.size(1);
    torch::Tensor sum = torch::zeros({width}, torch::kDouble);
    std::vector<double> gbar;
    const auto update = [&] {
        gbar = doubles(validationGradient(valLogits.to(torch::kDouble),
                                          valEmbeddings.to(torch::kDouble), valLabels, sum,
                                          options.eta, true));
    };
    update();
    return pickLoop(
        n, options,
        [&](std::int64_t i) {
            double total = 0;
            for (std::int64_t j = 0; j < width; ++j)
                total += g[size_t(i * width + j)] * gbar[size_t(j)];
            return total;
        },
        [&](std::int64_t i) {
            sum = sum + trainGradients[i].to(torch::kDouble);
            update();
        });
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

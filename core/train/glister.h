#pragma once

// GLISTER-ONLINE subset selection on last-layer gradients, as CORDS runs it (docs: GLISTER.md
// in the design notes). A private header of core: it exposes LibTorch types.

#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace winnow::core::glister {

enum class Greedy { Stochastic, Naive };

struct Options {
    std::int64_t budget = 0; // k
    double eta = 0.05;       // the initial SGD learning rate; never rescheduled
    Greedy greedy = Greedy::Stochastic;
    bool linearLayer = false; // append the fc-weight gradient g (x) e to the bias gradient g
    bool meanStep = false;    // the virtual step is eta / k times the chosen gradients' sum
    double epsilon = 0.01;    // stochastic greedy: int(N / k * ln(1 / epsilon)) candidates a pick,
                              // at least 2 (while N - k + 1 allows)
    std::uint64_t seed = 0;   // stochastic candidate sampling
};

struct Selection {
    std::vector<std::int64_t> indices; // into the training rows, in the order picked
    std::vector<float> weights;        // all 1: GLISTER subsets are unweighted
};

// Per-sample gradients of the cross-entropy with respect to the last layer, in closed form:
// g = softmax(z) - onehot(y) (C numbers, the bias gradient), with linearLayer followed by
// vec(g e^T) row-major (class major), as CORDS's compute_gradients. Rows are samples.
torch::Tensor lastLayerGradients(const torch::Tensor &logits, const torch::Tensor &labels,
                                 const torch::Tensor &embeddings, bool linearLayer);

// Mean validation gradient after the virtual last-layer step with the summed gradient `sum`
// of the points chosen so far: logits Z - eta 1 sum[0:C]^T (- eta E sum[C:]^T reshaped).
torch::Tensor validationGradient(const torch::Tensor &valLogits, const torch::Tensor &valEmbeddings,
                                 const torch::Tensor &valLabels, const torch::Tensor &sum,
                                 double eta, bool linearLayer);

// The greedy of GLISTERStrategy.greedy_algo with the Taylor gain g_i . gbar_V, re-evaluating
// gbar_V after each pick. Stochastic greedy samples int(N / k * ln 100) candidates per pick.
Selection greedy(const torch::Tensor &trainGradients, const torch::Tensor &valLogits,
                 const torch::Tensor &valEmbeddings, const torch::Tensor &valLabels,
                 const Options &options);

// The same greedy with bias and weight gradients (what greedy() picks on
// lastLayerGradients(logits, labels, embeddings, true)), without forming the C + C D numbers per
// point: the gain's weight part is (1/M) sum_v (g_i . r_v)(e_i . e_v) with r_v the validation
// residuals, and the virtual step moves z_v by -eta (1 + e_i . e_v) g_i. The similarities
// E E_V^T are taken once (N x M doubles), so a pick costs s x M x C. `biasGradients` is
// softmax(z) - onehot(y) of the training points.
Selection embeddingGreedy(const torch::Tensor &biasGradients, const torch::Tensor &trainEmbeddings,
                          const torch::Tensor &valLogits, const torch::Tensor &valEmbeddings,
                          const torch::Tensor &valLabels, const Options &options);

// PerClass budgets: ceil(k * N_c / N) for every class (the total can exceed k by up to C - 1).
std::vector<std::int64_t> perClassBudgets(const std::vector<std::int64_t> &classCounts,
                                          std::int64_t budget);

} // namespace winnow::core::glister

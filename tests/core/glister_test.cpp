#include "core/train/glister.h"

#include <QTest>

using namespace winnow::core;

namespace {

struct Problem {
    torch::Tensor trainEmbeddings, trainLabels, valEmbeddings, valLabels, weight, bias;
};

// A small last layer over random embeddings: N training points, M validation points.
Problem makeProblem(std::int64_t n, std::int64_t m, std::int64_t classes, std::int64_t dims,
                    std::uint64_t seed) {
    torch::manual_seed(seed);
    Problem p;
    p.trainEmbeddings = torch::randn({n, dims}, torch::kDouble);
    p.trainLabels = torch::randint(classes, {n}, torch::kLong);
    p.valEmbeddings = torch::randn({m, dims}, torch::kDouble);
    p.valLabels = torch::randint(classes, {m}, torch::kLong);
    p.weight = torch::randn({classes, dims}, torch::kDouble) * 0.5;
    p.bias = torch::randn({classes}, torch::kDouble) * 0.5;
    return p;
}

torch::Tensor logitsOf(const Problem &p, const torch::Tensor &embeddings) {
    return torch::matmul(embeddings, p.weight.t()) + p.bias;
}

} // namespace

class GlisterTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void perSampleGradientMatchesAutograd_data();
    void perSampleGradientMatchesAutograd();
    void virtualUpdateMatchesADirectComputation_data();
    void virtualUpdateMatchesADirectComputation();
    void naiveGreedyPicksWhatBruteForcePicks_data();
    void naiveGreedyPicksWhatBruteForcePicks();
    void stochasticGreedyIsSeededAndPicksDistinctPoints();
    void embeddingGreedyPicksWhatTheGradientsPick_data();
    void embeddingGreedyPicksWhatTheGradientsPick();
    void perClassBudgetsAreCeilings();
    void largeBudgetsStillSelect();
    void impossibleBudgetsAreRefused();
};

void GlisterTest::perSampleGradientMatchesAutograd_data() {
    QTest::addColumn<bool>("linearLayer");
    QTest::newRow("bias only") << false;
    QTest::newRow("with linear layer") << true;
}

void GlisterTest::perSampleGradientMatchesAutograd() {
    QFETCH(bool, linearLayer);
    const Problem p = makeProblem(12, 4, 5, 7, 1);
    const torch::Tensor closed = glister::lastLayerGradients(
        logitsOf(p, p.trainEmbeddings), p.trainLabels, p.trainEmbeddings, linearLayer);
    QCOMPARE(closed.size(1), linearLayer ? 5 + 5 * 7 : 5);
    for (std::int64_t i = 0; i < 12; ++i) {
        torch::Tensor w = p.weight.clone().requires_grad_(true),
                      b = p.bias.clone().requires_grad_(true);
        const torch::Tensor z = torch::matmul(p.trainEmbeddings[i].unsqueeze(0), w.t()) + b;
        torch::nn::functional::cross_entropy(z, p.trainLabels[i].unsqueeze(0)).backward();
        torch::Tensor expected = b.grad();
        if (linearLayer)
            expected = torch::cat({expected, w.grad().reshape({-1})});
        QVERIFY(torch::allclose(closed[i], expected, 1e-9, 1e-9));
    }
}

void GlisterTest::virtualUpdateMatchesADirectComputation_data() {
    perSampleGradientMatchesAutograd_data();
}

void GlisterTest::virtualUpdateMatchesADirectComputation() {
    QFETCH(bool, linearLayer);
    const Problem p = makeProblem(20, 9, 4, 6, 2);
    const double eta = 0.05;
    const torch::Tensor g = glister::lastLayerGradients(
        logitsOf(p, p.trainEmbeddings), p.trainLabels, p.trainEmbeddings, linearLayer);
    const torch::Tensor chosen = torch::tensor({3, 7, 11}, torch::kLong);
    const torch::Tensor sum = g.index_select(0, chosen).sum(0);
    const torch::Tensor closed = glister::validationGradient(
        logitsOf(p, p.valEmbeddings), p.valEmbeddings, p.valLabels, sum, eta, linearLayer);
    // Directly: take the SGD step on the last layer, run the validation set through it, and
    // differentiate the mean loss.
    torch::Tensor b = (p.bias - eta * sum.slice(0, 0, 4)).detach().requires_grad_(true);
    torch::Tensor w = (linearLayer ? p.weight - eta * sum.slice(0, 4).reshape({4, 6}) : p.weight)
                          .detach()
                          .requires_grad_(true);
    torch::nn::functional::cross_entropy(torch::matmul(p.valEmbeddings, w.t()) + b, p.valLabels)
        .backward();
    torch::Tensor direct = b.grad();
    if (linearLayer)
        direct = torch::cat({direct, w.grad().reshape({-1})});
    QVERIFY(torch::allclose(closed, direct, 1e-9, 1e-9));
}

void GlisterTest::naiveGreedyPicksWhatBruteForcePicks_data() {
    perSampleGradientMatchesAutograd_data();
}

void GlisterTest::naiveGreedyPicksWhatBruteForcePicks() {
    QFETCH(bool, linearLayer);
    const Problem p = makeProblem(30, 10, 3, 5, 3);
    const torch::Tensor trainGrads = glister::lastLayerGradients(
        logitsOf(p, p.trainEmbeddings), p.trainLabels, p.trainEmbeddings, linearLayer);
    const torch::Tensor valLogits = logitsOf(p, p.valEmbeddings);
    glister::Options options;
    options.budget = 8;
    options.greedy = glister::Greedy::Naive;
    options.linearLayer = linearLayer;
    const glister::Selection picked =
        glister::greedy(trainGrads, valLogits, p.valEmbeddings, p.valLabels, options);

    // Brute force: every step evaluates the Taylor gain of every remaining point one by one.
    std::vector<std::int64_t> expected;
    torch::Tensor sum = torch::zeros({trainGrads.size(1)}, torch::kDouble);
    for (int step = 0; step < 8; ++step) {
        const torch::Tensor gbar = glister::validationGradient(
            valLogits, p.valEmbeddings, p.valLabels, sum, options.eta, linearLayer);
        std::int64_t best = -1;
        double bestGain = -1e300;
        for (std::int64_t i = 0; i < 30; ++i) {
            if (std::find(expected.begin(), expected.end(), i) != expected.end())
                continue;
            const double gain = torch::dot(trainGrads[i], gbar).item<double>();
            if (gain > bestGain) {
                bestGain = gain;
                best = i;
            }
        }
        expected.push_back(best);
        sum = sum + trainGrads[best];
    }
    QCOMPARE(picked.indices, expected);
    QCOMPARE(picked.weights, std::vector<float>(8, 1.f));
}

void GlisterTest::stochasticGreedyIsSeededAndPicksDistinctPoints() {
    const Problem p = makeProblem(500, 50, 10, 8, 4);
    const torch::Tensor grads = glister::lastLayerGradients(
        logitsOf(p, p.trainEmbeddings), p.trainLabels, p.trainEmbeddings, false);
    glister::Options options;
    options.budget = 50;
    options.seed = 9;
    const auto a =
        glister::greedy(grads, logitsOf(p, p.valEmbeddings), p.valEmbeddings, p.valLabels, options);
    const auto b =
        glister::greedy(grads, logitsOf(p, p.valEmbeddings), p.valEmbeddings, p.valLabels, options);
    QCOMPARE(a.indices, b.indices);
    std::vector<std::int64_t> sorted = a.indices;
    std::sort(sorted.begin(), sorted.end());
    QVERIFY(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end());
    QCOMPARE(a.indices.size(), size_t(50));
}

void GlisterTest::embeddingGreedyPicksWhatTheGradientsPick_data() {
    QTest::addColumn<bool>("naive");
    QTest::addColumn<bool>("meanStep");
    QTest::newRow("naive, sum") << true << false;
    QTest::newRow("naive, mean") << true << true;
    QTest::newRow("stochastic, sum") << false << false;
    QTest::newRow("stochastic, mean") << false << true;
}

// The closed form over embeddings and the formed gradients [g, g (x) e] agree pick for pick.
void GlisterTest::embeddingGreedyPicksWhatTheGradientsPick() {
    QFETCH(bool, naive);
    QFETCH(bool, meanStep);
    const Problem p = makeProblem(200, 40, 4, 6, 11);
    const torch::Tensor logits = logitsOf(p, p.trainEmbeddings);
    const torch::Tensor formed =
        glister::lastLayerGradients(logits, p.trainLabels, p.trainEmbeddings, true);
    const torch::Tensor bias =
        glister::lastLayerGradients(logits, p.trainLabels, p.trainEmbeddings, false);
    glister::Options options;
    options.budget = 20;
    options.greedy = naive ? glister::Greedy::Naive : glister::Greedy::Stochastic;
    options.linearLayer = true;
    options.meanStep = meanStep;
    options.eta = 0.5; // large enough that the virtual step changes the picks
    options.seed = 5;
    const torch::Tensor valLogits = logitsOf(p, p.valEmbeddings);
    const auto expected = glister::greedy(formed, valLogits, p.valEmbeddings, p.valLabels, options);
    const auto picked = glister::embeddingGreedy(bias, p.trainEmbeddings, valLogits,
                                                 p.valEmbeddings, p.valLabels, options);
    QCOMPARE(picked.indices, expected.indices);
}

void GlisterTest::perClassBudgetsAreCeilings() {
    const std::vector<std::int64_t> counts = {50, 30, 15, 5};
    const auto budgets = glister::perClassBudgets(counts, 10);
    QCOMPARE(budgets, (std::vector<std::int64_t>{5, 3, 2, 1}));
    const std::int64_t total = std::accumulate(budgets.begin(), budgets.end(), std::int64_t(0));
    QVERIFY(total >= 10 && total <= 10 + 3); // may exceed k by up to C - 1
}

// At a 50 % budget epsilon 0.5 gives int(2 ln 2) = 1 candidate per pick, a random draw; the
// greedy takes at least two, so points with the higher gain are preferred.
void GlisterTest::largeBudgetsStillSelect() {
    const std::int64_t n = 400;
    // Two classes, every validation point of class 0 at logits (0, 0): the mean residual is
    // (-0.5, 0.5), so a point with bias gradient (-a, a) gains a. Half the points gain 1, half -1.
    const torch::Tensor valLogits = torch::zeros({20, 2});
    const torch::Tensor valLabels = torch::zeros({20}, torch::kLong);
    const torch::Tensor sign = torch::arange(n).remainder(2).mul(2).sub(1).to(torch::kFloat);
    const torch::Tensor grads = torch::stack({-sign, sign}, 1);
    glister::Options options;
    options.budget = n / 2;
    options.epsilon = 0.5;
    options.meanStep = true;
    options.seed = 3;
    const auto picked =
        glister::greedy(grads, valLogits, torch::zeros({20, 1}), valLabels, options);
    std::int64_t gaining = 0;
    for (std::int64_t i : picked.indices)
        gaining += i % 2;
    // A random draw keeps about half; the better of two random points gains with chance 3/4.
    QVERIFY2(gaining > n / 2 * 2 / 3, qPrintable(QString::number(gaining)));
}

void GlisterTest::impossibleBudgetsAreRefused() {
    const Problem p = makeProblem(20, 5, 3, 4, 5);
    const torch::Tensor grads = glister::lastLayerGradients(
        logitsOf(p, p.trainEmbeddings), p.trainLabels, p.trainEmbeddings, false);
    glister::Options options;
    options.budget = 20; // fraction 1.0: the stochastic sample cannot be drawn
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             glister::greedy(grads, logitsOf(p, p.valEmbeddings), p.valEmbeddings,
                                             p.valLabels, options));
    options.budget = 0;
    QVERIFY_THROWS_EXCEPTION(std::invalid_argument,
                             glister::greedy(grads, logitsOf(p, p.valEmbeddings), p.valEmbeddings,
                                             p.valLabels, options));
}

QTEST_APPLESS_MAIN(GlisterTest)
#include "glister_test.moc"

#include "core/loop/modelloop.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <opencv2/core.hpp>
#include <set>

namespace winnow::core {
namespace {

int argmax(const std::vector<float> &p) {
    return int(std::max_element(p.begin(), p.end()) - p.begin());
}

// The standard normal quantile of `level` (0.5 < level < 1), by bisection on erfc.
double normalQuantile(double level) {
    double lo = 0, hi = 10;
    for (int i = 0; i < 100; ++i) {
        const double mid = (lo + hi) / 2;
        (0.5 * std::erfc(mid / std::sqrt(2.0)) > 1 - level ? lo : hi) = mid;
    }
    return (lo + hi) / 2;
}

} // namespace

namespace {

bool hasLabel(const ScoredItem &item, int classes) {
    return item.given >= 0 && item.given < classes;
}

// Confident learning's count, pruning by noise rate as cleanlab does: the items to flag.
std::set<size_t> confidentJointFlags(const std::vector<ScoredItem> &items, int classes,
                                     double &expectedErrors) {
    const auto k = size_t(classes);
    // Per-class thresholds: the mean probability of class j over the items labeled j.
    std::vector<double> threshold(k, 0);
    std::vector<qint64> labeled(k, 0);
    for (const ScoredItem &item : items)
        if (hasLabel(item, classes)) {
            threshold[size_t(item.given)] += item.probabilities[size_t(item.given)];
            ++labeled[size_t(item.given)];
        }
    for (size_t j = 0; j < k; ++j)
        threshold[j] = labeled[j] > 0 ? threshold[j] / double(labeled[j]) : 1.0;

    // The confident joint: given label x the class each item confidently belongs to.
    std::vector<std::vector<double>> joint(k, std::vector<double>(k, 0));
    for (const ScoredItem &item : items) {
        if (!hasLabel(item, classes))
            continue;
        int best = -1;
        for (size_t j = 0; j < k; ++j)
            if (item.probabilities[j] >= threshold[j] &&
                (best < 0 || item.probabilities[j] > item.probabilities[size_t(best)]))
                best = int(j);
        if (best >= 0)
            joint[size_t(item.given)][size_t(best)] += 1;
    }
    // Calibrated so that each row sums to the number of items given that label.
    expectedErrors = 0;
    for (size_t i = 0; i < k; ++i) {
        const double row = std::accumulate(joint[i].begin(), joint[i].end(), 0.0);
        for (size_t j = 0; j < k; ++j) {
            joint[i][j] = row > 0 ? joint[i][j] / row * double(labeled[i]) : 0;
            expectedErrors += i != j ? joint[i][j] : 0;
        }
    }

    // Per off-diagonal cell, that many items with the largest margin p(j) - p(given).
    std::vector<std::vector<size_t>> byGiven(k);
    for (size_t n = 0; n < items.size(); ++n)
        if (hasLabel(items[n], classes))
            byGiven[size_t(items[n].given)].push_back(n);
    std::set<size_t> flagged;
    for (size_t i = 0; i < k; ++i)
        for (size_t j = 0; j < k; ++j) {
            const auto count = size_t(std::lround(joint[i][j]));
            if (i == j || count == 0)
                continue;
            std::vector<size_t> rows = byGiven[i];
            const auto margin = [&](size_t n) {
                return items[n].probabilities[j] - items[n].probabilities[i];
            };
            const size_t take = std::min(count, rows.size());
            std::partial_sort(rows.begin(), rows.begin() + std::ptrdiff_t(take), rows.end(),
                              [&](size_t a, size_t b) { return margin(a) > margin(b); });
            flagged.insert(rows.begin(), rows.begin() + std::ptrdiff_t(take));
        }
    return flagged;
}

// The noise model's count: as many items as it expects wrong labels, lowest self-confidence
// first, among those whose most probable class is not their label.
std::set<size_t> noiseModelFlags(const std::vector<ScoredItem> &items, int classes,
                                 double &expectedErrors) {
    const LabelNoise noise = estimateLabelNoise(items, classes);
    expectedErrors = noise.expectedErrors;
    std::vector<size_t> candidates;
    for (size_t n = 0; n < items.size(); ++n)
        if (hasLabel(items[n], classes) && argmax(items[n].probabilities) != items[n].given)
            candidates.push_back(n);
    const auto selfConfidence = [&](size_t n) {
        return items[n].probabilities[size_t(items[n].given)];
    };
    const size_t expected = std::isfinite(noise.expectedErrors)
                                ? size_t(std::lround(std::max(0.0, noise.expectedErrors)))
                                : 0; // predictions that are not numbers say nothing
    const size_t take = std::min(candidates.size(), expected);
    std::partial_sort(candidates.begin(), candidates.begin() + std::ptrdiff_t(take),
                      candidates.end(), [&](size_t a, size_t b) {
                          return selfConfidence(a) != selfConfidence(b)
                                     ? selfConfidence(a) < selfConfidence(b)
                                     : items[a].itemId < items[b].itemId;
                      });
    return {candidates.begin(), candidates.begin() + std::ptrdiff_t(take)};
}

} // namespace

LabelNoise estimateLabelNoise(const std::vector<ScoredItem> &items, int classes) {
    // On Fashion-MNIST with 1,000 flips the count settles within a few items by step 40 and
    // moves by under one item after step 100, where T's largest change is about 1e-5.
    constexpr int kMaxIterations = 200;
    constexpr double kTolerance = 1e-5;
    LabelNoise noise;
    noise.wrong.assign(items.size(), 0);
    const int k = classes;
    // To start: nine labels in ten right, the wrong ones spread evenly.
    cv::Mat transition(k, k, CV_64F, cv::Scalar(k > 1 ? 0.1 / (k - 1) : 0));
    transition.diag().setTo(k > 1 ? 0.9 : 1);
    std::vector<double> clean(static_cast<size_t>(k)), posterior(static_cast<size_t>(k));
    for (int iteration = 0; iteration < kMaxIterations && k > 1; ++iteration) {
        cv::Mat inverse;
        if (cv::invert(transition, inverse, cv::DECOMP_LU) == 0)
            break; // singular: keep the last estimate
        cv::Mat counts(k, k, CV_64F, cv::Scalar(1e-9));
        double expected = 0;
        for (size_t n = 0; n < items.size(); ++n) {
            const ScoredItem &item = items[n];
            if (!hasLabel(item, classes))
                continue;
            // The class posterior the predictions would have with clean labels.
            double total = 0;
            for (int j = 0; j < k; ++j) {
                const double *row = inverse.ptr<double>(j);
                double value = 0;
                for (int i = 0; i < k; ++i)
                    value += row[i] * double(item.probabilities[size_t(i)]);
                clean[size_t(j)] = std::max(0.0, value);
                total += clean[size_t(j)];
            }
            // ... and, given the label, the item's true class.
            const double *given = transition.ptr<double>(item.given);
            double evidence = 0;
            for (int j = 0; j < k; ++j) {
                posterior[size_t(j)] = given[j] * (total > 0 ? clean[size_t(j)] / total : 1.0 / k);
                evidence += posterior[size_t(j)];
            }
            double *row = counts.ptr<double>(item.given);
            for (int j = 0; j < k; ++j) {
                posterior[size_t(j)] =
                    evidence > 0 ? posterior[size_t(j)] / evidence : double(j == item.given);
                row[j] += posterior[size_t(j)];
            }
            noise.wrong[n] = 1 - posterior[size_t(item.given)];
            expected += noise.wrong[n];
        }
        // Each true class's labels spread over the given ones.
        cv::Mat columns;
        cv::reduce(counts, columns, 0, cv::REDUCE_SUM);
        const cv::Mat next = counts / cv::repeat(columns, k, 1);
        const double change = cv::norm(next, transition, cv::NORM_INF);
        transition = next;
        noise.expectedErrors = expected;
        noise.iterations = iteration + 1;
        if (change < kTolerance)
            break;
    }
    noise.transition.assign(transition.begin<double>(), transition.end<double>());
    return noise;
}

std::vector<LabelErrorCandidate> findLabelErrors(const std::vector<ScoredItem> &items, int classes,
                                                 LabelErrorCount count, double *expectedErrors) {
    double expected = 0;
    const std::set<size_t> flagged = count == LabelErrorCount::ConfidentJoint
                                         ? confidentJointFlags(items, classes, expected)
                                         : noiseModelFlags(items, classes, expected);
    if (expectedErrors)
        *expectedErrors = expected;
    std::vector<LabelErrorCandidate> errors;
    for (size_t n : flagged) {
        const ScoredItem &item = items[n];
        const int suggested = argmax(item.probabilities);
        if (suggested == item.given)
            continue;
        const double self = item.probabilities[size_t(item.given)];
        errors.push_back({item.itemId, item.given, suggested, 1 - self, self,
                          item.probabilities[size_t(suggested)]});
    }
    std::sort(errors.begin(), errors.end(), [](const auto &a, const auto &b) {
        return a.score != b.score ? a.score > b.score : a.itemId < b.itemId;
    });
    return errors;
}

double accuracyLowerBound(qint64 correct, qint64 total, double confidenceLevel) {
    if (total <= 0)
        return 0;
    const double z = normalQuantile(confidenceLevel);
    const double n = double(total), p = double(correct) / n, z2 = z * z;
    const double centre = p + z2 / (2 * n);
    const double spread = z * std::sqrt(p * (1 - p) / n + z2 / (4 * n * n));
    return std::max(0.0, (centre - spread) / (1 + z2 / n));
}

AutolabelPlan planAutolabel(const std::vector<double> &confidences,
                            const std::vector<bool> &correct, double targetAccuracy,
                            double confidenceLevel) {
    AutolabelPlan plan;
    const size_t n = confidences.size();
    plan.heldOut = qint64(n);
    std::vector<size_t> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](size_t a, size_t b) { return confidences[a] > confidences[b]; });
    const size_t stride = std::max<size_t>(1, n / 200);
    qint64 right = 0;
    for (size_t r = 0; r < n; ++r) {
        right += correct[order[r]] ? 1 : 0;
        // A threshold sits where the confidence changes: ties are labeled together.
        if (r + 1 < n && confidences[order[r + 1]] == confidences[order[r]])
            continue;
        const auto taken = qint64(r + 1);
        CoveragePoint point{confidences[order[r]], double(taken) / double(n),
                            double(right) / double(taken),
                            accuracyLowerBound(right, taken, confidenceLevel), taken};
        if (point.lowerBound >= targetAccuracy) {
            plan.reachable = true;
            plan.threshold = point.threshold;
            plan.coverage = point.coverage;
            plan.accuracy = point.accuracy;
            plan.lowerBound = point.lowerBound;
        }
        if (r % stride == 0 || r + 1 == n || point.threshold == plan.threshold)
            plan.curve.push_back(point);
    }
    return plan;
}

std::vector<qint64> uncertaintyOrder(const std::vector<ScoredItem> &items) {
    struct Entry {
        qint64 itemId;
        double margin;
    };
    std::vector<std::vector<Entry>> byClass;
    for (const ScoredItem &item : items) {
        if (item.probabilities.empty())
            continue;
        std::vector<float> p = item.probabilities;
        const int top = argmax(p);
        const float first = p[size_t(top)];
        p[size_t(top)] = -1;
        const float second = p.size() > 1 ? *std::max_element(p.begin(), p.end()) : 0.0f;
        if (byClass.size() <= size_t(top))
            byClass.resize(size_t(top) + 1);
        byClass[size_t(top)].push_back({item.itemId, double(first - second)});
    }
    for (auto &entries : byClass)
        std::sort(entries.begin(), entries.end(), [](const Entry &a, const Entry &b) {
            return a.margin != b.margin ? a.margin < b.margin : a.itemId < b.itemId;
        });
    // Round robin over the predicted classes, each round in order of its least margin.
    std::vector<qint64> order;
    std::vector<size_t> next(byClass.size(), 0);
    for (bool more = true; more;) {
        more = false;
        std::vector<Entry> round;
        for (size_t c = 0; c < byClass.size(); ++c)
            if (next[c] < byClass[c].size())
                round.push_back(byClass[c][next[c]++]);
        std::sort(round.begin(), round.end(),
                  [](const Entry &a, const Entry &b) { return a.margin < b.margin; });
        for (const Entry &e : round)
            order.push_back(e.itemId);
        more = !round.empty();
    }
    return order;
}

} // namespace winnow::core

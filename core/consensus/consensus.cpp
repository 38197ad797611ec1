#include "core/consensus/consensus.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <numeric>
#include <thread>

namespace winnow::core {
namespace {

// A deterministic pseudo-random number for (item, seed, salt): breaks ties without favouring
// the first class.
std::uint64_t mix(std::uint64_t item, std::uint64_t seed, std::uint64_t salt) {
    std::uint64_t x = item * 0x9E3779B97F4A7C15ull ^ (seed + 0x632BE59BD9B4E019ull) ^
                      (salt * 0xD1B54A32D192ED03ull);
    x ^= x >> 31;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 29;
    return x;
}

// Runs fn(begin, end, part) over [0, n) split into contiguous parts, one per thread.
void parallelFor(int n, int threads, const std::function<void(int, int, int)> &fn) {
    threads = std::max(1, std::min(threads, n / 2048 + 1));
    if (threads == 1) {
        fn(0, n, 0);
        return;
    }
    std::vector<std::thread> pool;
    for (int t = 0; t < threads; ++t)
        pool.emplace_back(fn, int(std::int64_t(n) * t / threads),
                          int(std::int64_t(n) * (t + 1) / threads), t);
    for (std::thread &thread : pool)
        thread.join();
}

int threadCount(const ConsensusOptions &options) {
    return options.threads > 0 ? options.threads
                               : int(std::max(1u, std::thread::hardware_concurrency()));
}

int argmaxWithTies(const float *values, int k, std::uint64_t item, std::uint64_t seed) {
    int best = -1;
    std::uint64_t bestKey = 0;
    for (int c = 0; c < k; ++c) {
        if (best < 0 || values[c] > values[best]) {
            best = c;
            bestKey = mix(item, seed, std::uint64_t(c));
        } else if (values[c] == values[best]) {
            const std::uint64_t key = mix(item, seed, std::uint64_t(c));
            if (key > bestKey) {
                best = c;
                bestKey = key;
            }
        }
    }
    return best;
}

// Whether an item may take `label`: some answer gave it, or an answer came from an annotator the
// matrices estimate worse than chance on the class it gave (who may well mean another). When
// not, `candidates` receives the posterior restricted to the classes the answers gave. Class
// priors weigh the answers; they never invent a label that none of them gave.
bool givenBy(const AnswerTable &t, int item, int label, const float *posterior,
             const std::vector<double> &confusion, std::vector<float> &candidates) {
    const int K = t.classes;
    const double chance = 1.0 / K;
    std::fill(candidates.begin(), candidates.end(), -1.f);
    for (std::int64_t a = t.offsets[size_t(item)]; a < t.offsets[size_t(item) + 1]; ++a) {
        const int w = t.worker[size_t(a)], l = t.label[size_t(a)];
        if (l == label ||
            confusion[(static_cast<size_t>(w) * size_t(K) + size_t(l)) * size_t(K) + size_t(l)] <
                chance)
            return true;
        candidates[size_t(l)] = posterior[l];
    }
    return false;
}

// Labels, confidences and per-worker statistics from a posterior; confusion matrices are the
// posterior-weighted counts unless the method supplies its own.
void finish(const AnswerTable &t, ConsensusResult &r, std::uint64_t seed,
            const std::vector<double> *confusion) {
    const int K = t.classes;
    r.label.assign(static_cast<size_t>(t.items), -1);
    r.confidence.assign(static_cast<size_t>(t.items), 0.f);
    r.answers.assign(static_cast<size_t>(t.items), 0);
    std::vector<float> candidates(static_cast<size_t>(K));
    for (int i = 0; i < t.items; ++i) {
        r.answers[size_t(i)] = t.answersOf(i);
        if (r.answers[size_t(i)] == 0)
            continue;
        const float *p = &r.posterior[size_t(i) * size_t(K)];
        int best = argmaxWithTies(p, K, std::uint64_t(i), seed);
        if (confusion && !givenBy(t, i, best, p, *confusion, candidates))
            best = argmaxWithTies(candidates.data(), K, std::uint64_t(i), seed);
        r.label[size_t(i)] = best;
        r.confidence[size_t(i)] = p[best];
    }
    r.workers.assign(static_cast<size_t>(t.workers), {});
    std::vector<double> soft(static_cast<size_t>(t.workers) * size_t(K) * size_t(K), 0.0);
    for (int i = 0; i < t.items; ++i) {
        const float *p = &r.posterior[size_t(i) * size_t(K)];
        for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a) {
            const int w = t.worker[size_t(a)], l = t.label[size_t(a)];
            WorkerEstimate &e = r.workers[size_t(w)];
            ++e.answers;
            e.accuracy += p[l];
            e.agreement += l == r.label[size_t(i)] ? 1.0 : 0.0;
            double *rows = &soft[size_t(w) * size_t(K) * size_t(K)];
            for (int k = 0; k < K; ++k)
                rows[size_t(k) * size_t(K) + size_t(l)] += p[k];
        }
    }
    for (int w = 0; w < t.workers; ++w) {
        WorkerEstimate &e = r.workers[size_t(w)];
        if (e.answers > 0) {
            e.accuracy /= double(e.answers);
            e.agreement /= double(e.answers);
        }
        if (confusion) {
            e.confusion.assign(confusion->begin() + std::ptrdiff_t(w) * K * K,
                               confusion->begin() + std::ptrdiff_t(w + 1) * K * K);
            continue;
        }
        e.confusion.assign(static_cast<size_t>(K) * size_t(K), 0.0);
        for (int k = 0; k < K; ++k) {
            const double *row = &soft[(static_cast<size_t>(w) * size_t(K) + size_t(k)) * size_t(K)];
            const double total = std::accumulate(row, row + K, 0.0);
            for (int l = 0; l < K; ++l)
                e.confusion[size_t(k) * size_t(K) + size_t(l)] =
                    total > 0 ? row[l] / total : (k == l ? 1.0 : 0.0);
        }
    }
}

// Plurality vote shares as a posterior. A tie goes to the tied class whose voters are the most
// reliable (agreement with the untied majority, smoothed), then to a seeded hash of the item.
std::vector<float> majorityPosterior(const AnswerTable &t, std::uint64_t seed,
                                     std::vector<std::int32_t> *winner) {
    const int K = t.classes;
    std::vector<float> posterior(static_cast<size_t>(t.items) * size_t(K), 0.f);
    std::vector<std::int32_t> best(static_cast<size_t>(t.items), -1);
    std::vector<char> tied(static_cast<size_t>(t.items), 0);
    std::vector<int> votes(static_cast<size_t>(K));
    for (int i = 0; i < t.items; ++i) {
        std::fill(votes.begin(), votes.end(), 0);
        const int n = t.answersOf(i);
        for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a)
            ++votes[size_t(t.label[size_t(a)])];
        float *p = &posterior[size_t(i) * size_t(K)];
        if (n == 0) {
            std::fill(p, p + K, 1.f / float(K));
            continue;
        }
        const int top = *std::max_element(votes.begin(), votes.end());
        int winners = 0;
        for (int k = 0; k < K; ++k) {
            p[k] = float(votes[size_t(k)]) / float(n);
            if (votes[size_t(k)] == top) {
                ++winners;
                best[size_t(i)] = k;
            }
        }
        tied[size_t(i)] = winners > 1;
    }
    // Reliability of each worker: agreement with untied majorities, Beta(1, 1) smoothed.
    std::vector<double> agree(static_cast<size_t>(t.workers), 1.0),
        seen(static_cast<size_t>(t.workers), 2.0);
    for (int i = 0; i < t.items; ++i) {
        if (tied[size_t(i)] || best[size_t(i)] < 0)
            continue;
        for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a) {
            const int w = t.worker[size_t(a)];
            seen[size_t(w)] += 1;
            agree[size_t(w)] += t.label[size_t(a)] == best[size_t(i)] ? 1 : 0;
        }
    }
    std::vector<double> weight(static_cast<size_t>(K));
    for (int i = 0; i < t.items; ++i) {
        if (!tied[size_t(i)])
            continue;
        const float *p = &posterior[size_t(i) * size_t(K)];
        const float top = *std::max_element(p, p + K);
        std::fill(weight.begin(), weight.end(), -1.0);
        for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a) {
            const int l = t.label[size_t(a)], w = t.worker[size_t(a)];
            if (p[l] == top)
                weight[size_t(l)] =
                    std::max(0.0, weight[size_t(l)]) + agree[size_t(w)] / seen[size_t(w)];
        }
        int chosen = -1;
        for (int k = 0; k < K; ++k) {
            if (weight[size_t(k)] < 0)
                continue;
            if (chosen < 0 || weight[size_t(k)] > weight[size_t(chosen)] + 1e-12 ||
                (std::abs(weight[size_t(k)] - weight[size_t(chosen)]) <= 1e-12 &&
                 mix(std::uint64_t(i), seed, std::uint64_t(k)) >
                     mix(std::uint64_t(i), seed, std::uint64_t(chosen))))
                chosen = k;
        }
        best[size_t(i)] = chosen;
    }
    if (winner)
        *winner = std::move(best);
    return posterior;
}

class MajorityVote final : public ConsensusMethod {
public:
    QString name() const override { return QStringLiteral("majority"); }
    ConsensusResult run(const AnswerTable &t, const ConsensusOptions &options, const ProgressFn &,
                        const CancelToken *) const override {
        ConsensusResult r;
        std::vector<std::int32_t> winner;
        r.posterior = majorityPosterior(t, options.seed, &winner);
        finish(t, r, options.seed, nullptr);
        // The tie rule decides the label; the confidence stays the winning share.
        for (int i = 0; i < t.items; ++i) {
            if (winner[size_t(i)] >= 0) {
                r.label[size_t(i)] = winner[size_t(i)];
                r.confidence[size_t(i)] =
                    r.posterior[size_t(i) * size_t(t.classes) + size_t(winner[size_t(i)])];
            }
        }
        r.classPrior.assign(static_cast<size_t>(t.classes), 0.0);
        for (int i = 0; i < t.items; ++i)
            if (r.label[size_t(i)] >= 0)
                r.classPrior[size_t(r.label[size_t(i)])] += 1.0;
        const double labelled = std::accumulate(r.classPrior.begin(), r.classPrior.end(), 0.0);
        for (double &p : r.classPrior)
            p = labelled > 0 ? p / labelled : 1.0 / t.classes;
        r.iterations = 1;
        return r;
    }
};

// The EM family: every model is a per-worker confusion matrix P(answer l | true class k) and
// class priors. Models differ in how the M-step turns posterior-weighted counts into matrices.
class EmMethod : public ConsensusMethod {
    static constexpr int kRescale = 16;

public:
    ConsensusResult run(const AnswerTable &t, const ConsensusOptions &options,
                        const ProgressFn &progress, const CancelToken *cancel) const override {
        const int K = t.classes, W = t.workers;
        const int threads = threadCount(options);
        ConsensusResult r;
        r.posterior = initialPosterior(t, options);
        std::vector<double> confusion(static_cast<size_t>(W) * size_t(K) * size_t(K));
        std::vector<double> confT(confusion.size()); // [w][l][k], no entry below 1e-12
        std::vector<double> prior(static_cast<size_t>(K));
        // counts[w][l][k]: posterior mass of true class k over w's answers l.
        std::vector<std::vector<double>> partCounts(static_cast<size_t>(threads));
        std::vector<std::vector<double>> partPrior(static_cast<size_t>(threads));
        std::vector<double> partLl(static_cast<size_t>(threads));
        initialise(t, confusion);

        double previous = -std::numeric_limits<double>::infinity();
        for (int iteration = 1; iteration <= options.maxIterations; ++iteration) {
            if (cancel && cancel->isCancelled()) {
                r.cancelled = true;
                break;
            }
            // M-step: counts from the posterior, in parallel over items.
            parallelFor(t.items, threads, [&](int begin, int end, int part) {
                std::vector<double> &counts = partCounts[size_t(part)];
                std::vector<double> &classMass = partPrior[size_t(part)];
                counts.assign(static_cast<size_t>(W) * size_t(K) * size_t(K), 0.0);
                classMass.assign(static_cast<size_t>(K), 0.0);
                for (int i = begin; i < end; ++i) {
                    const float *p = &r.posterior[size_t(i) * size_t(K)];
                    if (t.answersOf(i) > 0)
                        for (int k = 0; k < K; ++k)
                            classMass[size_t(k)] += p[k];
                    for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a) {
                        double *row =
                            &counts[(static_cast<size_t>(t.worker[size_t(a)]) * size_t(K) +
                                     size_t(t.label[size_t(a)])) *
                                    size_t(K)];
                        for (int k = 0; k < K; ++k)
                            row[k] += p[k];
                    }
                }
            });
            std::vector<double> &counts = partCounts[0];
            for (int part = 1; part < threads && part < int(partCounts.size()); ++part) {
                if (partCounts[size_t(part)].empty())
                    continue;
                for (size_t x = 0; x < counts.size(); ++x)
                    counts[x] += partCounts[size_t(part)][x];
                for (int k = 0; k < K; ++k)
                    partPrior[0][size_t(k)] += partPrior[size_t(part)][size_t(k)];
            }
            const double mass = std::accumulate(partPrior[0].begin(), partPrior[0].end(), 0.0);
            // Class priors, re-estimated every round (Dirichlet(2) smoothed: no class goes to 0),
            // or uniform for models that do not estimate them.
            for (int k = 0; k < K; ++k) {
                prior[size_t(k)] =
                    estimatesPriors() ? (partPrior[0][size_t(k)] + 1.0) / (mass + K) : 1.0 / K;
            }
            estimate(t, counts, confusion);
            for (int w = 0; w < W; ++w)
                for (int k = 0; k < K; ++k)
                    for (int l = 0; l < K; ++l)
                        confT[(static_cast<size_t>(w) * size_t(K) + size_t(l)) * size_t(K) +
                              size_t(k)] =
                            std::max(confusion[(static_cast<size_t>(w) * size_t(K) + size_t(k)) *
                                                   size_t(K) +
                                               size_t(l)],
                                     1e-12);

            // E-step: posterior of every item, and the marginal log-likelihood. Products of
            // probabilities rather than sums of logarithms (no exponential per class and item);
            // every kRescale answers the products are scaled back to a largest entry of 1, so
            // they never underflow (kRescale factors of at least 1e-12 stay above 1e-192).
            parallelFor(t.items, threads, [&](int begin, int end, int part) {
                std::vector<double> acc(static_cast<size_t>(K));
                double ll = 0;
                for (int i = begin; i < end; ++i) {
                    float *p = &r.posterior[size_t(i) * size_t(K)];
                    if (t.answersOf(i) == 0) {
                        for (int k = 0; k < K; ++k)
                            p[k] = float(prior[size_t(k)]);
                        continue;
                    }
                    std::copy(prior.begin(), prior.end(), acc.begin());
                    double logScale = 0;
                    int unscaled = 0;
                    for (std::int64_t a = t.offsets[size_t(i)]; a < t.offsets[size_t(i) + 1]; ++a) {
                        const double *row =
                            &confT[(static_cast<size_t>(t.worker[size_t(a)]) * size_t(K) +
                                    size_t(t.label[size_t(a)])) *
                                   size_t(K)];
                        for (int k = 0; k < K; ++k)
                            acc[size_t(k)] *= row[k];
                        if (++unscaled == kRescale) {
                            const double top = *std::max_element(acc.begin(), acc.end());
                            for (int k = 0; k < K; ++k)
                                acc[size_t(k)] /= top;
                            logScale += std::log(top);
                            unscaled = 0;
                        }
                    }
                    const double sum = std::accumulate(acc.begin(), acc.end(), 0.0);
                    for (int k = 0; k < K; ++k)
                        p[k] = float(acc[size_t(k)] / sum);
                    ll += logScale + std::log(sum);
                }
                partLl[size_t(part)] = ll;
            });
            double ll = 0;
            for (int part = 0; part < threads && part < int(partLl.size()); ++part)
                ll += partLl[size_t(part)];
            std::fill(partLl.begin(), partLl.end(), 0.0);
            r.iterations = iteration;
            r.logLikelihood = ll;
            if (progress)
                progress(iteration, options.maxIterations, QStringLiteral("EM iteration"));
            if (std::abs(ll - previous) <= options.tolerance * std::abs(ll))
                break;
            previous = ll;
        }
        r.classPrior = prior;
        finish(t, r, options.seed, &confusion);
        return r;
    }

protected:
    // Where EM starts: the plurality vote shares.
    virtual std::vector<float> initialPosterior(const AnswerTable &t,
                                                const ConsensusOptions &options) const {
        return majorityPosterior(t, options.seed, nullptr);
    }
    // False: class priors stay uniform.
    virtual bool estimatesPriors() const { return true; }

    // Matrices before the first M-step (only MACE needs them); rows of k x l per worker.
    virtual void initialise(const AnswerTable &, std::vector<double> &) const {}
    // counts[w][l][k] -> confusion[w][k][l], every row a distribution with no zeros.
    virtual void estimate(const AnswerTable &t, const std::vector<double> &counts,
                          std::vector<double> &confusion) const = 0;

    static double count(const std::vector<double> &counts, int K, int w, int k, int l) {
        return counts[(static_cast<size_t>(w) * size_t(K) + size_t(l)) * size_t(K) + size_t(k)];
    }
    static double &at(std::vector<double> &confusion, int K, int w, int k, int l) {
        return confusion[(static_cast<size_t>(w) * size_t(K) + size_t(k)) * size_t(K) + size_t(l)];
    }
    // A worker's own soft accuracy: posterior mass on the diagonal over all its mass.
    static double ownAccuracy(const std::vector<double> &counts, int K, int w, double &total) {
        double diagonal = 0;
        total = 0;
        for (int k = 0; k < K; ++k)
            for (int l = 0; l < K; ++l) {
                const double c = count(counts, K, w, k, l);
                total += c;
                if (k == l)
                    diagonal += c;
            }
        return diagonal / std::max(total, 1e-12);
    }
};

// Full confusion matrices under a Dirichlet prior that favours the diagonal: a row resting on few
// answers (a rare class, a new worker) reads as "right 4 times in 7", better than chance for any
// number of classes, never a zero. A flat prior made such rows chance, and with it a rare class
// two annotators agreed on lost to the class prior.
class DawidSkene : public EmMethod {
public:
    QString name() const override { return QStringLiteral("dawid-skene"); }

protected:
    static constexpr double kDiagonalPrior = 2.0;    // pseudo-answers of the true class
    static constexpr double kOffDiagonalPrior = 1.5; // spread over the other classes

    void estimate(const AnswerTable &t, const std::vector<double> &counts,
                  std::vector<double> &confusion) const override {
        const int K = t.classes;
        const double off = kOffDiagonalPrior / std::max(1, K - 1);
        for (int w = 0; w < t.workers; ++w)
            for (int k = 0; k < K; ++k) {
                double total = 0;
                for (int l = 0; l < K; ++l)
                    total += count(counts, K, w, k, l) + (k == l ? kDiagonalPrior : off);
                for (int l = 0; l < K; ++l)
                    at(confusion, K, w, k, l) =
                        (count(counts, K, w, k, l) + (k == l ? kDiagonalPrior : off)) / total;
            }
    }
};

// The "modified Dawid-Skene" of SageMaker Ground Truth: each row of a worker's matrix is shrunk
// towards a one-coin row at the worker's own accuracy, and that towards the crowd's average
// accuracy, the less so the more answers the row (the worker) rests on. Full matrices need many
// answers per cell; without the shrinkage they learn confusions that are only noise.
class GroundTruth final : public DawidSkene {
public:
    QString name() const override { return QStringLiteral("ground-truth"); }

protected:
    void estimate(const AnswerTable &t, const std::vector<double> &counts,
                  std::vector<double> &confusion) const override {
        DawidSkene::estimate(t, counts, confusion);
        const int K = t.classes;
        std::vector<double> accuracy(static_cast<size_t>(t.workers)),
            answered(static_cast<size_t>(t.workers));
        double crowdDiagonal = 0, crowdTotal = 0;
        for (int w = 0; w < t.workers; ++w) {
            accuracy[size_t(w)] = ownAccuracy(counts, K, w, answered[size_t(w)]);
            crowdDiagonal += accuracy[size_t(w)] * answered[size_t(w)];
            crowdTotal += answered[size_t(w)];
        }
        const double crowd = crowdTotal > 0 ? crowdDiagonal / crowdTotal : 0.5;
        const double rowAnswers = 10.0 * K; // answers in a row before its own shape is trusted
        const double ownAnswers = 5.0;      // answers before the worker's own accuracy is trusted
        for (int w = 0; w < t.workers; ++w) {
            const double u = answered[size_t(w)] / (answered[size_t(w)] + ownAnswers);
            const double coin =
                std::clamp(u * accuracy[size_t(w)] + (1 - u) * crowd, 1e-3, 1 - 1e-3);
            for (int k = 0; k < K; ++k) {
                double rowMass = 0;
                for (int l = 0; l < K; ++l)
                    rowMass += count(counts, K, w, k, l);
                const double s = rowMass / (rowMass + rowAnswers);
                for (int l = 0; l < K; ++l) {
                    const double oneCoin = k == l ? coin : (1 - coin) / std::max(1, K - 1);
                    double &c = at(confusion, K, w, k, l);
                    c = s * c + (1 - s) * oneCoin;
                }
            }
        }
    }
};

// One accuracy per worker; errors spread evenly over the other classes; uniform class priors.
// The model cannot describe a worker who always answers the same class: started from the
// plurality vote, which such workers bias, EM can drift until every item has that class. So it
// starts from the Dawid-Skene posterior, which does describe them; from there such a worker's
// accuracy comes out near chance and its answers carry no weight.
class OneCoin final : public EmMethod {
public:
    QString name() const override { return QStringLiteral("one-coin"); }

protected:
    bool estimatesPriors() const override { return false; }
    std::vector<float> initialPosterior(const AnswerTable &t,
                                        const ConsensusOptions &options) const override;
    void estimate(const AnswerTable &t, const std::vector<double> &counts,
                  std::vector<double> &confusion) const override {
        const int K = t.classes;
        for (int w = 0; w < t.workers; ++w) {
            double total = 0;
            const double own = ownAccuracy(counts, K, w, total);
            // Beta(2, 1) prior: an unknown worker is assumed better than chance.
            const double p = std::clamp((own * total + 2.0) / (total + 3.0), 1e-3, 1 - 1e-3);
            for (int k = 0; k < K; ++k)
                for (int l = 0; l < K; ++l)
                    at(confusion, K, w, k, l) = k == l ? p : (1 - p) / std::max(1, K - 1);
        }
    }
};

// MACE (Hovy et al. 2013): a worker either knows the answer (probability theta) or spams from
// its own label distribution xi, so P(l | k) = theta [l = k] + (1 - theta) xi(l). Class priors
// are estimated here too. Fitted by EM with Beta(2, 2) and Dirichlet(1) smoothing.
class Mace final : public EmMethod {
public:
    QString name() const override { return QStringLiteral("mace"); }

protected:
    void initialise(const AnswerTable &t, std::vector<double> &confusion) const override {
        const int K = t.classes;
        for (int w = 0; w < t.workers; ++w)
            for (int k = 0; k < K; ++k)
                for (int l = 0; l < K; ++l)
                    at(confusion, K, w, k, l) = (k == l ? 0.8 : 0.0) + 0.2 / K;
    }

    void estimate(const AnswerTable &t, const std::vector<double> &counts,
                  std::vector<double> &confusion) const override {
        const int K = t.classes;
        std::vector<double> spam(static_cast<size_t>(K));
        for (int w = 0; w < t.workers; ++w) {
            // Recover theta and xi from the previous matrix: xi(l) from the off-diagonal of row 0.
            const int other = K > 1 ? 1 : 0;
            const double theta = std::clamp(
                at(confusion, K, w, 0, 0) - at(confusion, K, w, other, 0), 1e-3, 1 - 1e-3);
            double competent = 0, spammed = 0;
            std::fill(spam.begin(), spam.end(), 0.0);
            for (int l = 0; l < K; ++l) {
                const double xi =
                    std::max(at(confusion, K, w, other == l ? 0 : other, l) / (1 - theta), 1e-9);
                for (int k = 0; k < K; ++k) {
                    const double c = count(counts, K, w, k, l);
                    if (c == 0)
                        continue;
                    // Given true class k and answer l, was the worker competent or spamming?
                    const double know = k == l ? theta : 0.0;
                    const double guess = (1 - theta) * xi;
                    const double pKnow = know / (know + guess);
                    competent += c * pKnow;
                    spammed += c * (1 - pKnow);
                    spam[size_t(l)] += c * (1 - pKnow);
                }
            }
            const double nextTheta = (competent + 1.0) / (competent + spammed + 2.0);
            for (int k = 0; k < K; ++k)
                for (int l = 0; l < K; ++l)
                    at(confusion, K, w, k, l) =
                        (k == l ? nextTheta : 0.0) +
                        (1 - nextTheta) * (spam[size_t(l)] + 1.0) / (spammed + K);
        }
    }
};

} // namespace

std::vector<float> OneCoin::initialPosterior(const AnswerTable &t,
                                             const ConsensusOptions &options) const {
    return DawidSkene().run(t, options, {}, nullptr).posterior;
}

std::unique_ptr<ConsensusMethod> makeConsensusMethod(const QString &name) {
    if (name == QLatin1String("majority"))
        return std::make_unique<MajorityVote>();
    if (name == QLatin1String("dawid-skene"))
        return std::make_unique<DawidSkene>();
    if (name == QLatin1String("ground-truth"))
        return std::make_unique<GroundTruth>();
    if (name == QLatin1String("one-coin"))
        return std::make_unique<OneCoin>();
    if (name == QLatin1String("mace"))
        return std::make_unique<Mace>();
    return nullptr;
}

QStringList consensusMethodNames() {
    return {QStringLiteral("majority"), QStringLiteral("dawid-skene"),
            QStringLiteral("ground-truth"), QStringLiteral("one-coin"), QStringLiteral("mace")};
}

} // namespace winnow::core

#pragma once

// What a model's predicted probabilities say about the labels, without LibTorch: likely label
// errors by confident learning, and the confidence threshold at which machine labels reach a
// target accuracy.

#include <QString>
#include <vector>

namespace winnow::core {

// One item's predicted probabilities (in a fixed class order) and its given label.
struct ScoredItem {
    qint64 itemId = 0;
    int given = -1; // index into the class order; -1: no label
    std::vector<float> probabilities;
};

struct LabelErrorCandidate {
    qint64 itemId = 0;
    int given = 0;
    int suggested = 0;         // the class the model believes
    double score = 0;          // 1 - p(given): larger is likelier an error
    double selfConfidence = 0; // p(given)
    double suggestedProbability = 0;
};

// How many items findLabelErrors flags.
enum class LabelErrorCount {
    // As many as a label-noise model fitted to the predictions expects wrong labels (see
    // estimateLabelNoise). On Fashion-MNIST with 10 % of labels flipped it expects 971 of the
    // 1,000 where the confident joint counts 1,588, taking the models' own confusions for noise.
    NoiseModel,
    // Confident learning (Northcutt, Jiang and Chuang, 2021), pruning by noise rate as cleanlab
    // does: per-class thresholds at the mean self-confidence give the confident joint;
    // calibrated to the label counts it says how many items of each given class carry each
    // other class, and that many with the largest margin p(other) - p(given) are flagged.
    ConfidentJoint,
};

// Likely label errors among `items`, which must be out-of-sample predictions. Items whose most
// probable class is their given label are never flagged. Returns the flagged items, likeliest
// error first: by self-confidence p(given) (cleanlab's default ranking), which ranks better than
// the margin on Fashion-MNIST with planted flips. The noise model flags the items of lowest
// self-confidence, as many as it expects wrong labels; `expectedErrors`, where given, receives
// that expectation (with the confident joint, its calibrated off-diagonal sum).
std::vector<LabelErrorCandidate>
findLabelErrors(const std::vector<ScoredItem> &items, int classes,
                LabelErrorCount count = LabelErrorCount::NoiseModel,
                double *expectedErrors = nullptr);

// A label-noise model fitted to out-of-sample predictions by expectation maximisation. A model
// trained on noisy labels predicts the noisy labels' posterior: p = T c, where c is the clean
// class posterior and T[i][j] = P(label i | true class j). Each step recovers c from p through
// T's inverse, gives each labeled item the posterior of its true class, c(j) T[given][j]
// normalised, and re-estimates T from those posteriors; it stops when T settles.
struct LabelNoise {
    std::vector<double> transition; // classes x classes, row-major: P(label i | true class j)
    std::vector<double> wrong;      // per item: the probability that its label is wrong
    double expectedErrors = 0;      // their sum
    int iterations = 0;
};
LabelNoise estimateLabelNoise(const std::vector<ScoredItem> &items, int classes);

// The one-sided lower confidence bound (Wilson score) on an accuracy of `correct` of `total`.
double accuracyLowerBound(qint64 correct, qint64 total, double confidenceLevel = 0.95);

// A point of the accuracy-coverage curve of held-out items, most confident first.
struct CoveragePoint {
    double threshold = 0; // confidence at or above which the model labels
    double coverage = 0;  // share of the held-out items at or above it
    double accuracy = 0;  // of those items
    double lowerBound = 0;
    qint64 items = 0;
};

struct AutolabelPlan {
    bool reachable = false; // some threshold's lower bound meets the target
    double threshold = 1;
    double coverage = 0;
    double accuracy = 0;
    double lowerBound = 0;
    qint64 heldOut = 0;
    std::vector<CoveragePoint> curve; // thinned to at most ~200 points, plus the chosen one
};

// `confidences` and `correct` of held-out items whose true label is known: the lowest threshold
// whose items' accuracy has a lower bound at or above `targetAccuracy`.
AutolabelPlan planAutolabel(const std::vector<double> &confidences,
                            const std::vector<bool> &correct, double targetAccuracy,
                            double confidenceLevel = 0.95);

// Items ordered for labeling by uncertainty: least margin (top-1 minus top-2 probability) first,
// taken from the classes the model predicts in turn, so one confusing class does not take the
// whole queue. Returns item ids.
std::vector<qint64> uncertaintyOrder(const std::vector<ScoredItem> &items);

} // namespace winnow::core

#pragma once

// Training runs as the project stores them: their options, per-epoch metrics and the subsets
// each selection round chose. Free of LibTorch so the CLI and the GUI can read runs cheaply.

#include "core/store/records.h"
#include "core/store/runrepository.h"
#include "core/util/result.h"

#include <QJsonObject>
#include <QSet>
#include <QString>
#include <QStringList>
#include <cstdint>
#include <optional>
#include <vector>

namespace winnow::core {

class Project;
struct LabelSnapshot;

enum class Strategy { Full, Random, Glister };
enum class SelectionType { Supervised, PerClass, PerBatch };
enum class GreedyKind { Stochastic, Naive };

QString strategyName(Strategy strategy);
std::optional<Strategy> parseStrategy(const QString &name);
QString selectionTypeName(SelectionType type);
std::optional<SelectionType> parseSelectionType(const QString &name);

// Every knob of a run. The defaults are GLISTER.md's CIFAR-10 configuration, except the epoch
// count and the selection interval, which suit a CPU.
struct TrainOptions {
    Strategy strategy = Strategy::Full;
    double fraction = 1.0;
    int epochs = 20;
    int selectEvery = 5; // R: epochs between selections
    int width = 64;      // ResNet-18 base width w (stages w, 2w, 4w, 8w)
    std::uint64_t seed = 0;
    int threads = 0; // 0: one per core
    int batchSize = 128;
    double learningRate = 0.05;
    double momentum = 0.9;
    double weightDecay = 5e-4;
    bool nesterov = true;
    double kappa = 0; // warm start share of the epochs; 0 = off
    // GLISTER's defaults are Winnow's robust variant (README.md, "Subset selection"): a budget
    // per class, gradients of the bias and of the weights on centred embeddings, the virtual
    // step on their mean, a small candidate sample (epsilon). CORDS's own: Supervised, bias
    // only, the step on the sum, epsilon 0.01.
    SelectionType selectionType = SelectionType::PerClass;
    GreedyKind greedy = GreedyKind::Stochastic;
    bool linearLayer = true; // GLISTER gradients include the fc weights
    // With linearLayer: embeddings are measured from the training items' mean embedding, so the
    // weight gradients of two images agree when the images look alike, not merely because
    // every ReLU embedding points the same way (a reparameterised last layer; not in CORDS).
    bool centeredEmbeddings = true;
    // GLISTER's virtual last-layer step uses the mean of the chosen gradients (eta / k times
    // their sum, the size of one SGD step) instead of CORDS's sum.
    bool meanStep = true;
    // Stochastic greedy's epsilon: each pick is the best of int(N / k * ln(1 / epsilon)) random
    // candidates, and of at least 2. CORDS: 0.01, about 4.6 N / k; the default 0.5 (0.69 N / k: the
    // best of 2 at a 30 % budget, of 6 at 10 %) keeps the subsets varied while the gains keep
    // mislabeled images out.
    double epsilon = 0.5;
    // Every image's last-layer gradient scaled to unit length before the greedy (its weight
    // part g e^T scales with its bias part g), so an image gains by the direction its gradient
    // points, not by how large its loss is (not in CORDS; off by default).
    bool unitGradients = false;
    // Subsets (random and GLISTER) leave out training items whose current consolidated label
    // has a confidence below this, or that carry a likely-label-error flag; 0: off. They still
    // count in the budget's N.
    double leaveOutDoubtful = 0;
    int testEvery = 1;   // evaluate the test set every N epochs (and always at the end)
    bool augment = true; // random crop (pad 4) and horizontal flip, for colour images
    // The same for grey images. Off unless asked (a mirrored digit or letter is another sign);
    // cross-fitting turns it on.
    bool augmentGrey = false;
    bool bfloat16 = false;    // bfloat16 autocast on CPUs with native support
    bool channelsLast = true; // NHWC activations and weights (faster oneDNN convolutions)
    // Which labels it trains on (core/label/labelsource.h); a new run stores the fixed source,
    // so `current` never reaches the store.
    QString labels = QStringLiteral("current");
    bool allowLeaks = false; // train although train and val/test share near copies
    // Start from these weights instead of random ones: a run of this project ("12"), a run of
    // another project ("DIR:12"), or a weights file (core/train/initweights.h); empty: scratch.
    QString initFrom;
    int freezeEpochs = 0; // the first epochs train the head alone (the body stays frozen)
    QString experiment;   // the experiment a new run joins (empty: none)
    // Cross-validation: with cvFolds = K, the train and val items are dealt to K stratified
    // folds (duplicate clusters kept whole) and fold cvFold is this run's val, the rest train.
    int cvFolds = 0;
    int cvFold = 0;
    double bodyLrScale = 1; // the body's learning rate relative to the head's

    QJsonObject toJson() const;
    static Result<TrainOptions> fromJson(const QJsonObject &json);
    // Refuses option combinations that cannot run, with the reason.
    Result<void> validate() const;
};

// GLISTER's gradients as one word: bias, weights (linearLayer) or centered (and centred).
QString glisterGradientsName(const TrainOptions &options);
bool setGlisterGradients(TrainOptions &options, const QString &name); // false: unknown name

// The items leaveOutDoubtful leaves out at `minConfidence`, read from the project now.
Result<QSet<qint64>> doubtfulItems(Project &project, double minConfidence);

// What a core-hour costs unless the user sets a price: a general-purpose cloud vCPU-hour, in USD.
inline constexpr double kDefaultPricePerCoreHour = 0.0425;

// A stored run with its options read back.
struct RunRecord : StoredRun {
    TrainOptions options;

    // The processor time it took, priced per core-hour.
    double cost(double pricePerCoreHour) const { return cpuSeconds / 3600.0 * pricePerCoreHour; }

    double secondsPerEpoch() const {
        return completedEpochs > 0 ? totalSeconds / completedEpochs : 0;
    }
};

Result<qint64> createRun(Project &project, const TrainOptions &options,
                         const LabelSnapshot &snapshot, const QString &warnings);
Result<void> recordEpoch(Project &project, qint64 runId, const EpochMetrics &metrics);
Result<void> recordSelection(Project &project, qint64 runId, const SelectionRound &selection);
// Ends or marks a run; `completedEpochs` is what its checkpoint covers.
Result<void> setRunStatus(Project &project, qint64 runId, RunStatus status,
                          const QString &error = {});
Result<void> setCompletedEpochs(Project &project, qint64 runId, int completedEpochs);

Result<std::vector<RunRecord>> listRuns(Project &project);
Result<RunRecord> findRun(Project &project, qint64 runId);
Result<std::vector<EpochMetrics>> runEpochs(Project &project, qint64 runId);
Result<std::vector<SelectionRound>> runSelections(Project &project, qint64 runId);

QString runDirectory(const Project &project, qint64 runId);

// How long a plan will take, from the speed of the newest finished run of the same network
// width: its seconds per epoch over the images it trained on each epoch, times each planned
// run's epochs and images (the reference run's training set at the planned fraction).
struct PlanEstimate {
    double seconds = 0;
    qint64 basedOnRun = 0;
    double secondsPerImageEpoch = 0;
};
std::optional<PlanEstimate> estimatePlan(const std::vector<TrainOptions> &plan,
                                         const std::vector<RunRecord> &runs);
// "about 14 min", "about 40 s", "about 2.5 h".
QString durationText(double seconds);
// The K runs of a cross-validation, fold 0 to K-1, with `base`'s other settings.
std::vector<TrainOptions> crossValidationPlan(const TrainOptions &base, int folds);
// "val accuracy (best per run) 0.812 ± 0.021 over 5 folds" for the finished runs given.
QString crossValidationSummary(const std::vector<RunRecord> &runs);
// Sets a run's experiment, notes and tags (tags trimmed, without commas or repeats).
Result<void> describeRun(Project &project, qint64 runId, const QString &experiment,
                         const QString &notes, const QStringList &tags);

} // namespace winnow::core

namespace winnow::core {

// The runs of a sweep: the full-data baseline (when `withFull`), then every strategy at every
// fraction, all with `base`'s other settings.
std::vector<TrainOptions> sweepPlan(const TrainOptions &base,
                                    const std::vector<Strategy> &strategies,
                                    const std::vector<double> &fractions, bool withFull = true);

// The latest finished full-data run comparable with `run` (same snapshot, epochs, width, batch
// size and precision), the baseline of its speed-up and accuracy change; null if none.
const RunRecord *comparableBaseline(const std::vector<RunRecord> &runs, const RunRecord &run);

// "3.02x" and "-14.3 pt" against `baseline`; empty when there is nothing to compare.
QString speedUpText(const RunRecord &run, const RunRecord *baseline);
QString accuracyChangeText(const RunRecord &run, const RunRecord *baseline);
// "$0.0123": in US dollars, with four decimals below ten cents.
QString costText(double dollars);

// The comparison table of `sweep` and the benchmark: one row per run, with speed-up (total
// time ratio) and test-accuracy change against `baseline` when given.
// Its cost column prices processor time at `pricePerCoreHour`.
QString resultsTable(const std::vector<RunRecord> &runs, const RunRecord *baseline,
                     double pricePerCoreHour = kDefaultPricePerCoreHour);
// The same, each run against its comparableBaseline().
QString resultsTable(const std::vector<RunRecord> &runs,
                     double pricePerCoreHour = kDefaultPricePerCoreHour);
// run,strategy,fraction,epochs,... with a header; accuracies as fractions in [0, 1].
QString runsCsv(const std::vector<RunRecord> &runs,
                double pricePerCoreHour = kDefaultPricePerCoreHour);
// The value `runs --sort` orders by (higher first for accuracies, lower first for times and
// losses): a run's figure ("test_accuracy"), or an aggregate of a per-epoch metric as SageMaker
// Experiments names them ("val_accuracy.max", "train_loss.last"), read from `epochs`.
std::optional<double> runMetric(const RunRecord &run, const QString &metric,
                                const std::vector<EpochMetrics> &epochs = {});
QStringList runMetricNames();
bool isEpochAggregate(const QString &metric); // "val_accuracy.max" and the like
bool higherIsBetter(const QString &metric);
// epoch,train_loss,train_accuracy,val_loss,val_accuracy,test_accuracy,... with a header.
QString epochsCsv(const std::vector<EpochMetrics> &epochs);

} // namespace winnow::core

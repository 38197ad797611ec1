#include "core/train/trainer.h"

#include "core/curation/curation.h"
#include "core/curation/splits.h"
#include "core/store/project.h"
#include "core/train/glister.h"
#include "core/train/initweights.h"
#include "core/train/resnet.h"
#include "core/train/tensordata.h"
#include "core/train/trainingset.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/autocast_mode.h>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QThread>
#include <cmath>
#include <ctime>
#include <filesystem>
#include <map>
#include <numbers>
#include <stdexcept>
#include <torch/torch.h>

namespace winnow::core {
namespace {

// Processor time of this process so far, all threads.
double processCpuSeconds() {
    timespec t{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return double(t.tv_sec) + double(t.tv_nsec) / 1e9;
}

void check(const Result<void> &result) {
    if (!result)
        throw failure(result.error().message);
}

class Trainer {
public:
    Trainer(Project &project, qint64 runId, const TrainOptions &options, const TrainEvents &events)
        : m_project(project)
        , m_runId(runId)
        , m_options(options)
        , m_events(events) {}

    // The run as a sequence of steps; false when cancelled.
    bool run(const LabelSnapshot &snapshot);

private:
    // What one epoch trains on (all, the subset or, during a warm start's pause, nothing).
    struct EpochPlan {
        EpochMetrics metrics;
        bool full = false, skipped = false, selects = false;
    };

    int setUpDevice(); // the thread count
    void loadData(const LabelSnapshot &snapshot);
    void leaveOutDoubtful();
    void buildModel();
    void announce(int threads, int start) const;
    void chooseInitialSubset();
    EpochPlan planEpoch(int e); // also sets the epoch's learning rate
    void selectSubset(int e, EpochMetrics &metrics);
    bool trainEpoch(int e, const torch::Tensor &rows, EpochMetrics &metrics); // false: cancelled
    void evaluateEpoch(int e, EpochMetrics &metrics);
    void finishEpoch(int e, const EpochMetrics &metrics);
    double cpuSecondsSinceMark();

    void say(const QString &text) const {
        if (m_events.message)
            m_events.message(text);
    }
    bool cancelled() const { return m_events.cancel && m_events.cancel->isCancelled(); }
    torch::Tensor batch(const torch::Tensor &rows, at::Generator *augment) const;
    std::pair<double, double> evaluate(const torch::Tensor &rows);
    std::pair<torch::Tensor, torch::Tensor> frozenForward(const torch::Tensor &rows,
                                                          at::Generator *augment);
    torch::Tensor randomSubset(int round) const;
    torch::Tensor glisterSubset(int round);
    void storeSelection(int round, int epoch, const torch::Tensor &subset);
    QString checkpointPath() const {
        return QDir(runDirectory(m_project, m_runId)).filePath(QStringLiteral("checkpoint.pt"));
    }
    void saveCheckpoint(int completedEpochs);
    int loadCheckpoint(); // completed epochs, 0 without a checkpoint

    Project &m_project;
    qint64 m_runId;
    TrainOptions m_options;
    TrainEvents m_events;
    Dataset m_data;
    torch::Device m_device{torch::kCPU};
    ResNet18 m_model{nullptr};
    std::unique_ptr<torch::optim::SGD> m_optimizer;
    torch::Tensor m_subset; // training rows of the current subset
    torch::Tensor m_pool;   // training rows subsets are drawn from
    int m_round = 0;
    std::int64_t m_budget = 0;
    std::vector<qint64> m_itemIds;
    bool m_channelsLast = false;
    double m_cpuMark = 0; // processCpuSeconds() when the last epoch ended
    QStringList m_classNames;
    std::vector<torch::Tensor> m_body; // every parameter but the head's
};

torch::Tensor Trainer::batch(const torch::Tensor &rows, at::Generator *augment) const {
    torch::Tensor x = m_data.images.index_select(0, rows).to(torch::kFloat).div_(255);
    if (augment && m_options.augment && (m_data.geometry.channels == 3 || m_options.augmentGrey))
        x = augmentBatch(x, *augment);
    x = (x - m_data.mean) / m_data.std;
    if (m_channelsLast)
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    return x.to(m_device);
}

// Mean cross-entropy and accuracy over `rows`, in eval mode.
std::pair<double, double> Trainer::evaluate(const torch::Tensor &rows) {
    torch::NoGradGuard noGrad;
    m_model->eval();
    double loss = 0;
    std::int64_t correct = 0;
    for (std::int64_t start = 0; start < rows.size(0); start += kEvalBatch) {
        const torch::Tensor part =
            rows.narrow(0, start, std::min(kEvalBatch, rows.size(0) - start));
        const torch::Tensor y = m_data.labels.index_select(0, part).to(m_device);
        torch::Tensor logits;
        {
            const Autocast autocast(m_options.bfloat16);
            logits = m_model->forward(batch(part, nullptr)).to(torch::kFloat);
        }
        loss +=
            torch::nn::functional::cross_entropy(
                logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum))
                .item<double>();
        correct += logits.argmax(1).eq(y).sum().item<std::int64_t>();
    }
    m_model->train();
    return {loss / double(rows.size(0)), double(correct) / double(rows.size(0))};
}

// GLISTER.md section 3's frozen pass: eval-mode BatchNorm, no gradients; (logits, embeddings).
std::pair<torch::Tensor, torch::Tensor> Trainer::frozenForward(const torch::Tensor &rows,
                                                               at::Generator *augment) {
    torch::NoGradGuard noGrad;
    m_model->eval();
    std::vector<torch::Tensor> logits, embeddings;
    for (std::int64_t start = 0; start < rows.size(0); start += kEvalBatch) {
        const torch::Tensor part =
            rows.narrow(0, start, std::min(kEvalBatch, rows.size(0) - start));
        const Autocast autocast(m_options.bfloat16);
        auto [embedding, logit] = m_model->forwardWithEmbedding(batch(part, augment));
        logits.push_back(logit.to(torch::kCPU, torch::kFloat));
        embeddings.push_back(embedding.to(torch::kCPU, torch::kFloat));
    }
    m_model->train();
    return {torch::cat(logits), torch::cat(embeddings)};
}

torch::Tensor Trainer::randomSubset(int round) const {
    at::Generator generator = generatorFor(m_options.seed, kSubset, std::uint64_t(round));
    const torch::Tensor order = torch::randperm(m_pool.size(0), generator, torch::kLong);
    return m_pool.index_select(0, order.narrow(0, 0, std::min(m_budget, m_pool.size(0))));
}

torch::Tensor Trainer::glisterSubset(int round) {
    if (m_data.val.size(0) == 0)
        throw failure(QStringLiteral("glister needs validation items, and this snapshot has none"));
    // CORDS's selection pass sees one random augmentation of every training image.
    at::Generator augment = generatorFor(m_options.seed, kSelectionAugment, std::uint64_t(round));
    auto [trainLogits, trainEmbeddings] = frozenForward(m_pool, &augment);
    auto [valLogits, valEmbeddings] = frozenForward(m_data.val, nullptr);
    if (m_options.centeredEmbeddings) {
        const torch::Tensor mean = trainEmbeddings.mean(0, /*keepdim=*/true);
        trainEmbeddings = trainEmbeddings - mean;
        valEmbeddings = valEmbeddings - mean;
    }
    const torch::Tensor trainLabels = m_data.labels.index_select(0, m_pool);
    const torch::Tensor valLabels = m_data.labels.index_select(0, m_data.val);
    // Supervised and PerClass never form the weight gradients (glister::embeddingGreedy);
    // PerBatch averages them over its units.
    const bool formWeights =
        m_options.linearLayer && m_options.selectionType == SelectionType::PerBatch;
    torch::Tensor gradients =
        glister::lastLayerGradients(trainLogits, trainLabels, trainEmbeddings, formWeights);
    if (m_options.unitGradients) // g / |g|, and g e^T with it
        gradients =
            gradients /
            gradients.narrow(1, 0, m_data.classes).norm(2, 1, /*keepdim=*/true).clamp_min(1e-12);
    const auto select = [&](const torch::Tensor &rows, const torch::Tensor &valRows,
                            const glister::Options &o) {
        const torch::Tensor g = rows.defined() ? gradients.index_select(0, rows) : gradients;
        const torch::Tensor vl = valRows.defined() ? valLogits.index_select(0, valRows) : valLogits;
        const torch::Tensor ve =
            valRows.defined() ? valEmbeddings.index_select(0, valRows) : valEmbeddings;
        const torch::Tensor vy = valRows.defined() ? valLabels.index_select(0, valRows) : valLabels;
        if (!m_options.linearLayer)
            return glister::greedy(g, vl, ve, vy, o);
        const torch::Tensor e =
            rows.defined() ? trainEmbeddings.index_select(0, rows) : trainEmbeddings;
        return glister::embeddingGreedy(g, e, vl, ve, vy, o);
    };

    glister::Options options;
    options.eta = m_options.learningRate;
    options.greedy = m_options.greedy == GreedyKind::Naive ? glister::Greedy::Naive
                                                           : glister::Greedy::Stochastic;
    options.linearLayer = m_options.linearLayer;
    options.meanStep = m_options.meanStep;
    options.epsilon = m_options.epsilon;
    options.seed = generatorFor(m_options.seed, kGreedy, std::uint64_t(round)).current_seed();

    std::vector<std::int64_t> chosen; // positions in m_pool
    switch (m_options.selectionType) {
    case SelectionType::Supervised: {
        options.budget = m_budget;
        chosen = select({}, {}, options).indices;
        break;
    }
    case SelectionType::PerClass: {
        std::vector<std::int64_t> counts;
        for (std::int64_t c = 0; c < m_data.classes; ++c)
            counts.push_back(trainLabels.eq(c).sum().item<std::int64_t>());
        const std::vector<std::int64_t> budgets = glister::perClassBudgets(counts, m_budget);
        for (std::int64_t c = 0; c < m_data.classes; ++c) {
            const torch::Tensor members = trainLabels.eq(c).nonzero().flatten();
            const torch::Tensor valMembers = valLabels.eq(c).nonzero().flatten();
            if (budgets[size_t(c)] == 0 || members.size(0) == 0)
                continue;
            options.budget = std::min(budgets[size_t(c)], members.size(0));
            if (valMembers.size(0) == 0) { // nothing to aim at: a seeded random share
                at::Generator generator =
                    generatorFor(m_options.seed, kSubset, std::uint64_t(round) * 1000 + c);
                const torch::Tensor order =
                    torch::randperm(members.size(0), generator, torch::kLong);
                for (std::int64_t i = 0; i < options.budget; ++i)
                    chosen.push_back(members[order[i].item<std::int64_t>()].item<std::int64_t>());
                say(QStringLiteral("class %1 has no validation items: its share of the subset "
                                   "is drawn at random")
                        .arg(m_classNames.value(int(c))));
                continue;
            }
            const auto picked = select(members, valMembers, options);
            for (std::int64_t i : picked.indices)
                chosen.push_back(members[i].item<std::int64_t>());
        }
        break;
    }
    case SelectionType::PerBatch: {
        // Units are mini-batches of a sequential loader over the training items; a unit's
        // gradient is its members' mean. CORDS's loader walks a data set whose order is already
        // mixed. Ours would walk import order, one class folder after another, and units of a
        // single class make a subset of a few classes, so the units are cut from a permutation
        // drawn once per run.
        const std::int64_t size = m_options.batchSize, n = gradients.size(0);
        at::Generator generator = generatorFor(m_options.seed, kBatchUnits, 0);
        const torch::Tensor order = torch::randperm(n, generator, torch::kLong);
        const auto position = order.accessor<std::int64_t, 1>();
        std::vector<torch::Tensor> means;
        for (std::int64_t start = 0; start < n; start += size)
            means.push_back(
                gradients.index_select(0, order.narrow(0, start, std::min(size, n - start)))
                    .mean(0));
        options.budget =
            std::min<std::int64_t>((m_budget + size - 1) / size, std::int64_t(means.size()));
        const auto picked =
            glister::greedy(torch::stack(means), valLogits, valEmbeddings, valLabels, options);
        for (std::int64_t unit : picked.indices)
            for (std::int64_t i = unit * size; i < std::min(n, (unit + 1) * size); ++i)
                chosen.push_back(position[i]);
        break;
    }
    }
    return m_pool.index_select(0, torch::tensor(chosen, torch::kLong));
}

void Trainer::storeSelection(int round, int epoch, const torch::Tensor &subset) {
    SelectionRound selection;
    selection.round = round;
    selection.epoch = epoch;
    const auto rows = subset.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < subset.size(0); ++i)
        selection.itemIds.push_back(m_itemIds[size_t(rows[i])]);
    selection.weights.assign(selection.itemIds.size(), 1.0f);
    check(recordSelection(m_project, m_runId, selection));
}

void Trainer::saveCheckpoint(int completedEpochs) {
    torch::serialize::OutputArchive archive, model, optimizer;
    m_model->save(model);
    m_optimizer->save(optimizer);
    archive.write("model", model);
    archive.write("optimizer", optimizer);
    archive.write("completed_epochs", torch::tensor(std::int64_t(completedEpochs)));
    archive.write("round", torch::tensor(std::int64_t(m_round)));
    archive.write("subset", m_subset.defined() ? m_subset : torch::empty({0}, torch::kLong));
    archive.write("mean", m_data.mean); // the input normalisation, for using the model later
    archive.write("std", m_data.std);
    const QString path = checkpointPath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    const std::string temporary = (path + QStringLiteral(".part")).toStdString();
    archive.save_to(temporary);
    std::filesystem::rename(temporary,
                            path.toStdString()); // atomic: a kill leaves the old or the new
    check(setCompletedEpochs(m_project, m_runId, completedEpochs));
}

int Trainer::loadCheckpoint() {
    const QString path = checkpointPath();
    if (!QFile::exists(path))
        return 0;
    torch::serialize::InputArchive archive, model, optimizer;
    archive.load_from(path.toStdString());
    archive.read("model", model);
    archive.read("optimizer", optimizer);
    m_model->load(model);
    m_optimizer->load(optimizer);
    torch::Tensor completed, round, subset;
    archive.read("completed_epochs", completed);
    archive.read("round", round);
    archive.read("subset", subset);
    m_round = int(round.item<std::int64_t>());
    m_subset = subset.numel() > 0 ? subset : torch::Tensor();
    return int(completed.item<std::int64_t>());
}

int Trainer::setUpDevice() {
    const int threads = m_options.threads > 0 ? m_options.threads : QThread::idealThreadCount();
    torch::set_num_threads(threads);
    if (torch::cuda::is_available())
        m_device = torch::Device(torch::kCUDA);
    if (m_options.bfloat16)
        at::autocast::set_autocast_cpu_dtype(at::kBFloat16);
    return threads;
}

void Trainer::loadData(const LabelSnapshot &snapshot) {
    const auto cache = ensureTensorCache(m_project, snapshot, m_events.progress, m_events.cancel);
    if (!cache)
        throw failure(cache.error().message);
    openDataset(m_data, *cache, snapshot);
    for (const SnapshotItem &item : snapshot.items)
        m_itemIds.push_back(item.itemId);
    m_classNames = snapshot.classNames;
    const std::int64_t n = m_data.train.size(0);
    m_budget = m_options.strategy == Strategy::Full
                   ? n
                   : std::max<std::int64_t>(1, std::int64_t(double(n) * m_options.fraction));
    m_pool = m_data.train;
    if (m_options.leaveOutDoubtful > 0 && m_options.strategy != Strategy::Full)
        leaveOutDoubtful();
}

void Trainer::leaveOutDoubtful() {
    const auto doubtful = doubtfulItems(m_project, m_options.leaveOutDoubtful);
    if (!doubtful)
        throw failure(doubtful.error().message);
    std::vector<std::int64_t> kept;
    const auto rows = m_data.train.accessor<std::int64_t, 1>();
    for (std::int64_t i = 0; i < m_data.train.size(0); ++i)
        if (!doubtful->contains(m_itemIds[size_t(rows[i])]))
            kept.push_back(rows[i]);
    if (kept.size() < size_t(m_budget))
        throw failure(QStringLiteral("only %1 of %2 training items are left once doubtful labels "
                                     "are left out, fewer than the subset of %3: lower the "
                                     "fraction or --leave-out-doubtful")
                          .arg(kept.size())
                          .arg(m_data.train.size(0))
                          .arg(m_budget));
    m_pool = torch::tensor(kept, torch::kLong);
    say(QStringLiteral("subsets are drawn from %1 of %2 training items: %3 with a label confidence "
                       "below %4 or flagged as likely label errors are left out")
            .arg(kept.size())
            .arg(m_data.train.size(0))
            .arg(m_data.train.size(0) - std::int64_t(kept.size()))
            .arg(m_options.leaveOutDoubtful));
}

void Trainer::buildModel() {
    torch::manual_seed(m_options.seed); // the initial weights
    m_model = ResNet18(m_data.geometry.channels, m_data.classes, m_options.width);
    if (!m_options.initFrom.isEmpty() && !QFile::exists(checkpointPath())) {
        const InitWeights init = locateInitWeights(m_project, m_options.initFrom);
        const bool sameClasses = init.classNames.isEmpty() || init.classNames == m_classNames;
        const WeightTransfer transfer =
            transferWeights(m_model, readWeights(init.path), sameClasses);
        say(QStringLiteral("starting from %1: %2").arg(init.spec, transfer.summary()));
    }
    std::vector<torch::Tensor> head;
    for (auto &p : m_model->named_parameters())
        (p.key().rfind("fc.", 0) == 0 ? head : m_body).push_back(p.value());
    // LibTorch 1.13 crashes in the multi-threaded channels-last convolution backward pass when
    // layers have 8 channels; from width 16 on, channels-last is both safe and faster.
    m_channelsLast = m_options.channelsLast && m_options.width >= kChannelsLastMinWidth;
    if (m_channelsLast)
        for (torch::Tensor &p : m_model->parameters())
            if (p.dim() == 4)
                p.set_data(p.data().contiguous(torch::MemoryFormat::ChannelsLast));
    m_model->to(m_device);
    const auto sgd = torch::optim::SGDOptions(m_options.learningRate)
                         .momentum(m_options.momentum)
                         .weight_decay(m_options.weightDecay)
                         .nesterov(m_options.nesterov);
    // One group, as always, unless the body learns at its own rate (then body, head).
    if (m_options.bodyLrScale == 1)
        m_optimizer = std::make_unique<torch::optim::SGD>(m_model->parameters(), sgd);
    else
        m_optimizer = std::make_unique<torch::optim::SGD>(
            std::vector<torch::optim::OptimizerParamGroup>{{m_body}, {head}}, sgd);
}

void Trainer::announce(int threads, int start) const {
    if (m_events.started)
        m_events.started(m_runId, start);
    say(QStringLiteral("run %1: %2 train, %3 val, %4 test images of %5x%6x%7, %8 classes; %9 on "
                       "%10, %11 threads%12")
            .arg(m_runId)
            .arg(m_data.train.size(0))
            .arg(m_data.val.size(0))
            .arg(m_data.test.size(0))
            .arg(m_data.geometry.channels)
            .arg(m_data.geometry.height)
            .arg(m_data.geometry.width)
            .arg(m_data.classes)
            .arg(strategyName(m_options.strategy),
                 m_device.is_cuda() ? QStringLiteral("CUDA") : QStringLiteral("CPU"))
            .arg(threads)
            .arg(start > 0 ? QStringLiteral("; resuming after epoch %1").arg(start) : QString()));
}

void Trainer::chooseInitialSubset() {
    if (m_options.strategy != Strategy::Full && !m_subset.defined()) {
        m_subset = randomSubset(0); // CORDS's initial uniform random subset
        m_round = 0;
        storeSelection(0, 1, m_subset);
    }
}

Trainer::EpochPlan Trainer::planEpoch(int e) {
    EpochPlan plan;
    plan.metrics.epoch = e + 1;
    plan.metrics.learningRate =
        m_options.learningRate * (1 + std::cos(std::numbers::pi * e / m_options.epochs)) / 2;
    auto &groups = m_optimizer->param_groups();
    for (size_t g = 0; g < groups.size(); ++g)
        static_cast<torch::optim::SGDOptions &>(groups[g].options())
            .lr(plan.metrics.learningRate *
                (groups.size() > 1 && g == 0 ? m_options.bodyLrScale : 1.0));
    const bool frozen = e < m_options.freezeEpochs; // only the head learns
    for (torch::Tensor &p : m_body)
        p.requires_grad_(!frozen);
    // The warm start (kappa): full data first, then no training until the first selection.
    const int selectAfter = int(m_options.kappa * m_options.epochs);
    const int warmup = int(std::ceil(selectAfter * m_options.fraction));
    plan.full = m_options.strategy == Strategy::Full || (m_options.kappa > 0 && e < warmup);
    plan.skipped = !plan.full && m_options.kappa > 0 && e > warmup && e < selectAfter;
    plan.selects = !plan.full && !plan.skipped && e % m_options.selectEvery == 0 && e > 1;
    return plan;
}

void Trainer::selectSubset(int e, EpochMetrics &metrics) {
    QElapsedTimer timer;
    timer.start();
    ++m_round;
    m_subset =
        m_options.strategy == Strategy::Glister ? glisterSubset(m_round) : randomSubset(m_round);
    metrics.selectionSeconds = double(timer.nsecsElapsed()) / 1e9;
    storeSelection(m_round, e + 1, m_subset);
    say(QStringLiteral("epoch %1: selection round %2 chose %3 images in %4 s")
            .arg(e + 1)
            .arg(m_round)
            .arg(m_subset.size(0))
            .arg(metrics.selectionSeconds, 0, 'f', 2));
}

bool Trainer::trainEpoch(int e, const torch::Tensor &rows, EpochMetrics &metrics) {
    at::Generator generator = generatorFor(m_options.seed, kShuffle, std::uint64_t(e));
    const torch::Tensor order =
        rows.index_select(0, torch::randperm(rows.size(0), generator, torch::kLong));
    const std::int64_t batches = (rows.size(0) + m_options.batchSize - 1) / m_options.batchSize;
    double lossSum = 0;
    std::int64_t correct = 0;
    m_model->train();
    for (std::int64_t b = 0; b < batches; ++b) {
        if (cancelled())
            return false;
        const torch::Tensor part = order.narrow(
            0, b * m_options.batchSize,
            std::min<std::int64_t>(m_options.batchSize, rows.size(0) - b * m_options.batchSize));
        const torch::Tensor x = batch(part, &generator);
        const torch::Tensor y = m_data.labels.index_select(0, part).to(m_device);
        m_optimizer->zero_grad();
        torch::Tensor logits;
        {
            const Autocast autocast(m_options.bfloat16);
            logits = m_model->forward(x).to(torch::kFloat);
        }
        const torch::Tensor loss = torch::nn::functional::cross_entropy(logits, y);
        loss.backward();
        m_optimizer->step();
        lossSum += loss.item<double>() * double(part.size(0));
        correct += logits.detach().argmax(1).eq(y).sum().item<std::int64_t>();
        if (m_events.progress)
            m_events.progress(b + 1, batches,
                              QStringLiteral("epoch %1 of %2").arg(e + 1).arg(m_options.epochs));
    }
    if (rows.size(0) > 0) {
        metrics.trainLoss = lossSum / double(rows.size(0));
        metrics.trainAccuracy = double(correct) / double(rows.size(0));
    }
    return true;
}

void Trainer::evaluateEpoch(int e, EpochMetrics &metrics) {
    if (m_data.val.size(0) > 0)
        std::tie(metrics.valLoss, metrics.valAccuracy) = evaluate(m_data.val);
    if (m_data.test.size(0) > 0 &&
        ((e + 1) % m_options.testEvery == 0 || e + 1 == m_options.epochs))
        metrics.testAccuracy = evaluate(m_data.test).second;
}

void Trainer::finishEpoch(int e, const EpochMetrics &metrics) {
    check(recordEpoch(m_project, m_runId, metrics));
    saveCheckpoint(e + 1);
    if (m_events.epochDone)
        m_events.epochDone(metrics);
}

double Trainer::cpuSecondsSinceMark() {
    const double now = processCpuSeconds();
    const double spent = now - m_cpuMark;
    m_cpuMark = now;
    return spent;
}

bool Trainer::run(const LabelSnapshot &snapshot) {
    m_cpuMark = processCpuSeconds(); // decoding the images counts towards the first epoch
    const int threads = setUpDevice();
    loadData(snapshot);
    buildModel();
    const int start = loadCheckpoint();
    announce(threads, start);
    chooseInitialSubset();
    for (int e = start; e < m_options.epochs; ++e) {
        EpochPlan plan = planEpoch(e);
        QElapsedTimer epochTimer;
        epochTimer.start();
        if (plan.selects)
            selectSubset(e, plan.metrics);
        const torch::Tensor rows = plan.skipped ? torch::empty({0}, torch::kLong)
                                   : plan.full  ? m_data.train
                                                : m_subset;
        plan.metrics.subsetSize = rows.size(0);
        if (!trainEpoch(e, rows, plan.metrics))
            return false;
        plan.metrics.epochSeconds = double(epochTimer.nsecsElapsed()) / 1e9;
        if (!plan.skipped)
            evaluateEpoch(e, plan.metrics);
        plan.metrics.cpuSeconds = cpuSecondsSinceMark();
        finishEpoch(e, plan.metrics);
    }
    return true;
}

// Cross-validation: train and val items dealt to stratified group folds (seeded by the run's
// seed); the run's fold is val, the others train. Test stays test.
void assignFold(Project &project, LabelSnapshot &snapshot, const TrainOptions &options) {
    const auto folds = groupKFold(project, options.cvFolds, unsigned(options.seed), 10);
    if (!folds)
        throw failure(folds.error().message);
    for (SnapshotItem &item : snapshot.items)
        if (item.split != Split::Test)
            item.split = folds->value(item.itemId, 0) == options.cvFold ? Split::Val : Split::Train;
    snapshot.valFromTrain = false;
    rehashSnapshot(snapshot);
    if (snapshot.count(Split::Train) == 0 || snapshot.count(Split::Val) == 0)
        throw failure(QStringLiteral("fold %1 of %2 leaves no training or no validation items")
                          .arg(options.cvFold)
                          .arg(options.cvFolds));
}

// Items in clusters that span train and val/test and are still in the data: a warning stored
// with the run when allowed, else the reason it does not start.
Result<QString> leakCheck(Project &project, bool allowed) {
    const auto counted = unresolvedLeaks(project);
    if (!counted)
        return counted.error();
    if (*counted == 0)
        return QString();
    const QString what = QStringLiteral("%1 items are in duplicate clusters that span train and "
                                        "val/test (unresolved leaks)")
                             .arg(*counted);
    if (!allowed)
        return Error{what + QStringLiteral(": exclude or move the copies in the Curate tab, or "
                                           "train anyway with --allow-leaks")};
    return what + QStringLiteral(", allowed: validation and test accuracy may be optimistic");
}

Result<RunOutcome> execute(Project &project, qint64 runId, const TrainOptions &options,
                           const LabelSnapshot &snapshot, const TrainEvents &events) {
    auto outcome = attempt([&] {
        Trainer trainer(project, runId, options, events);
        return RunOutcome{runId, !trainer.run(snapshot)};
    });
    if (!outcome) {
        const Result<void> marked =
            setRunStatus(project, runId, RunStatus::Failed, outcome.error().message);
        return Error{QStringLiteral("run %1 failed: %2%3")
                         .arg(runId)
                         .arg(outcome.error().message,
                              marked ? QString()
                                     : QStringLiteral(" (and: %1)").arg(marked.error().message))};
    }
    const Result<void> marked = setRunStatus(
        project, runId, outcome->cancelled ? RunStatus::Cancelled : RunStatus::Finished);
    if (!marked)
        return marked.error();
    return outcome;
}

} // namespace

Result<RunOutcome> trainNewRun(Project &project, const TrainOptions &options,
                               const TrainEvents &events) {
    if (const Result<void> valid = options.validate(); !valid)
        return valid.error();
    const auto source = fixedLabelSource(project, options.labels);
    if (!source)
        return Error{QStringLiteral("cannot train: %1").arg(source.error().message)};
    TrainOptions fixed = options; // the run records what `current` meant when it started
    fixed.labels = source->spec();
    if (!options.initFrom.isEmpty()) {
        const auto init = attempt([&] { return locateInitWeights(project, options.initFrom); });
        if (!init)
            return Error{QStringLiteral("cannot train: %1").arg(init.error().message)};
        fixed.initFrom = init->spec;
    }
    auto snapshot =
        takeLabelSnapshot(project, options.cvFolds > 1 ? 0.0 : 0.1, options.seed, *source);
    if (!snapshot)
        return Error{QStringLiteral("cannot train: %1").arg(snapshot.error().message)};
    if (options.cvFolds > 1)
        if (const auto dealt = attempt([&] { assignFold(project, *snapshot, options); }); !dealt)
            return Error{QStringLiteral("cannot train: %1").arg(dealt.error().message)};
    const auto warning = leakCheck(project, options.allowLeaks);
    if (!warning)
        return Error{QStringLiteral("cannot train: %1").arg(warning.error().message)};
    if (!warning->isEmpty() && events.message)
        events.message(QStringLiteral("warning: %1").arg(*warning));
    const auto runId = createRun(project, fixed, *snapshot, *warning);
    if (!runId)
        return runId.error();
    return execute(project, *runId, fixed, *snapshot, events);
}

Result<RunOutcome> resumeRun(Project &project, qint64 runId, const TrainEvents &events,
                             int threads) {
    auto run = findRun(project, runId);
    if (!run)
        return run.error();
    if (run->status == RunStatus::Finished)
        return Error{QStringLiteral("run %1 has already finished").arg(runId)};
    const auto snapshot = runSnapshot(project, runId);
    if (!snapshot)
        return snapshot.error();
    if (threads > 0)
        run->options.threads = threads;
    if (const Result<void> marked = setRunStatus(project, runId, RunStatus::Running); !marked)
        return marked.error();
    return execute(project, runId, run->options, *snapshot, events);
}

namespace {

// Every tensor in an archive and its nested archives (a module saves one per submodule).
void collectWeights(torch::serialize::InputArchive &archive, std::vector<float> &weights) {
    for (const std::string &key : archive.keys()) {
        torch::Tensor value;
        torch::serialize::InputArchive nested;
        if (archive.try_read(key, value)) {
            const torch::Tensor flat = value.to(torch::kFloat).contiguous().flatten();
            weights.insert(weights.end(), flat.data_ptr<float>(),
                           flat.data_ptr<float>() + flat.numel());
        } else if (archive.try_read(key, nested)) {
            collectWeights(nested, weights);
        }
    }
}

} // namespace

Result<std::vector<float>> checkpointWeights(Project &project, qint64 runId) {
    return attempt([&] {
        torch::serialize::InputArchive archive, model;
        archive.load_from(QDir(runDirectory(project, runId))
                              .filePath(QStringLiteral("checkpoint.pt"))
                              .toStdString());
        archive.read("model", model);
        std::vector<float> weights;
        collectWeights(model, weights);
        return weights;
    });
}

} // namespace winnow::core

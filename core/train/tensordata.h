#pragma once

// What the LibTorch translation units of core/train share: the snapshot's images as tensors,
// augmentation, seeded random streams and the autocast guard. A private header: nothing outside
// core/train includes it, so LibTorch stays out of every other translation unit.

#include "core/train/resnet.h"
#include "core/train/runs.h"
#include "core/train/trainingset.h"

#include <ATen/autocast_mode.h>
#include <QFile>
#include <QString>
#include <cstdint>
#include <stdexcept>
#include <torch/torch.h>

namespace winnow::core {

constexpr std::int64_t kEvalBatch = 256;
constexpr int kPad = 4;
// LibTorch 1.13 crashes in the multi-threaded channels-last convolution backward at width 8.
constexpr int kChannelsLastMinWidth = 16;

inline std::runtime_error failure(const QString &message) {
    return std::runtime_error(message.toStdString());
}

// Independent random streams per (seed, purpose, index): an epoch's shuffling and augmentation
// depend on nothing but the seed and the epoch, so a resumed run repeats them exactly.
at::Generator generatorFor(std::uint64_t seed, std::uint64_t purpose, std::uint64_t index);

// bfloat16 autocast for one forward pass. Autocast caches the low-precision copies of the
// weights until its cache is cleared, so leaving the region must clear it, or later steps would
// compute with stale weights.
class Autocast {
public:
    explicit Autocast(bool enabled)
        : m_enabled(enabled) {
        if (m_enabled)
            at::autocast::set_cpu_enabled(true);
    }
    ~Autocast() {
        if (m_enabled) {
            at::autocast::set_cpu_enabled(false);
            at::autocast::clear_cache();
        }
    }
    Autocast(const Autocast &) = delete;
    Autocast &operator=(const Autocast &) = delete;

private:
    bool m_enabled;
};

enum Purpose : std::uint64_t {
    kShuffle = 1,
    kSubset = 2,
    kGreedy = 3,
    kSelectionAugment = 4,
    kBatchUnits = 5,
};

// The decoded images (memory-mapped), labels and split rows of one snapshot.
struct Dataset {
    QFile file;
    torch::Tensor images;           // uint8 [N, C, H, W], a view of the mapped file
    torch::Tensor labels;           // int64 [N]
    torch::Tensor train, val, test; // int64 row indices
    torch::Tensor mean, std;        // float [1, C, 1, 1]
    std::int64_t classes = 0;
    ImageGeometry geometry;
};

// The cache's pixels as a uint8 [N, C, H, W] tensor over the memory-mapped file, which `file`
// keeps open (and mapped) as long as the tensor is used.
torch::Tensor mapImages(QFile &file, const TensorCache &cache);
// Maps the snapshot's cache and splits its rows; the normalisation from the train rows.
void openDataset(Dataset &data, const TensorCache &cache, const LabelSnapshot &snapshot);
// Random crop with zero padding and horizontal flip, on a float batch in [0, 1].
torch::Tensor augmentBatch(const torch::Tensor &x, at::Generator &generator);

// A run's network from its last checkpoint, in eval mode, with the input normalisation it
// trained with; the thread count set as the run had it.
struct RunModel {
    ResNet18 model{nullptr};
    torch::Tensor mean, std; // float [1, C, 1, 1]
    std::int64_t channels = 0;
};
RunModel loadRunModel(Project &project, const RunRecord &run);

// Every item of the project, in id order, decoded through the image cache (one class, all
// train): what a model looks at when it embeds or predicts the whole project.
struct ProjectImages {
    LabelSnapshot snapshot;
    TensorCache cache;
};
ProjectImages cacheEveryItem(Project &project, const ProgressFn &progress,
                             const CancelToken *cancel);

} // namespace winnow::core

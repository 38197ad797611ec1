#pragma once

// What a training run learns from: the label snapshot (one class per item, with its split) and
// the images decoded once into a uint8 cache file inside the project.

#include "core/label/labelsource.h"
#include "core/store/project.h"
#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <vector>

namespace winnow::core {

struct SnapshotItem {
    qint64 itemId = 0;
    int label = 0; // index into LabelSnapshot::classIds
    Split split = Split::Train;
};

struct LabelSnapshot {
    std::vector<qint64> classIds; // label index -> class id
    QStringList classNames;
    std::vector<SnapshotItem> items; // in item id order; the row order of the tensor cache
    QString hash;                    // SHA-256 (hex) of every (item, class, split)
    qint64 excluded = 0;             // labelled items left out because they are excluded
    qint64 unlabelled = 0;           // items without any label
    bool valFromTrain = false;       // the project has no val split: 10 % of train became val

    qint64 count(Split split) const;
};

// The snapshot of the labels `source` gives (by default the current ones: review > consolidation
// > most frequent answer), without excluded items; unassigned items count as train. Without a
// val split, `valFraction` of train (stratified by class, seeded) becomes val. Fails when no
// class has training items.
Result<LabelSnapshot> takeLabelSnapshot(Project &project, double valFraction = 0.1,
                                        std::uint64_t seed = 42, const LabelSource &source = {});

// Recomputes `hash` after the items or their splits changed.
void rehashSnapshot(LabelSnapshot &snapshot);

// The snapshot a stored run trained on.
Result<LabelSnapshot> runSnapshot(Project &project, qint64 runId);

struct ImageGeometry {
    int channels = 0;
    int height = 0;
    int width = 0;
    qint64 bytesPerImage() const { return qint64(channels) * height * width; }
};

// Every snapshot item decoded into one file of rows x channels x height x width bytes (after a
// small header). Images are resized to the most common size and converted to grey or RGB
// (RGB when any item has colour). The file is named after the items and geometry, so a label
// change reuses it and a change of items builds a new one; only the newest few are kept.
struct TensorCache {
    QString path;
    ImageGeometry geometry;
    qint64 rows = 0;
    qint64 dataOffset = 0; // where the pixels start in the file
};

Result<TensorCache> ensureTensorCache(Project &project, const LabelSnapshot &snapshot,
                                      const ProgressFn &progress = {},
                                      const CancelToken *cancel = nullptr);

} // namespace winnow::core

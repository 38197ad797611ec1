#pragma once

// A trained model taken out of the project, and brought back to label images: a TorchScript
// module that Python loads with torch.jit.load and winnow-cli predict runs. Free of LibTorch.
//
// The module's forward(x) takes a float batch [N, C, H, W] normalised as (pixels / 255 - mean) /
// std and returns logits; it also holds `class_names` (the logits' order), the `mean` and `std`
// buffers [1, C, 1, 1], `input_size` [H, W] (what it trained at; any size runs) and a method
// `normalize(x)` for batches in [0, 1].

#include "core/util/progress.h"
#include "core/util/result.h"

#include <QSet>
#include <QString>
#include <QStringList>
#include <vector>

namespace winnow::core {

class Project;

struct ExportedModel {
    QStringList classNames;
    int channels = 0, height = 0, width = 0;
};

// Writes run `runId`'s last checkpoint as a TorchScript module at `path` (atomically).
Result<ExportedModel> exportModel(Project &project, qint64 runId, const QString &path,
                                  const ProgressFn &progress = {},
                                  const CancelToken *cancel = nullptr);

struct Prediction {
    qint64 itemId = 0;
    QString path;
    QString className;
    double confidence = 0;            // the softmax probability of that class
    int classIndex = 0;               // of className in the model's class order
    std::vector<float> probabilities; // per class, in the model's class order
};

// Run `runId`'s last checkpoint on every item of the project (or those in `only`, when given),
// in item order.
Result<std::vector<Prediction>> predictWithRun(Project &project, qint64 runId,
                                               const ProgressFn &progress = {},
                                               const CancelToken *cancel = nullptr,
                                               const QSet<qint64> *only = nullptr);
// The exported model at `modelPath` run on every item of the project, in item order.
Result<std::vector<Prediction>> predictWithModel(Project &project, const QString &modelPath,
                                                 const ProgressFn &progress = {},
                                                 const CancelToken *cancel = nullptr);

} // namespace winnow::core

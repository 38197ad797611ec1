#pragma once

// Starting a network from weights other than random ones: a run's checkpoint (this project or
// another), a LibTorch archive or TorchScript module written by Winnow, or a state dict of
// torchvision's resnet18 saved from Python as a plain dict. A private header of core: it
// exposes LibTorch types.

#include "core/train/resnet.h"

#include <QString>
#include <QStringList>
#include <map>
#include <string>

namespace winnow::core {

class Project;

// Where a run's starting weights are, and the classes they were trained on when known.
struct InitWeights {
    QString path;
    QStringList classNames; // empty for a weights file
    QString spec;           // as the run records it, with absolute paths
};

// Finds what `--init-from SPEC` names: a run of `project` (RUN), a run of another project
// (DIR:RUN, a folder or a server address) or a weights file. Throws with the spec and what is
// wrong (no such run, a run without a checkpoint, no such file).
InitWeights locateInitWeights(Project &project, const QString &spec);

using NamedTensors = std::map<std::string, torch::Tensor>;

// Every tensor of the weights file at `path`, named as in this network ("layers.3.conv1.weight";
// torchvision's "layer2.1.conv1.weight" and "downsample" are renamed). Throws with the file's
// name and what it holds when it is none of the formats above.
NamedTensors readWeights(const QString &path);

struct WeightTransfer {
    int copied = 0;       // tensors taken as they are
    int adapted = 0;      // taken after fitting: the stem's kernel or colour channels
    QStringList replaced; // left as initialised: the head when the classes differ
    QString summary() const;
};

// Copies `weights` into `model` wherever names and shapes match or can be fitted (a 7x7 stem
// kernel is cropped to its centre 3x3; RGB stem weights are summed for grey input, grey ones
// spread over RGB). The head is kept as initialised when its shape differs or `keepHead` is false
// (other classes of the same count). Throws when the network body takes less than half of its
// tensors from them (another width, another architecture).
WeightTransfer transferWeights(ResNet18 &model, const NamedTensors &weights, bool keepHead = true);

} // namespace winnow::core

#include "core/train/modelexport.h"

#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/train/tensordata.h"

#include <QFile>
#include <QFileInfo>
#include <QSaveFile>
#include <functional>
#include <sstream>
#include <torch/script.h>

namespace winnow::core {
namespace {

using torch::jit::Module;

// Builds the TorchScript twin of ResNet18 out of plain modules whose attributes are the trained
// tensors, with forward methods written in TorchScript. Submodules are named block0..7 and
// shortcut0/1 (TorchScript cannot address "layers.0"); readWeights maps the names back.
class ScriptBuilder {
public:
    ScriptBuilder()
        : m_unit(std::make_shared<torch::jit::CompilationUnit>()) {}

    Module build(ResNet18 &model, const torch::Tensor &mean, const torch::Tensor &std,
                 const QStringList &classNames, int height, int width) {
        const auto params = model->named_parameters();
        const auto buffers = model->named_buffers();
        const auto tensor = [&](const std::string &name) {
            if (const torch::Tensor *p = params.find(name))
                return p->detach().contiguous().clone();
            return buffers[name].detach().contiguous().clone();
        };
        Module top = make("ResNet18");
        addConv(top, "conv1", tensor("conv1.weight"));
        addNorm(top, "bn1", "bn1", tensor);
        std::string body = "    y = torch.relu(" + norm("bn1", conv("x", "conv1", 1, 1)) + ")\n";
        for (int b = 0; b < 8; ++b) {
            const std::string prefix = "layers." + std::to_string(b) + ".";
            const std::string name = "block" + std::to_string(b);
            const torch::Tensor conv1 = tensor(prefix + "conv1.weight");
            const bool hasShortcut = params.find(prefix + "shortcut.0.weight") != nullptr;
            const int stride = b >= 2 && b % 2 == 0 ? 2 : 1;
            Module block = make(name);
            addConv(block, "conv1", conv1);
            addNorm(block, "bn1", prefix + "bn1", tensor);
            addConv(block, "conv2", tensor(prefix + "conv2.weight"));
            addNorm(block, "bn2", prefix + "bn2", tensor);
            std::string source = "def forward(self, x: Tensor) -> Tensor:\n"
                                 "    y = torch.relu(" +
                                 norm("bn1", conv("x", "conv1", stride, 1)) + ")\n" +
                                 "    y = " + norm("bn2", conv("y", "conv2", 1, 1)) + "\n";
            if (hasShortcut) {
                addConv(block, "shortcut0", tensor(prefix + "shortcut.0.weight"));
                addNorm(block, "shortcut1", prefix + "shortcut.1", tensor);
                source += "    s = " + norm("shortcut1", conv("x", "shortcut0", stride, 0)) + "\n";
            } else {
                source += "    s = x\n";
            }
            source += "    return torch.relu(y + s)\n";
            block.define(source);
            top.register_module(name, block);
            body += "    y = self." + name + ".forward(y)\n";
        }
        Module fc = make("Linear");
        fc.register_parameter("weight", tensor("fc.weight"), false);
        fc.register_parameter("bias", tensor("fc.bias"), false);
        top.register_module("fc", fc);
        top.register_buffer("mean", mean.detach().contiguous().clone());
        top.register_buffer("std", std.detach().contiguous().clone());
        c10::List<std::string> names;
        for (const QString &name : classNames)
            names.push_back(name.toStdString());
        top.register_attribute("class_names", c10::ListType::ofStrings(), names);
        top.register_attribute("input_size", c10::ListType::ofInts(),
                               c10::List<std::int64_t>({height, width}));
        top.define("def forward(self, x: Tensor) -> Tensor:\n" + body +
                   "    y = torch.flatten(torch.adaptive_avg_pool2d(y, [1, 1]), 1)\n"
                   "    return torch.addmm(self.fc.bias, y, self.fc.weight.t())\n"
                   "def normalize(self, x: Tensor) -> Tensor:\n"
                   "    return (x - self.mean) / self.std\n");
        return top;
    }

private:
    Module make(const std::string &name) {
        return Module(c10::QualifiedName("__torch__.winnow." + name), m_unit, true);
    }
    void addConv(Module &parent, const std::string &name, const torch::Tensor &weight) {
        Module conv = make("Conv2d");
        conv.register_parameter("weight", weight, false);
        parent.register_module(name, conv);
    }
    template <typename Tensors>
    void addNorm(Module &parent, const std::string &name, const std::string &from,
                 const Tensors &tensor) {
        Module bn = make("BatchNorm2d");
        bn.register_parameter("weight", tensor(from + ".weight"), false);
        bn.register_parameter("bias", tensor(from + ".bias"), false);
        bn.register_buffer("running_mean", tensor(from + ".running_mean"));
        bn.register_buffer("running_var", tensor(from + ".running_var"));
        parent.register_module(name, bn);
    }
    static std::string conv(const std::string &x, const std::string &name, int stride,
                            int padding) {
        const std::string s = std::to_string(stride), p = std::to_string(padding);
        return "torch.conv2d(" + x + ", self." + name + ".weight, None, [" + s + ", " + s + "], [" +
               p + ", " + p + "])";
    }
    static std::string norm(const std::string &name, const std::string &x) {
        const std::string m = "self." + name;
        return "torch.batch_norm(" + x + ", " + m + ".weight, " + m + ".bias, " + m +
               ".running_mean, " + m + ".running_var, False, 0.1, 1e-05, False)";
    }

    std::shared_ptr<torch::jit::CompilationUnit> m_unit;
};

// `forward` (normalised batch -> logits) on every item of the project (or those in `only`), in
// item order.
std::vector<Prediction> predictEveryItem(
    Project &project, const QStringList &classNames, const torch::Tensor &mean,
    const torch::Tensor &std, const std::function<torch::Tensor(const torch::Tensor &)> &forward,
    const ProgressFn &progress, const CancelToken *cancel, const QSet<qint64> *only = nullptr) {
    const auto [all, cache] = cacheEveryItem(project, progress, cancel);
    if (cache.geometry.channels != mean.size(1))
        throw failure(QStringLiteral("the model takes %1-channel images, the project's images "
                                     "have %2")
                          .arg(mean.size(1))
                          .arg(cache.geometry.channels));
    QFile file;
    const torch::Tensor images = mapImages(file, cache);
    QHash<qint64, QString> paths;
    for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
        paths.insert(item.id, item.path);
    std::vector<std::int64_t> wanted;
    for (size_t row = 0; row < all.items.size(); ++row)
        if (!only || only->contains(all.items[row].itemId))
            wanted.push_back(std::int64_t(row));
    const torch::Tensor rowIndex = torch::tensor(wanted, torch::kLong);
    const auto total = std::int64_t(wanted.size());
    torch::NoGradGuard noGrad;
    std::vector<Prediction> predictions;
    predictions.reserve(wanted.size());
    for (std::int64_t start = 0; start < total; start += kEvalBatch) {
        if (cancel && cancel->isCancelled())
            throw failure(QStringLiteral("cancelled"));
        const std::int64_t rows = std::min<std::int64_t>(kEvalBatch, total - start);
        const torch::Tensor x =
            (images.index_select(0, rowIndex.narrow(0, start, rows)).to(torch::kFloat).div(255) -
             mean) /
            std;
        const torch::Tensor probabilities =
            torch::softmax(forward(x).to(torch::kFloat), 1).contiguous();
        const auto [best, index] = probabilities.max(1);
        const std::int64_t classes = probabilities.size(1);
        const float *p = probabilities.data_ptr<float>();
        for (std::int64_t r = 0; r < rows; ++r) {
            const qint64 itemId = all.items[size_t(wanted[size_t(start + r)])].itemId;
            const int cls = int(index[r].item<std::int64_t>());
            predictions.push_back({itemId, paths.value(itemId), classNames.value(cls),
                                   best[r].item<double>(), cls,
                                   std::vector<float>(p + r * classes, p + (r + 1) * classes)});
        }
        if (progress)
            progress(start + rows, total, QStringLiteral("predicting"));
    }
    return predictions;
}

// A run's model from its last checkpoint, and the snapshot (classes, items) it trained on.
struct TrainedRun {
    RunModel model;
    LabelSnapshot snapshot;
};

TrainedRun loadTrainedRun(Project &project, qint64 runId) {
    const auto run = findRun(project, runId);
    if (!run)
        throw failure(run.error().message);
    RunModel model = loadRunModel(project, *run);
    auto snapshot = runSnapshot(project, runId);
    if (!snapshot)
        throw failure(snapshot.error().message);
    return {std::move(model), std::move(snapshot).value()};
}

} // namespace

Result<ExportedModel> exportModel(Project &project, qint64 runId, const QString &path,
                                  const ProgressFn &progress, const CancelToken *cancel) {
    return attempt([&] {
        auto [loaded, snapshot] = loadTrainedRun(project, runId);
        const auto cache = ensureTensorCache(project, snapshot, progress, cancel);
        if (!cache)
            throw failure(cache.error().message);
        ExportedModel exported{snapshot.classNames, int(loaded.channels), cache->geometry.height,
                               cache->geometry.width};
        Module module = ScriptBuilder().build(loaded.model, loaded.mean, loaded.std,
                                              exported.classNames, exported.height, exported.width);
        QSaveFile out(path);
        if (!out.open(QIODevice::WriteOnly))
            throw failure(QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
        std::ostringstream bytes;
        module.save(bytes);
        const std::string data = bytes.str();
        out.write(data.data(), qint64(data.size()));
        if (!out.commit())
            throw failure(QStringLiteral("%1: cannot write: %2").arg(path, out.errorString()));
        return exported;
    });
}

Result<std::vector<Prediction>> predictWithModel(Project &project, const QString &modelPath,
                                                 const ProgressFn &progress,
                                                 const CancelToken *cancel) {
    return attempt([&] {
        if (!QFileInfo(modelPath).isFile())
            throw failure(QStringLiteral("%1: no such model file").arg(modelPath));
        Module module;
        try {
            module = torch::jit::load(modelPath.toStdString());
        } catch (const c10::Error &) {
            throw failure(QStringLiteral("%1: not a TorchScript module").arg(modelPath));
        }
        if (!module.hasattr("class_names") || !module.hasattr("mean"))
            throw failure(QStringLiteral("%1: not a model exported by winnow-cli export-model "
                                         "(it has no class_names or mean)")
                              .arg(modelPath));
        module.eval();
        QStringList classNames;
        for (const auto &name : module.attr("class_names").toListRef())
            classNames << QString::fromStdString(name.toStringRef());
        const torch::Tensor mean = module.attr("mean").toTensor();
        const torch::Tensor std = module.attr("std").toTensor();

        return predictEveryItem(
            project, classNames, mean, std,
            [&](const torch::Tensor &x) { return module.forward({x}).toTensor(); }, progress,
            cancel);
    });
}

Result<std::vector<Prediction>> predictWithRun(Project &project, qint64 runId,
                                               const ProgressFn &progress,
                                               const CancelToken *cancel,
                                               const QSet<qint64> *only) {
    return attempt([&] {
        TrainedRun trained = loadTrainedRun(project, runId);
        return predictEveryItem(
            project, trained.snapshot.classNames, trained.model.mean, trained.model.std,
            [&](const torch::Tensor &x) { return trained.model.model->forward(x); }, progress,
            cancel, only);
    });
}

} // namespace winnow::core

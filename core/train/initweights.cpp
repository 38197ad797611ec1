#include "core/train/initweights.h"

#include "core/store/database.h"
#include "core/store/project.h"
#include "core/train/runs.h"
#include "core/train/tensordata.h"
#include "core/train/trainingset.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>
#include <stdexcept>
#include <torch/script.h>

namespace winnow::core {
namespace {

[[noreturn]] void refuse(const QString &message) {
    throw std::runtime_error(message.toStdString());
}

// A module's archive holds its tensors by name and one nested archive per submodule.
void flatten(torch::serialize::InputArchive &archive, const std::string &prefix,
             NamedTensors &out) {
    for (const std::string &key : archive.keys()) {
        torch::Tensor value;
        torch::serialize::InputArchive nested;
        if (archive.try_read(key, value))
            out.emplace(prefix + key, value);
        else if (archive.try_read(key, nested))
            flatten(nested, prefix + key + ".", out);
    }
}

// Other spellings of this network's names -> its own. torchvision's resnet18: layerS.B ->
// layers.(2(S-1)+B), downsample -> shortcut. An exported TorchScript module (modelexport.cpp):
// blockB -> layers.B, shortcutK -> shortcut.K. Names already in this form pass unchanged.
std::string winnowName(const std::string &name) {
    static const QRegularExpression layer(QStringLiteral("^layer([1-4])\\.([01])\\.(.*)$"));
    static const QRegularExpression block(QStringLiteral("^block([0-7])\\.(.*)$"));
    static const QRegularExpression shortcut(QStringLiteral("\\.shortcut([01])\\."));
    QString text = QString::fromStdString(name);
    if (const auto match = layer.match(text); match.hasMatch()) {
        const int index = 2 * (match.captured(1).toInt() - 1) + match.captured(2).toInt();
        text = QStringLiteral("layers.%1.%2").arg(index).arg(match.captured(3));
        text.replace(QStringLiteral(".downsample."), QStringLiteral(".shortcut."));
    } else if (const auto script = block.match(text); script.hasMatch()) {
        text = QStringLiteral("layers.%1.%2").arg(script.captured(1), script.captured(2));
        text.replace(shortcut, QStringLiteral(".shortcut.\\1."));
    }
    return text.toStdString();
}

NamedTensors renamed(const NamedTensors &weights) {
    NamedTensors out;
    for (const auto &[name, tensor] : weights)
        out.emplace(winnowName(name), tensor);
    return out;
}

bool isZip(const QString &path) {
    QFile file(path);
    return file.open(QIODevice::ReadOnly) && file.read(2) == "PK";
}

// A run checkpoint ("model" inside) or a module archive written by torch::save.
bool tryArchive(const QString &path, NamedTensors &out) {
    try {
        torch::serialize::InputArchive archive, model;
        archive.load_from(path.toStdString());
        if (archive.try_read("model", model))
            flatten(model, {}, out);
        else
            flatten(archive, {}, out);
        return !out.empty();
    } catch (const c10::Error &) {
        return false;
    }
}

bool tryTorchScript(const QString &path, NamedTensors &out) {
    try {
        torch::jit::Module module = torch::jit::load(path.toStdString());
        for (const auto &p : module.named_parameters())
            out.emplace(p.name, p.value.detach());
        for (const auto &b : module.named_buffers())
            out.emplace(b.name, b.value.detach());
        return !out.empty();
    } catch (const c10::Error &) {
        return false;
    }
}

// torch.save(dict(model.state_dict()), path) from Python.
bool tryPickledDict(const QString &path, NamedTensors &out) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return false;
    const QByteArray bytes = file.readAll();
    try {
        const c10::IValue value = torch::pickle_load(std::vector<char>(bytes.begin(), bytes.end()));
        if (!value.isGenericDict())
            return false;
        for (const auto &entry : value.toGenericDict())
            if (entry.key().isString() && entry.value().isTensor())
                out.emplace(entry.key().toStringRef(), entry.value().toTensor());
        return !out.empty();
    } catch (const c10::Error &) {
        return false;
    }
}

// `source` fitted to `shape`, or an undefined tensor when it cannot be.
torch::Tensor fitted(const std::string &name, const torch::Tensor &source,
                     const torch::IntArrayRef shape) {
    if (name != "conv1.weight" || source.dim() != 4 || shape.size() != 4 ||
        source.size(0) != shape[0])
        return {};
    torch::Tensor w = source;
    if (w.size(2) > shape[2] && w.size(3) > shape[3]) { // the centre of a larger kernel
        const std::int64_t top = (w.size(2) - shape[2]) / 2, left = (w.size(3) - shape[3]) / 2;
        w = w.slice(2, top, top + shape[2]).slice(3, left, left + shape[3]);
    }
    if (w.size(1) == 3 && shape[1] == 1)
        w = w.sum(1, true);
    else if (w.size(1) == 1 && shape[1] == 3)
        w = w.repeat({1, 3, 1, 1}) / 3;
    return w.sizes() == shape ? w : torch::Tensor();
}

} // namespace

NamedTensors readWeights(const QString &path) {
    if (!QFile::exists(path))
        refuse(QStringLiteral("%1: no such weights file").arg(path));
    NamedTensors weights;
    if (!isZip(path) || !(tryArchive(path, weights) || tryTorchScript(path, weights) ||
                          tryPickledDict(path, weights)))
        refuse(QStringLiteral(
                   "%1: not a weights file Winnow reads (a run's checkpoint, a LibTorch archive "
                   "or TorchScript module, or a dict of tensors saved with torch.save)")
                   .arg(path));
    return renamed(weights);
}

QString WeightTransfer::summary() const {
    QString text = QStringLiteral("%1 weight tensors taken").arg(copied + adapted);
    if (adapted > 0)
        text += QStringLiteral(" (%1 fitted to this network's stem)").arg(adapted);
    if (!replaced.isEmpty())
        text += QStringLiteral("; newly initialised: %1").arg(replaced.join(QStringLiteral(", ")));
    return text;
}

WeightTransfer transferWeights(ResNet18 &model, const NamedTensors &weights, bool keepHead) {
    WeightTransfer transfer;
    torch::NoGradGuard noGrad;
    int bodyTensors = 0, bodyTaken = 0;
    const auto take = [&](const std::string &name, torch::Tensor &target) {
        const bool head = name.rfind("fc.", 0) == 0;
        bodyTensors += !head;
        const auto found = weights.find(name);
        if (found == weights.end() || (head && !keepHead)) {
            if (head)
                transfer.replaced << QString::fromStdString(name);
            return;
        }
        const torch::Tensor &source = found->second;
        if (source.sizes() == target.sizes()) {
            target.copy_(source.to(target.dtype()));
            ++transfer.copied;
            bodyTaken += !head;
        } else if (const torch::Tensor w = fitted(name, source, target.sizes()); w.defined()) {
            target.copy_(w.to(target.dtype()));
            ++transfer.adapted;
            bodyTaken += !head;
        } else if (head) {
            transfer.replaced << QString::fromStdString(name);
        }
    };
    for (auto &p : model->named_parameters())
        take(p.key(), p.value());
    for (auto &b : model->named_buffers())
        take(b.key(), b.value());
    if (bodyTaken == 0 || bodyTaken < bodyTensors / 2)
        refuse(QStringLiteral("the weights fit %1 of this network's %2 body tensors: they are of "
                              "another network or width")
                   .arg(bodyTaken)
                   .arg(bodyTensors));
    return transfer;
}

InitWeights locateInitWeights(Project &project, const QString &spec) {
    const auto fromRun = [&spec](Project &owner, qint64 runId, const QString &recorded) {
        if (const auto found = findRun(owner, runId); !found)
            throw failure(QStringLiteral("--init-from %1: %2").arg(spec, found.error().message));
        const QString path =
            QDir(runDirectory(owner, runId)).filePath(QStringLiteral("checkpoint.pt"));
        if (!QFile::exists(path))
            throw failure(QStringLiteral("--init-from %1: run %2 has no checkpoint (it never "
                                         "finished an epoch)")
                              .arg(spec)
                              .arg(runId));
        const auto snapshot = runSnapshot(owner, runId);
        return InitWeights{path, snapshot ? snapshot->classNames : QStringList{}, recorded};
    };
    bool isRun = false;
    if (const qint64 runId = spec.toLongLong(&isRun); isRun)
        return fromRun(project, runId, spec);
    if (const qsizetype colon = spec.lastIndexOf(QLatin1Char(':')); colon > 0) {
        bool ok = false;
        const qint64 runId = spec.mid(colon + 1).toLongLong(&ok);
        const QString location = spec.left(colon);
        if (ok && Project::exists(location)) {
            auto other = Project::open(location);
            if (!other)
                throw failure(
                    QStringLiteral("--init-from %1: %2").arg(spec, other.error().message));
            const QString recorded = Database::isServerAddress(location)
                                         ? spec
                                         : QStringLiteral("%1:%2")
                                               .arg(QFileInfo(location).absoluteFilePath())
                                               .arg(runId);
            return fromRun(**other, runId, recorded);
        }
    }
    const QFileInfo file(spec);
    if (!file.isFile())
        throw failure(QStringLiteral("--init-from %1: not a run number, DIR:RUN of another "
                                     "project, or a weights file")
                          .arg(spec));
    return {file.absoluteFilePath(), {}, file.absoluteFilePath()};
}

} // namespace winnow::core

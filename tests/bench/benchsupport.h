#pragma once

// Shared by the benchmarks: their options, peak memory and where the CIFAR-10 JPEGs are
// unpacked.

#include "core/io/folderimporter.h"
#include "core/store/project.h"
#include "core/train/runs.h"

#include <QDir>
#include <QHash>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <utility>
#include <vector>

namespace winnow::bench {

// The "--name value" options among a benchmark's arguments; an option followed by another (or
// by nothing) is a flag, with the value "1".
class BenchOptions {
public:
    explicit BenchOptions(const QStringList &args) {
        for (int i = 0; i < args.size(); ++i)
            if (args[i].startsWith(QLatin1String("--")))
                m_values.insert(args[i],
                                i + 1 < args.size() && !args[i + 1].startsWith(QLatin1String("--"))
                                    ? args[i + 1]
                                    : QStringLiteral("1"));
    }
    bool has(const char *name) const { return m_values.contains(QLatin1String(name)); }
    QString text(const char *name, const QString &otherwise) const {
        return m_values.value(QLatin1String(name), otherwise);
    }
    int number(const char *name, int otherwise) const {
        return has(name) ? text(name, {}).toInt() : otherwise;
    }
    double real(const char *name, double otherwise) const {
        return has(name) ? text(name, {}).toDouble() : otherwise;
    }
    // A training run's --width, --epochs and --select-every, where given.
    void applyTraining(core::TrainOptions &options) const {
        options.width = number("--width", options.width);
        options.epochs = number("--epochs", options.epochs);
        options.selectEvery = number("--select-every", options.selectEvery);
    }

private:
    QHash<QString, QString> m_values;
};

inline double peakMemoryMiB() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss / 1024.0; // ru_maxrss is in KiB on Linux
}

// Unpacks ../shared/data/cifar10-jpg.tar.gz once into `cache` and returns the cifar10 folder.
inline QString cifar10Folder(const QString &archive, const QString &cache) {
    const QString folder = QDir(cache).filePath(QStringLiteral("cifar10"));
    if (QDir(folder + QStringLiteral("/test")).exists())
        return folder;
    QDir().mkpath(cache);
    QProcess tar;
    tar.start(QStringLiteral("tar"),
              {QStringLiteral("-xzf"), archive, QStringLiteral("-C"), cache});
    tar.waitForFinished(-1);
    return tar.exitCode() == 0 ? folder : QString();
}

// A fresh project of linked images: {folder, split} parts, labels from the folder names.
inline std::unique_ptr<core::Project>
linkedProject(const QString &dir, const std::vector<std::pair<QString, core::Split>> &parts) {
    QDir(dir).removeRecursively();
    auto project = core::Project::create(dir);
    if (!project) {
        std::printf("cannot create %s: %s\n", qPrintable(dir), qPrintable(project.error().message));
        return nullptr;
    }
    for (const auto &[folder, split] : parts) {
        core::ImportOptions options;
        options.split = split;
        options.labelsFromFolders = true;
        options.followLinksOutside = true; // the images are links into the CIFAR-10 folder
        if (const auto imported = core::importImageFolder(**project, folder, options); !imported) {
            std::printf("import of %s failed: %s\n", qPrintable(folder),
                        qPrintable(imported.error().message));
            return nullptr;
        }
    }
    return std::move(project).value();
}

} // namespace winnow::bench

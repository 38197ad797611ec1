#pragma once

// Shared by the benchmarks: peak memory and where the CIFAR-10 JPEGs are unpacked.

#include "core/io/folderimporter.h"
#include "core/store/project.h"

#include <QDir>
#include <QProcess>
#include <QString>
#include <cstdio>
#include <memory>
#include <sys/resource.h>
#include <utility>
#include <vector>

namespace winnow::bench {

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

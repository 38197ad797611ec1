#pragma once

// Shared by the benchmarks: peak memory and where the CIFAR-10 JPEGs are unpacked.

#include <QDir>
#include <QProcess>
#include <QString>
#include <sys/resource.h>

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

} // namespace winnow::bench

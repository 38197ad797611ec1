#include "core/curation/duplicates.h"

#include "core/curation/hammingindex.h"
#include "core/io/imageprobe.h"
#include "core/io/regularfile.h"
#include "core/util/unionfind.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QtConcurrent/QtConcurrentMap>
#include <algorithm>
#include <unordered_map>

namespace winnow::core {

DuplicateClusters findDuplicates(const std::vector<Fingerprint> &items, int maxDistance,
                                 bool mirrors, int threads) {
    const int n = int(items.size());
    UnionFind sets(n);
    std::vector<bool> exactPair(size_t(n), false);
    auto uniteEqual = [&](auto key) {
        QHash<QByteArray, int> first;
        for (int i = 0; i < n; ++i) {
            const QByteArray &k = key(items[size_t(i)]);
            if (k.isEmpty())
                continue;
            const auto it = first.constFind(k);
            if (it == first.constEnd()) {
                first.insert(k, i);
            } else {
                sets.unite(*it, i);
                exactPair[size_t(i)] = exactPair[size_t(*it)] = true;
            }
        }
    };
    uniteEqual([](const Fingerprint &f) -> const QByteArray & { return f.content; });
    uniteEqual([](const Fingerprint &f) -> const QByteArray & { return f.pixels; });

    // Identical perceptual hashes are joined directly; the index only sees distinct ones, so a
    // thousand blank images do not make a million pairs.
    std::unordered_map<std::uint64_t, int> representative;
    std::vector<std::uint64_t> distinct;
    std::vector<int> owner;
    for (int i = 0; i < n; ++i) {
        const auto [it, added] = representative.try_emplace(items[size_t(i)].perceptual, i);
        if (added) {
            distinct.push_back(items[size_t(i)].perceptual);
            owner.push_back(i);
        } else {
            sets.unite(it->second, i);
        }
    }
    if (maxDistance >= 0) {
        // With mirrors, the mirrored hashes join the index; a pair of one hash and another
        // image's mirrored hash is a mirrored copy.
        std::vector<std::uint64_t> indexed = distinct;
        std::vector<int> indexedOwner = owner;
        if (mirrors) {
            for (int i = 0; i < n; ++i) {
                if (items[size_t(i)].mirrored != 0) {
                    indexed.push_back(items[size_t(i)].mirrored);
                    indexedOwner.push_back(i);
                }
            }
        }
        const HammingIndex index(indexed);
        for (const auto &[a, b] : index.pairsWithin(maxDistance, threads))
            if (indexedOwner[size_t(a)] != indexedOwner[size_t(b)])
                sets.unite(indexedOwner[size_t(a)], indexedOwner[size_t(b)]);
    }

    // Number clusters of two or more in the order of their first member.
    std::vector<int> members(size_t(n), 0);
    for (int i = 0; i < n; ++i)
        ++members[size_t(sets.find(i))];
    DuplicateClusters result;
    result.cluster.assign(size_t(n), 0);
    std::unordered_map<int, int> number;
    for (int i = 0; i < n; ++i) {
        const int root = sets.find(i);
        if (members[size_t(root)] < 2)
            continue;
        const auto [it, added] = number.try_emplace(root, result.count + 1);
        if (added) {
            ++result.count;
            result.exact.push_back(true);
        }
        result.cluster[size_t(i)] = it->second;
        if (!exactPair[size_t(i)])
            result.exact[size_t(it->second - 1)] = false;
    }
    return result;
}

Result<FolderDuplicates> findFolderDuplicates(const QString &folder, int maxDistance, bool mirrors,
                                              bool followLinksOutside) {
    if (!QFileInfo(folder).isDir())
        return Error{QStringLiteral("%1: not a folder").arg(folder)};
    return attempt([&] {
        // Files are found and read under the absolute folder, and named as under `folder`.
        const QDir root(QFileInfo(folder).absoluteFilePath());
        const auto named = [&](const QString &file) {
            const QString relative = root.relativeFilePath(file);
            return folder.endsWith(u'/') ? folder + relative : folder + u'/' + relative;
        };
        const FolderListing listing = listFolderFiles(root.path(), followLinksOutside);
        QStringList files;
        for (const QString &file : listing.files)
            files << root.relativeFilePath(file);
        FolderDuplicates result;
        for (const auto &[file, reason] : listing.refused)
            result.skipped.push_back({named(file), reason});
        const QList<ImageProbe> probes = QtConcurrent::blockingMapped<QList<ImageProbe>>(
            files, [&root](const QString &file) { return probeImageFile(root.filePath(file)); });
        std::vector<Fingerprint> prints;
        QStringList paths;
        for (qsizetype i = 0; i < probes.size(); ++i) {
            const QString path =
                folder.endsWith(u'/') ? folder + files[i] : folder + u'/' + files[i];
            if (!probes[i].item) {
                result.skipped.push_back({path, probes[i].error});
                continue;
            }
            prints.push_back({probes[i].item->contentHash, probes[i].item->pixelHash,
                              probes[i].item->perceptualHash, probes[i].item->mirroredHash});
            paths << path;
        }
        const DuplicateClusters clusters = findDuplicates(prints, maxDistance, mirrors);
        for (size_t i = 0; i < prints.size(); ++i)
            if (clusters.cluster[i] > 0)
                result.members.emplace_back(clusters.cluster[i], paths[qsizetype(i)]);
        std::sort(result.members.begin(), result.members.end());
        result.images = qint64(prints.size());
        result.clusters = clusters.count;
        return result;
    });
}

} // namespace winnow::core

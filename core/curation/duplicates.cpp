#include "core/curation/duplicates.h"

#include "core/curation/hammingindex.h"
#include "core/io/imageprobe.h"
#include "core/io/perceptualhash.h"
#include "core/io/regularfile.h"
#include "core/util/unionfind.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QtConcurrent/QtConcurrentMap>
#include <algorithm>
#include <functional>
#include <numeric>
#include <random>
#include <tuple>
#include <unordered_map>

namespace winnow::core {
namespace {

struct NearCandidate {
    int a = 0, b = 0;
    int distance = 0;      // between the hashes that matched
    bool mirrored = false; // one image against the other's mirror image
    double similarity = 0; // of the looks, once compared
};

// Looks that agree in every detail are copies whatever their neighbours look like.
constexpr double kSameLook = 0.995;
// The least a re-encoded, rescaled, brightened, noisy or slightly cropped copy scores.
constexpr double kCopyLook = 0.92;
// A copy must also stand out among the image's look-alikes: its dissimilarity is at most this
// share of the image's kCrowd-th nearest look-alike's. A photo's nearest look-alikes score
// 0.5-0.8, so a copy at 0.92 stands out; on garments photographed alike they score 0.95-0.99,
// so only a copy that agrees in nearly every detail does.
constexpr double kStandOut = 0.3;
constexpr int kCrowd = 3;               // neighbours that make a crowd of look-alikes
constexpr int kCandidatesPerImage = 16; // the nearest hashes kept per image
constexpr int kLookAlikes = 8;          // nearest looks by signature added to a doubtful image
constexpr int kReferenceSample = 8192;  // images searched for them

// The dot product of two signatures, in eight independent sums the compiler can vectorise.
float correlation(const LookSignature &a, const LookSignature &b) {
    std::array<float, 8> sums{};
    for (size_t d = 0; d < a.size(); d += sums.size())
        for (size_t lane = 0; lane < sums.size(); ++lane)
            sums[lane] += a[d + lane] * b[d + lane];
    return std::accumulate(sums.begin(), sums.end(), 0.0f);
}

// The band-pass copies of the images that take part in comparisons, made once each.
class Passes {
public:
    Passes(const std::vector<Fingerprint> &items, const std::vector<int> &involved)
        : m_slot(items.size(), -1)
        , m_passes(involved.size()) {
        for (size_t k = 0; k < involved.size(); ++k)
            m_slot[size_t(involved[k])] = int(k);
        QtConcurrent::blockingMap(m_passes, [&](LookPass &pass) {
            pass = lookPass(items[size_t(involved[size_t(&pass - m_passes.data())])].look);
        });
    }
    const LookPass &operator[](int image) const { return m_passes[size_t(m_slot[size_t(image)])]; }

private:
    std::vector<int> m_slot; // per image, its place in m_passes or -1
    std::vector<LookPass> m_passes;
};

// Adds to each doubtful image's neighbours its kLookAlikes nearest looks by signature among a
// sample of at most kReferenceSample images (the same sample for every image), with their
// similarity; images already among its neighbours are not added twice.
void addLookAlikes(const std::vector<Fingerprint> &items, const Passes &passes,
                   const std::vector<char> &doubtful,
                   std::vector<std::vector<std::pair<int, double>>> &neighbours) {
    std::vector<int> judged, sample;
    for (size_t i = 0; i < items.size(); ++i) {
        if (doubtful[i])
            judged.push_back(int(i));
        if (items[i].look.known())
            sample.push_back(int(i));
    }
    if (judged.empty())
        return;
    if (sample.size() > size_t(kReferenceSample)) {
        std::mt19937 rng(1);
        std::shuffle(sample.begin(), sample.end(), rng);
        sample.resize(size_t(kReferenceSample));
    }
    const Passes samplePasses(items, sample);
    std::vector<LookSignature> signatures(sample.size());
    QtConcurrent::blockingMap(signatures, [&](LookSignature &signature) {
        signature = lookSignature(samplePasses[sample[size_t(&signature - signatures.data())]]);
    });
    QtConcurrent::blockingMap(judged, [&](const int i) {
        const LookSignature own = lookSignature(passes[i]);
        std::vector<std::pair<float, int>> nearest; // (correlation, index in sample)
        nearest.reserve(sample.size());
        for (size_t s = 0; s < sample.size(); ++s)
            if (sample[s] != i)
                nearest.emplace_back(correlation(own, signatures[s]), int(s));
        const size_t keep = std::min(nearest.size(), size_t(kLookAlikes));
        std::partial_sort(nearest.begin(), nearest.begin() + qsizetype(keep), nearest.end(),
                          std::greater<>());
        auto &list = neighbours[size_t(i)];
        for (size_t k = 0; k < keep; ++k) {
            const int j = sample[size_t(nearest[k].second)];
            if (std::none_of(list.begin(), list.end(), [j](const auto &p) { return p.first == j; }))
                list.emplace_back(j, lookSimilarity(passes[i], samplePasses[j]));
        }
    });
}

// The candidates that are copies: every candidate of an image whose look is unknown (the hash
// decides), and of the others those whose looks agree as the constants above ask.
std::vector<std::pair<int, int>> confirmedPairs(const std::vector<Fingerprint> &items,
                                                std::vector<NearCandidate> candidates) {
    std::vector<std::pair<int, int>> confirmed;
    // Each pair once, and per image only its nearest candidates.
    for (NearCandidate &c : candidates)
        if (c.a > c.b)
            std::swap(c.a, c.b);
    std::sort(candidates.begin(), candidates.end(), [](const auto &x, const auto &y) {
        return std::tie(x.a, x.b, x.distance, x.mirrored) <
               std::tie(y.a, y.b, y.distance, y.mirrored);
    });
    candidates.erase(
        std::unique(candidates.begin(), candidates.end(),
                    [](const auto &x, const auto &y) { return x.a == y.a && x.b == y.b; }),
        candidates.end());
    std::vector<NearCandidate> looked;
    for (const NearCandidate &c : candidates) {
        if (items[size_t(c.a)].look.known() && items[size_t(c.b)].look.known())
            looked.push_back(c);
        else
            confirmed.emplace_back(c.a, c.b);
    }
    const size_t n = items.size();
    std::vector<std::vector<std::pair<int, int>>> nearest(n); // (distance, index in looked)
    for (size_t k = 0; k < looked.size(); ++k) {
        nearest[size_t(looked[k].a)].emplace_back(looked[k].distance, int(k));
        nearest[size_t(looked[k].b)].emplace_back(looked[k].distance, int(k));
    }
    std::vector<char> kept(looked.size(), 0);
    for (auto &list : nearest) {
        if (list.size() > size_t(kCandidatesPerImage)) {
            std::nth_element(list.begin(), list.begin() + kCandidatesPerImage, list.end());
            list.resize(size_t(kCandidatesPerImage));
        }
        for (const auto &[distance, k] : list)
            kept[size_t(k)] = 1;
    }
    std::vector<int> compared;
    std::vector<char> takesPart(n, 0);
    for (size_t k = 0; k < looked.size(); ++k)
        if (kept[k]) {
            compared.push_back(int(k));
            takesPart[size_t(looked[k].a)] = takesPart[size_t(looked[k].b)] = 1;
        }
    std::vector<int> involved;
    for (size_t i = 0; i < n; ++i)
        if (takesPart[i])
            involved.push_back(int(i));
    const Passes passes(items, involved);
    QtConcurrent::blockingMap(compared, [&](const int k) {
        NearCandidate &c = looked[size_t(k)];
        c.similarity = lookSimilarity(passes[c.a], passes[c.b], c.mirrored);
    });

    // Among look-alikes, the bar is the similarity of the image's kCrowd-th best neighbour: a few
    // copies of one image stand out together above it, a crowd of alike garments does not.
    // The hash finds few of an image's look-alikes (a garment's nearest look-alikes often differ
    // by 14 or more bits), so the neighbours of an image whose pair is in doubt also include
    // its nearest looks by signature among a sample of the data set.
    std::vector<std::vector<std::pair<int, double>>> neighbours(n); // (image, similarity)
    std::vector<char> doubtful(n, 0);
    for (const int k : compared) {
        const NearCandidate &c = looked[size_t(k)];
        neighbours[size_t(c.a)].emplace_back(c.b, c.similarity);
        neighbours[size_t(c.b)].emplace_back(c.a, c.similarity);
        if (c.similarity >= kCopyLook && c.similarity < kSameLook)
            doubtful[size_t(c.a)] = doubtful[size_t(c.b)] = 1;
    }
    addLookAlikes(items, passes, doubtful, neighbours);
    std::vector<double> typical(n, -2);
    for (size_t i = 0; i < n; ++i) {
        std::vector<double> scores;
        for (const auto &[j, similarity] : neighbours[i])
            scores.push_back(similarity);
        if (scores.size() < size_t(kCrowd))
            continue;
        auto at = scores.begin() + (kCrowd - 1);
        std::nth_element(scores.begin(), at, scores.end(), std::greater<>());
        typical[i] = *at;
    }
    const auto standsOut = [&](int i, double similarity) {
        return typical[size_t(i)] < -1 ||
               1.0 - similarity <= kStandOut * (1.0 - typical[size_t(i)]);
    };
    for (const int k : compared) {
        const NearCandidate &c = looked[size_t(k)];
        if (c.similarity >= kSameLook ||
            (c.similarity >= kCopyLook && standsOut(c.a, c.similarity) &&
             standsOut(c.b, c.similarity)))
            confirmed.emplace_back(c.a, c.b);
    }
    return confirmed;
}

} // namespace

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

    // Identical perceptual hashes share one entry in the index, so a thousand blank images do
    // not make a million pairs; the others of a group are candidates of its first.
    std::unordered_map<std::uint64_t, int> representative;
    std::vector<std::uint64_t> indexed;
    std::vector<int> indexedOwner;
    std::vector<NearCandidate> candidates;
    for (int i = 0; i < n; ++i) {
        const auto [it, added] = representative.try_emplace(items[size_t(i)].perceptual, i);
        if (added) {
            indexed.push_back(items[size_t(i)].perceptual);
            indexedOwner.push_back(i);
        } else {
            candidates.push_back({it->second, i, 0, false});
        }
    }
    if (maxDistance >= 0) {
        // With mirrors, the mirrored hashes join the index; a pair of one hash and another
        // image's mirrored hash is a mirrored copy.
        const size_t plain = indexed.size();
        if (mirrors) {
            for (int i = 0; i < n; ++i) {
                if (items[size_t(i)].mirrored != 0) {
                    indexed.push_back(items[size_t(i)].mirrored);
                    indexedOwner.push_back(i);
                }
            }
        }
        const HammingIndex index(indexed);
        for (const auto &[a, b] : index.pairsWithin(maxDistance, threads)) {
            const int i = indexedOwner[size_t(a)], j = indexedOwner[size_t(b)];
            if (i != j)
                candidates.push_back({i, j, hammingDistance(indexed[size_t(a)], indexed[size_t(b)]),
                                      (size_t(a) >= plain) != (size_t(b) >= plain)});
        }
        // A cropped copy's hash is near one of its original's crop hashes: every image's crop
        // hashes are joined with the whole-image hashes in one pass.
        std::vector<std::uint64_t> crops;
        std::vector<size_t> firstCrop; // of each image, and the end
        for (const Fingerprint &item : items) {
            firstCrop.push_back(crops.size());
            crops.insert(crops.end(), item.look.cropHashes.begin(), item.look.cropHashes.end());
        }
        firstCrop.push_back(crops.size());
        indexed.resize(plain);
        for (const auto &[a, c] : pairsAcross(indexed, crops, maxDistance, threads)) {
            const int i = int(std::upper_bound(firstCrop.begin(), firstCrop.end(), size_t(c)) -
                              firstCrop.begin()) -
                          1;
            const int j = indexedOwner[size_t(a)];
            if (j != i)
                candidates.push_back(
                    {i, j, hammingDistance(crops[size_t(c)], indexed[size_t(a)]), false});
        }
    }
    for (const auto &[a, b] : confirmedPairs(items, std::move(candidates)))
        sets.unite(a, b);

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
        struct Probed {
            ImageProbe probe;
            Appearance look;
        };
        const QList<Probed> probes =
            QtConcurrent::blockingMapped<QList<Probed>>(files, [&root](const QString &file) {
                Probed probed{probeImageFile(root.filePath(file)), {}};
                if (probed.probe.item)
                    probed.look = appearanceOfFile(root.filePath(file));
                return probed;
            });
        std::vector<Fingerprint> prints;
        QStringList paths;
        for (qsizetype i = 0; i < probes.size(); ++i) {
            const QString path =
                folder.endsWith(u'/') ? folder + files[i] : folder + u'/' + files[i];
            const ImageProbe &probe = probes[i].probe;
            if (!probe.item) {
                result.skipped.push_back({path, probe.error});
                continue;
            }
            prints.push_back({probe.item->contentHash, probe.item->pixelHash,
                              probe.item->perceptualHash, probe.item->mirroredHash,
                              probes[i].look});
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

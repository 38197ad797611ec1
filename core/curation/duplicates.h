#pragma once

#include "core/curation/appearance.h"
#include "core/io/importsummary.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <utility>
#include <vector>

namespace winnow::core {

struct Fingerprint {
    QByteArray content; // hash of the file bytes
    QByteArray pixels;  // hash of the decoded pixels
    std::uint64_t perceptual = 0;
    std::uint64_t mirrored = 0; // perceptual hash of the mirrored image; 0 when unknown
    Appearance look = {};       // crop hashes and a small grey copy; empty when not loaded
};

struct DuplicateClusters {
    // Per input: its cluster, numbered from 1 in the order of the cluster's first member, or 0
    // when it has no duplicate.
    std::vector<int> cluster;
    // Per cluster (index cluster - 1): true when every member is an exact copy (same bytes or
    // the same decoded pixels) of another.
    std::vector<bool> exact;
    int count = 0;
};

// Default Hamming distance between perceptual hashes under which two images are near
// duplicates (re-encoded, resized, slightly brighter, cropped by a few pixels, lightly noisy).
constexpr int kDefaultNearDuplicateDistance = 8;

// Groups exact copies (same file bytes or same decoded pixels) and near copies into clusters
// (union-find over all such pairs). Near copies are perceptual hashes within maxDistance (with
// `mirrors`, also an image against another's mirror image). Where both images' looks are
// known, a crop hash within maxDistance of the other's hash is a candidate too, and every
// candidate is kept only when the two looks agree: in every detail (lookSimilarity >= 0.995),
// or closely (>= 0.92) and far more closely than the image's third-nearest look-alike does,
// among its candidates and its nearest looks in a sample of the data set (so a garment among a
// hundred look-alikes is not everyone's copy); where a look is unknown the hash alone decides.
// `threads` bounds the hash-pair search (0: every core); the rest runs on Qt's global pool.
DuplicateClusters findDuplicates(const std::vector<Fingerprint> &items, int maxDistance,
                                 bool mirrors = false, int threads = 0);

struct FolderDuplicates {
    qint64 images = 0;                            // read and hashed
    int clusters = 0;                             // of two or more images
    std::vector<std::pair<int, QString>> members; // (cluster, path as under `folder`), sorted
    std::vector<ImportIssue> skipped;             // files that are not readable images
};

// Duplicates among the images under `folder` (recursively), without a project.
// Links that lead out of `folder` are read only with `followLinksOutside`; else they are skipped.
Result<FolderDuplicates> findFolderDuplicates(const QString &folder, int maxDistance, bool mirrors,
                                              bool followLinksOutside = false);

} // namespace winnow::core

#include "core/curation/hammingindex.h"

#include <algorithm>
#include <numeric>
#include <thread>

namespace winnow::core {
namespace {

// How a 64-bit hash is cut into `count` blocks of nearly equal width.
struct Blocks {
    int count;
    int shift(int b) const { return 64 * b / count; }
    int width(int b) const { return shift(b + 1) - shift(b); }
    std::uint32_t key(std::uint64_t hash, int b) const {
        return std::uint32_t((hash >> shift(b)) & ((std::uint64_t(1) << width(b)) - 1));
    }
    // Two hashes within `radius` bits of each other on a block before b: their pair is found
    // from that block already.
    bool nearBefore(std::uint64_t x, std::uint64_t y, int b, int radius) const {
        for (int e = 0; e < b; ++e)
            if (__builtin_popcount(key(x, e) ^ key(y, e)) <= radius)
                return true;
        return false;
    }
};

constexpr Blocks kSixteenBits{4};

// The hashes in the order of their key on block b (a counting sort), with their indices;
// the bucket of key k is offsets[k] to offsets[k + 1].
void bucketed(const std::vector<std::uint64_t> &hashes, const Blocks &blocks, int b,
              std::vector<std::uint32_t> &offsets, std::vector<std::uint64_t> &sorted,
              std::vector<std::int32_t> &ids) {
    offsets.assign((size_t(1) << blocks.width(b)) + 1, 0);
    for (const std::uint64_t h : hashes)
        ++offsets[blocks.key(h, b) + 1];
    for (size_t k = 1; k < offsets.size(); ++k)
        offsets[k] += offsets[k - 1];
    sorted.resize(hashes.size());
    ids.resize(hashes.size());
    for (size_t i = 0; i < hashes.size(); ++i) {
        const std::uint32_t at = offsets[blocks.key(hashes[i], b)]++;
        sorted[at] = hashes[i];
        ids[at] = std::int32_t(i);
    }
    for (size_t k = offsets.size() - 1; k > 0; --k) // each start was moved to its end
        offsets[k] = offsets[k - 1];
    offsets[0] = 0;
}

// Every difference of at most `radius` bits among the low `width` bits of a key, from
// bit `from` on, appended to `masks`.
void keyMasks(std::uint32_t mask, int radius, int width, int from,
              std::vector<std::uint32_t> &masks) {
    masks.push_back(mask);
    if (radius == 0)
        return;
    for (int bit = from; bit < width; ++bit)
        keyMasks(mask ^ (1u << bit), radius - 1, width, bit + 1, masks);
}

// Threads worth starting for `items` of work.
int workers(int threads, size_t items) {
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    return std::max(1, std::min(threads, int(items / 4096) + 1));
}

// Runs work(0) ... work(threads - 1) at once and waits for them.
template <typename Work> void runParts(int threads, Work &&work) {
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (std::thread &thread : pool)
        thread.join();
}

using Pairs = std::vector<std::pair<std::int32_t, std::int32_t>>;

Pairs joined(std::vector<Pairs> &parts) {
    Pairs pairs;
    for (auto &part : parts)
        pairs.insert(pairs.end(), part.begin(), part.end());
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

// One block of the indexed hashes in bucket order, as the queries scan it.
struct BlockScan {
    Blocks blocks;
    int b = 0;
    int maxDistance = 0;
    int radius = 0;                   // per block
    std::vector<std::uint32_t> masks; // every key difference within the radius
    const std::uint32_t *offsets = nullptr;
    const std::uint64_t *sorted = nullptr;
    const std::int32_t *ids = nullptr;
};

// Appends the pairs of queries[order[begin]] ... queries[order[end - 1]] with the indexed
// hashes that block scan.b finds. Most of the work is popcounts: the processor's own
// instruction where it has one.
__attribute__((target_clones("popcnt", "default"))) void
scanQueries(const BlockScan &scan, const std::uint64_t *queries, const std::int32_t *order,
            size_t begin, size_t end, Pairs &out) {
    for (size_t o = begin; o < end; ++o) {
        const std::int32_t q = order[o];
        const std::uint64_t query = queries[q];
        const std::uint32_t own = scan.blocks.key(query, scan.b);
        for (const std::uint32_t mask : scan.masks) {
            const std::uint32_t key = own ^ mask;
            for (std::uint32_t x = scan.offsets[key]; x < scan.offsets[key + 1]; ++x) {
                const std::uint64_t h = scan.sorted[x];
                if (__builtin_popcountll(h ^ query) <= scan.maxDistance &&
                    !scan.blocks.nearBefore(h, query, scan.b, scan.radius))
                    out.emplace_back(q, scan.ids[x]);
            }
        }
    }
}

// Appends the pairs within scan.maxDistance of the hashes of bucket `first`, first + step, ...
// with those of buckets within the radius of it, each pair of buckets once. Bucket against
// bucket rather than hash against buckets, so memory is read in runs instead of at random.
__attribute__((target_clones("popcnt", "default"))) void
scanBuckets(const BlockScan &scan, std::uint32_t first, std::uint32_t step, Pairs &out) {
    const std::uint32_t keys = std::uint32_t(1) << scan.blocks.width(scan.b);
    for (std::uint32_t key = first; key < keys; key += step) {
        const std::uint32_t begin = scan.offsets[key], end = scan.offsets[key + 1];
        if (begin == end)
            continue;
        for (const std::uint32_t mask : scan.masks) {
            const std::uint32_t other = key ^ mask;
            if (other < key)
                continue; // the pair of buckets is visited from the smaller key
            for (std::uint32_t x = begin; x < end; ++x) {
                const std::uint64_t hx = scan.sorted[x];
                for (std::uint32_t y = other == key ? x + 1 : scan.offsets[other];
                     y < scan.offsets[other + 1]; ++y) {
                    const std::uint64_t hy = scan.sorted[y];
                    // Each pair from the first block where it is within the radius.
                    if (__builtin_popcountll(hx ^ hy) <= scan.maxDistance &&
                        !scan.blocks.nearBefore(hx, hy, scan.b, scan.radius))
                        out.emplace_back(std::min(scan.ids[x], scan.ids[y]),
                                         std::max(scan.ids[x], scan.ids[y]));
                }
            }
        }
    }
}

} // namespace

HammingIndex::HammingIndex(std::vector<std::uint64_t> hashes)
    : m_hashes(std::move(hashes)) {
    for (int b = 0; b < kBlocks; ++b)
        bucketed(m_hashes, kSixteenBits, b, m_offsets[b], m_sorted[b], m_ids[b]);
}

std::vector<std::pair<std::int32_t, std::int32_t>> HammingIndex::pairsWithin(int maxDistance,
                                                                             int threads) const {
    threads = workers(threads, m_hashes.size());
    std::vector<Pairs> parts(static_cast<size_t>(threads));
    BlockScan scan{kSixteenBits, 0,       maxDistance, maxDistance / kBlocks,
                   {},           nullptr, nullptr,     nullptr};
    keyMasks(0, scan.radius, 16, 0, scan.masks);
    for (scan.b = 0; scan.b < kBlocks; ++scan.b) {
        scan.offsets = m_offsets[scan.b].data();
        scan.sorted = m_sorted[scan.b].data();
        scan.ids = m_ids[scan.b].data();
        runParts(threads, [&](int part) {
            scanBuckets(scan, std::uint32_t(part), std::uint32_t(threads), parts[size_t(part)]);
        });
    }
    return joined(parts);
}

Pairs pairsAcross(const std::vector<std::uint64_t> &queries,
                  const std::vector<std::uint64_t> &indexed, int maxDistance, int threads) {
    // Wider blocks keep a large set's buckets small; fewer blocks mean a smaller radius in
    // each and more keys within it (254 at 2 bits in 21) but far fewer hashes per key.
    const Blocks blocks{indexed.size() >= (size_t(1) << 19) ? 3 : 4};
    const int radius = maxDistance / blocks.count;
    threads = workers(threads, queries.size());
    std::vector<Pairs> parts(static_cast<size_t>(threads));
    std::vector<std::uint32_t> offsets;
    std::vector<std::uint64_t> sorted;
    std::vector<std::int32_t> ids;
    std::vector<std::int32_t> order(queries.size());
    for (int b = 0; b < blocks.count; ++b) {
        bucketed(indexed, blocks, b, offsets, sorted, ids);
        // Queries in key order, so that neighbouring queries read neighbouring buckets.
        std::iota(order.begin(), order.end(), 0);
        std::sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
            return blocks.key(queries[size_t(x)], b) < blocks.key(queries[size_t(y)], b);
        });
        BlockScan scan{blocks,        b,         maxDistance, radius, {}, offsets.data(),
                       sorted.data(), ids.data()};
        keyMasks(0, radius, blocks.width(b), 0, scan.masks);
        runParts(threads, [&](int part) {
            scanQueries(scan, queries.data(), order.data(),
                        order.size() * size_t(part) / size_t(threads),
                        order.size() * size_t(part + 1) / size_t(threads), parts[size_t(part)]);
        });
    }
    return joined(parts);
}

} // namespace winnow::core

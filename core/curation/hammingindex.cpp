#include "core/curation/hammingindex.h"

#include <algorithm>
#include <thread>

namespace winnow::core {
namespace {

std::uint32_t block(std::uint64_t hash, int b) {
    return std::uint32_t((hash >> (16 * b)) & 0xFFFF);
}

// Every 16-bit key within `radius` bits of `key`, passed to fn.
template <typename Fn> void neighbours(std::uint32_t key, int radius, int from, Fn &&fn) {
    fn(key);
    if (radius == 0)
        return;
    for (int bit = from; bit < 16; ++bit)
        neighbours(key ^ (1u << bit), radius - 1, bit + 1, fn);
}

} // namespace

HammingIndex::HammingIndex(std::vector<std::uint64_t> hashes)
    : m_hashes(std::move(hashes)) {
    for (int b = 0; b < kBlocks; ++b) {
        std::vector<std::uint32_t> &offsets = m_offsets[b];
        offsets.assign(65537, 0);
        for (std::uint64_t h : m_hashes)
            ++offsets[block(h, b) + 1];
        for (size_t k = 1; k < offsets.size(); ++k)
            offsets[k] += offsets[k - 1];
        std::vector<std::uint32_t> next(offsets.begin(), offsets.end() - 1);
        m_ids[b].resize(m_hashes.size());
        m_sorted[b].resize(m_hashes.size());
        for (size_t i = 0; i < m_hashes.size(); ++i) {
            const std::uint32_t at = next[block(m_hashes[i], b)]++;
            m_ids[b][at] = std::int32_t(i);
            m_sorted[b][at] = m_hashes[i];
        }
    }
}

std::vector<std::pair<std::int32_t, std::int32_t>> HammingIndex::pairsWithin(int maxDistance,
                                                                             int threads) const {
    const int radius = maxDistance / kBlocks;
    if (threads <= 0)
        threads = int(std::max(1u, std::thread::hardware_concurrency()));
    threads = std::max(1, std::min(threads, int(m_hashes.size()) / 4096 + 1));
    std::vector<std::vector<std::pair<std::int32_t, std::int32_t>>> parts(
        static_cast<size_t>(threads));
    // Bucket against bucket rather than hash against buckets: each bucket is compared with the
    // buckets within the radius of it, so memory is read in runs instead of at random.
    auto work = [&](int part) {
        auto &out = parts[size_t(part)];
        for (int b = 0; b < kBlocks; ++b) {
            const std::uint64_t *hashes = m_sorted[b].data();
            const std::int32_t *ids = m_ids[b].data();
            const std::uint32_t *offsets = m_offsets[b].data();
            for (std::uint32_t key = std::uint32_t(part); key < 65536;
                 key += std::uint32_t(threads)) {
                const std::uint32_t begin = offsets[key], end = offsets[key + 1];
                if (begin == end)
                    continue;
                neighbours(key, radius, 0, [&](std::uint32_t other) {
                    if (other < key)
                        return; // the pair of buckets is visited from the smaller key
                    for (std::uint32_t x = begin; x < end; ++x) {
                        const std::uint64_t hx = hashes[x];
                        for (std::uint32_t y = other == key ? x + 1 : offsets[other];
                             y < offsets[other + 1]; ++y) {
                            const std::uint64_t hy = hashes[y];
                            if (__builtin_popcountll(hx ^ hy) > maxDistance)
                                continue;
                            // Report the pair from the first block where it is within the radius.
                            bool earlier = false;
                            for (int e = 0; e < b && !earlier; ++e)
                                earlier = __builtin_popcount(block(hx, e) ^ block(hy, e)) <= radius;
                            if (!earlier)
                                out.emplace_back(std::min(ids[x], ids[y]),
                                                 std::max(ids[x], ids[y]));
                        }
                    }
                });
            }
        }
    };
    std::vector<std::thread> pool;
    for (int t = 1; t < threads; ++t)
        pool.emplace_back(work, t);
    work(0);
    for (std::thread &thread : pool)
        thread.join();
    std::vector<std::pair<std::int32_t, std::int32_t>> pairs;
    for (auto &part : parts)
        pairs.insert(pairs.end(), part.begin(), part.end());
    std::sort(pairs.begin(), pairs.end());
    return pairs;
}

void HammingIndex::within(std::uint64_t query, int maxDistance,
                          std::vector<std::int32_t> &out) const {
    const int radius = maxDistance / kBlocks;
    for (int b = 0; b < kBlocks; ++b) {
        const std::uint64_t *hashes = m_sorted[b].data();
        const std::uint32_t *offsets = m_offsets[b].data();
        neighbours(block(query, b), radius, 0, [&](std::uint32_t key) {
            for (std::uint32_t x = offsets[key]; x < offsets[key + 1]; ++x) {
                const std::uint64_t h = hashes[x];
                if (__builtin_popcountll(h ^ query) > maxDistance)
                    continue;
                bool earlier = false; // found from an earlier block already
                for (int e = 0; e < b && !earlier; ++e)
                    earlier = __builtin_popcount(block(h, e) ^ block(query, e)) <= radius;
                if (!earlier)
                    out.push_back(m_ids[b][x]);
            }
        });
    }
}

} // namespace winnow::core

#pragma once

#include <cstdint>
#include <utility>
#include <vector>

namespace winnow::core {

// All pairs of 64-bit hashes within a Hamming distance, without comparing every pair
// (multi-index hashing, Norouzi et al. 2012): the hash is cut into four 16-bit blocks; two
// hashes within distance d agree within floor(d / 4) bits on at least one block, so each block
// is a bucket table and only hashes in buckets near a hash's own are compared.
class HammingIndex {
public:
    explicit HammingIndex(std::vector<std::uint64_t> hashes);

    // Every pair (i < j) with distance <= maxDistance, each once, sorted.
    std::vector<std::pair<std::int32_t, std::int32_t>> pairsWithin(int maxDistance,
                                                                   int threads = 0) const;

    // Appends to `out` the index of every hash within maxDistance of `query`, each once.
    void within(std::uint64_t query, int maxDistance, std::vector<std::int32_t> &out) const;

private:
    static constexpr int kBlocks = 4;
    std::vector<std::uint64_t> m_hashes;
    // Per block: bucket offsets (65537) and the ids in bucket order.
    std::vector<std::uint32_t> m_offsets[kBlocks];
    std::vector<std::int32_t> m_ids[kBlocks];
    std::vector<std::uint64_t>
        m_sorted[kBlocks]; // the hashes in bucket order: candidates are read in sequence
};

} // namespace winnow::core

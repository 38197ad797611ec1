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

private:
    static constexpr int kBlocks = 4;
    std::vector<std::uint64_t> m_hashes;
    // Per block: bucket offsets (65537) and the ids in bucket order.
    std::vector<std::uint32_t> m_offsets[kBlocks];
    std::vector<std::int32_t> m_ids[kBlocks];
    std::vector<std::uint64_t>
        m_sorted[kBlocks]; // the hashes in bucket order: candidates are read in sequence
};

// Every pair (q, i) of a query hash and an indexed hash within maxDistance, each once, sorted:
// a join of two sets, such as whole-image hashes against the crop hashes of every image. The
// indexed set is cut into blocks as wide as it needs for its buckets to stay small (three of
// 21-22 bits from half a million hashes, four of 16 below), one block at a time, so memory is
// that of one copy of the indexed hashes and work grows with the pairs of nearby buckets.
std::vector<std::pair<std::int32_t, std::int32_t>>
pairsAcross(const std::vector<std::uint64_t> &queries, const std::vector<std::uint64_t> &indexed,
            int maxDistance, int threads = 0);

} // namespace winnow::core

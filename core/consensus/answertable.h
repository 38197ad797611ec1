#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace winnow::core {

// Answers of a crowd in compact form for the consolidation methods: items, workers and classes
// are dense indices; each item's answers are contiguous (compressed rows).
struct AnswerTable {
    int items = 0;
    int workers = 0;
    int classes = 0;
    std::vector<std::int64_t>
        offsets;                      // items + 1: answers of item i are [offsets[i], offsets[i+1])
    std::vector<std::int32_t> worker; // per answer
    std::vector<std::int32_t> label;  // per answer

    std::int64_t answers() const { return std::int64_t(worker.size()); }
    int answersOf(int item) const { return int(offsets[size_t(item) + 1] - offsets[size_t(item)]); }
};

// Builds an AnswerTable from (item, worker, label) triples in any order.
class AnswerTableBuilder {
public:
    void add(std::int32_t item, std::int32_t worker, std::int32_t label);
    // `items`, `workers` and `classes` may exceed the largest index seen (items nobody
    // answered, classes nobody chose).
    AnswerTable build(int items, int workers, int classes);

private:
    std::vector<std::int32_t> m_item, m_worker, m_label;
};

} // namespace winnow::core

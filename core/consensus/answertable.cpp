#include "core/consensus/answertable.h"

namespace winnow::core {

void AnswerTableBuilder::add(std::int32_t item, std::int32_t worker, std::int32_t label) {
    m_item.push_back(item);
    m_worker.push_back(worker);
    m_label.push_back(label);
}

AnswerTable AnswerTableBuilder::build(int items, int workers, int classes) {
    AnswerTable table;
    table.items = items;
    table.workers = workers;
    table.classes = classes;
    table.offsets.assign(size_t(items) + 1, 0);
    for (std::int32_t item : m_item)
        ++table.offsets[size_t(item) + 1];
    for (size_t i = 1; i < table.offsets.size(); ++i)
        table.offsets[i] += table.offsets[i - 1];
    table.worker.resize(m_item.size());
    table.label.resize(m_item.size());
    // Counting sort by item keeps each item's answers in the order they were added.
    std::vector<std::int64_t> next(table.offsets.begin(), table.offsets.end() - 1);
    for (size_t a = 0; a < m_item.size(); ++a) {
        const std::int64_t at = next[size_t(m_item[a])]++;
        table.worker[size_t(at)] = m_worker[a];
        table.label[size_t(at)] = m_label[a];
    }
    m_item.clear();
    m_worker.clear();
    m_label.clear();
    return table;
}

} // namespace winnow::core

#pragma once

#include <QByteArrayView>
#include <QHashFunctions>
#include <string_view>
#include <vector>

namespace winnow::core {

// Numbers names in the order they are first seen: an open-addressing table of ids over views
// into text that outlives it (a file read whole). For millions of rows it is several times
// faster than a node-based map: one flat array, no allocation per name.
class NameIndex {
public:
    explicit NameIndex(size_t expected = 16) {
        size_t capacity = 16;
        while (capacity < expected * 2)
            capacity <<= 1;
        m_table.assign(capacity, -1);
    }

    // The id of `name`, adding it when it is new.
    int intern(std::string_view name) {
        size_t at = slotOf(name);
        for (int id; (id = m_table[at]) >= 0; at = (at + 1) & (m_table.size() - 1))
            if (m_names[size_t(id)] == name)
                return id;
        const int id = int(m_names.size());
        m_names.push_back(name);
        m_table[at] = id;
        if (m_names.size() * 2 > m_table.size())
            grow();
        return id;
    }

    const std::vector<std::string_view> &names() const { return m_names; }
    size_t size() const { return m_names.size(); }

private:
    size_t slotOf(std::string_view name) const {
        return qHash(QByteArrayView(name.data(), qsizetype(name.size())), 0) & (m_table.size() - 1);
    }
    void grow() {
        m_table.assign(m_table.size() * 2, -1);
        for (size_t id = 0; id < m_names.size(); ++id) {
            size_t at = slotOf(m_names[id]);
            while (m_table[at] >= 0)
                at = (at + 1) & (m_table.size() - 1);
            m_table[at] = int(id);
        }
    }

    std::vector<int> m_table;
    std::vector<std::string_view> m_names;
};

} // namespace winnow::core

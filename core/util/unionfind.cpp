#include "core/util/unionfind.h"

#include <cstddef>
#include <utility>

namespace winnow::core {

UnionFind::UnionFind(int n)
    : m_parent(std::size_t(n))
    , m_size(std::size_t(n), 1) {
    for (int i = 0; i < n; ++i)
        m_parent[std::size_t(i)] = i;
}

int UnionFind::find(int x) {
    while (m_parent[std::size_t(x)] != x) {
        m_parent[std::size_t(x)] = m_parent[std::size_t(m_parent[std::size_t(x)])];
        x = m_parent[std::size_t(x)];
    }
    return x;
}

void UnionFind::unite(int a, int b) {
    a = find(a);
    b = find(b);
    if (a == b)
        return;
    if (m_size[std::size_t(a)] < m_size[std::size_t(b)])
        std::swap(a, b);
    m_parent[std::size_t(b)] = a;
    m_size[std::size_t(a)] += m_size[std::size_t(b)];
}

} // namespace winnow::core

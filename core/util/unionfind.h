#pragma once

#include <vector>

namespace winnow::core {

// Disjoint sets over 0..n-1 with path halving and union by size.
class UnionFind {
public:
    explicit UnionFind(int n);
    int find(int x);
    void unite(int a, int b);

private:
    std::vector<int> m_parent, m_size;
};

} // namespace winnow::core

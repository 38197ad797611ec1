#pragma once

#include <QString>
#include <atomic>
#include <functional>

namespace winnow::core {

// Shared between the thread doing long work and the one that may stop it.
class CancelToken {
public:
    void cancel() { m_cancelled.store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_cancelled.load(std::memory_order_relaxed); }
    void reset() { m_cancelled.store(false, std::memory_order_relaxed); }

private:
    std::atomic<bool> m_cancelled{false};
};

// Called by long work with how far it got; `total` is 0 while unknown.
using ProgressFn = std::function<void(qint64 done, qint64 total, const QString &stage)>;

} // namespace winnow::core

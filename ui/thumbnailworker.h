#pragma once

#include <QImage>
#include <QObject>
#include <QString>
#include <deque>
#include <memory>
#include <mutex>

namespace winnow::core {
class Project;
}

namespace winnow::ui {

// Lives on the thumbnail thread with its own read-only connection to the project.
class ThumbnailWorker final : public QObject {
    Q_OBJECT
public:
    struct Request {
        qint64 itemId = 0;
        QString path;
        quint64 generation = 0;
    };

    explicit ThumbnailWorker(QObject *parent = nullptr);
    ~ThumbnailWorker() override;

    // Thread-safe: queue a request (newest first), dropping the oldest beyond `maxQueued`.
    // Returns the item ids dropped.
    std::vector<qint64> enqueue(Request request, size_t maxQueued);
    void clear();
    size_t queued() const;

    void openProject(const QString &directory, quint64 generation);
    void drain();

Q_SIGNALS:
    void loaded(qint64 itemId, quint64 generation, const QImage &image);

private:
    mutable std::mutex m_mutex;
    std::deque<Request> m_queue;
    std::unique_ptr<core::Project> m_project;
    quint64 m_generation = 0;
    bool m_draining = false;
};

} // namespace winnow::ui

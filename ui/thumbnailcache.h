#pragma once

#include <QCache>
#include <QHash>
#include <QImage>
#include <QObject>
#include <QPixmap>
#include <QThread>
#include <deque>
#include <mutex>

namespace winnow::ui {

class ThumbnailWorker;

// Thumbnails for the grid: a GUI-thread cache of pixmaps in front of a worker thread that
// decodes what the view asks for, newest request first. Requests that wait too long (rows long
// scrolled away) are dropped from the queue.
class ThumbnailCache final : public QObject {
    Q_OBJECT
public:
    static constexpr int kSide = 128;
    static constexpr size_t kMaxQueued = 384;

    explicit ThumbnailCache(QObject *parent = nullptr);
    ~ThumbnailCache() override;

    // Switches to another project (empty: none); drops everything cached and queued.
    void setProject(const QString &directory);
    // The cached thumbnail, or a null pixmap after queueing a request for it.
    QPixmap pixmap(qint64 itemId, const QString &path);
    int pendingCount() const;

Q_SIGNALS:
    void thumbnailReady(qint64 itemId);

private:
    void onLoaded(qint64 itemId, quint64 generation, const QImage &image);

    QCache<qint64, QPixmap> m_pixmaps;
    QHash<qint64, bool> m_requested;
    quint64 m_generation = 0;
    QThread m_thread;
    ThumbnailWorker *m_worker = nullptr;
};

} // namespace winnow::ui

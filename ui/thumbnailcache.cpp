#include "ui/thumbnailcache.h"

#include "ui/thumbnailworker.h"

namespace winnow::ui {

ThumbnailCache::ThumbnailCache(QObject *parent)
    : QObject(parent)
    , m_pixmaps(4000) {
    m_thread.setObjectName(QStringLiteral("thumbnails"));
    m_worker = new ThumbnailWorker;
    m_worker->moveToThread(&m_thread);
    connect(&m_thread, &QThread::finished, m_worker, &QObject::deleteLater);
    connect(m_worker, &ThumbnailWorker::loaded, this, &ThumbnailCache::onLoaded,
            Qt::QueuedConnection);
    m_thread.start(QThread::LowPriority);
}

ThumbnailCache::~ThumbnailCache() {
    m_worker->clear();
    m_thread.quit();
    m_thread.wait();
}

void ThumbnailCache::setProject(const QString &directory) {
    ++m_generation;
    m_worker->clear();
    m_pixmaps.clear();
    m_requested.clear();
    const quint64 generation = m_generation;
    QMetaObject::invokeMethod(m_worker, [worker = m_worker, directory, generation] {
        worker->openProject(directory, generation);
    });
}

QPixmap ThumbnailCache::pixmap(qint64 itemId, const QString &path) {
    if (const QPixmap *cached = m_pixmaps.object(itemId))
        return *cached;
    if (!m_requested.contains(itemId)) {
        m_requested.insert(itemId, true);
        for (qint64 dropped : m_worker->enqueue({itemId, path, m_generation}, kMaxQueued))
            m_requested.remove(dropped);
    }
    return {};
}

int ThumbnailCache::pendingCount() const {
    return int(m_requested.size());
}

void ThumbnailCache::onLoaded(qint64 itemId, quint64 generation, const QImage &image) {
    if (generation != m_generation)
        return;
    m_requested.remove(itemId);
    QPixmap pixmap = QPixmap::fromImage(image);
    if (pixmap.isNull()) {
        // Remember the failure as a 1x1 transparent pixmap so it is not requested again.
        pixmap = QPixmap(1, 1);
        pixmap.fill(Qt::transparent);
    }
    m_pixmaps.insert(itemId, new QPixmap(std::move(pixmap)));
    Q_EMIT thumbnailReady(itemId);
}

} // namespace winnow::ui

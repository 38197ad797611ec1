#include "ui/thumbnailworker.h"

#include "core/store/project.h"
#include "ui/qimageconvert.h"
#include "ui/thumbnailcache.h"

#include <QMetaObject>

namespace winnow::ui {

ThumbnailWorker::ThumbnailWorker(QObject *parent)
    : QObject(parent) {
}
ThumbnailWorker::~ThumbnailWorker() = default;

std::vector<qint64> ThumbnailWorker::enqueue(Request request, size_t maxQueued) {
    std::vector<qint64> dropped;
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        m_queue.push_front(std::move(request));
        while (m_queue.size() > maxQueued) {
            dropped.push_back(m_queue.back().itemId);
            m_queue.pop_back();
        }
        wake = !m_draining;
        m_draining = true;
    }
    if (wake)
        QMetaObject::invokeMethod(this, &ThumbnailWorker::drain, Qt::QueuedConnection);
    return dropped;
}

void ThumbnailWorker::clear() {
    std::lock_guard lock(m_mutex);
    m_queue.clear();
}

size_t ThumbnailWorker::queued() const {
    std::lock_guard lock(m_mutex);
    return m_queue.size();
}

void ThumbnailWorker::openProject(const QString &directory, quint64 generation) {
    m_project.reset();
    m_generation = generation;
    if (!directory.isEmpty()) {
        auto project = core::Project::open(directory, core::Database::Mode::ReadOnly);
        if (project)
            m_project = std::move(project).value();
    }
    // Requests for this project may have arrived while the previous one was draining.
    bool wake = false;
    {
        std::lock_guard lock(m_mutex);
        wake = !m_queue.empty() && !m_draining;
        m_draining = m_draining || wake;
    }
    if (wake)
        QMetaObject::invokeMethod(this, &ThumbnailWorker::drain, Qt::QueuedConnection);
}

void ThumbnailWorker::drain() {
    for (;;) {
        Request request;
        {
            std::lock_guard lock(m_mutex);
            if (m_queue.empty()) {
                m_draining = false;
                return;
            }
            if (m_queue.front().generation > m_generation) {
                // For a project not open yet: openProject, queued behind this drain, opens it
                // and drains again. Dropping the request here would leave its cell blank.
                m_draining = false;
                return;
            }
            request = std::move(m_queue.front());
            m_queue.pop_front();
        }
        if (request.generation < m_generation)
            continue; // for a project no longer shown
        if (!m_project) {
            Q_EMIT loaded(request.itemId, request.generation, QImage());
            continue;
        }
        const auto raster =
            core::loadThumbnail(*m_project, request.itemId, request.path, ThumbnailCache::kSide);
        // A file that cannot be read gets a null image, so the view stops asking for it.
        Q_EMIT loaded(request.itemId, request.generation, raster ? toQImage(*raster) : QImage());
    }
}

} // namespace winnow::ui

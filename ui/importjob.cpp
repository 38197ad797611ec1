#include "ui/importjob.h"

#include "core/io/folderimporter.h"
#include "core/io/idximporter.h"
#include "core/store/project.h"

#include <QMetaObject>
#include <QPointer>
#include <QThread>

namespace winnow::ui {

ImportJob::ImportJob(Request request, QObject *parent)
    : QObject(parent)
    , m_request(std::move(request)) {
}

ImportJob::~ImportJob() {
    if (m_thread) {
        m_cancel.cancel();
        m_thread->wait();
    }
}

bool ImportJob::isRunning() const {
    return m_thread && m_thread->isRunning();
}

void ImportJob::cancel() {
    m_cancel.cancel();
}

void ImportJob::start() {
    QPointer<ImportJob> self(this);
    m_thread = QThread::create([this, self] {
        auto report = [self](qint64 done, qint64 total, const QString &stage) {
            QMetaObject::invokeMethod(
                self,
                [self, done, total, stage] {
                    if (self)
                        Q_EMIT self->progress(done, total, stage);
                },
                Qt::QueuedConnection);
        };
        core::ImportSummary summary;
        QString error;
        auto project = core::Project::open(m_request.projectDirectory);
        if (!project) {
            error = project.error().message;
        } else {
            const Request &r = m_request;
            auto result =
                r.kind == Request::Kind::Folder
                    ? core::importImageFolder(**project, r.folder, r.options, report, &m_cancel)
                    : core::importIdx(**project, r.imagesFile, r.labelsFile,
                                      {r.options.split, 0, r.classNames}, report, &m_cancel);
            if (result)
                summary = std::move(result).value();
            else
                error = result.error().message;
        }
        QMetaObject::invokeMethod(
            self,
            [self, summary, error] {
                if (self)
                    Q_EMIT self->finished(summary, error);
            },
            Qt::QueuedConnection);
    });
    m_thread->setParent(this);
    m_thread->setObjectName(QStringLiteral("import"));
    m_thread->start();
}

} // namespace winnow::ui

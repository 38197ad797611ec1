#include "ui/job.h"

#include <QMetaObject>
#include <QPointer>
#include <QProgressDialog>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>
#include <climits>
#include <exception>

namespace winnow::ui {

Job::Job(QObject *parent)
    : QObject(parent) {
    connect(&m_watcher, &QFutureWatcherBase::finished, this,
            [this] { Q_EMIT finished(m_watcher.result()); });
}

Job::~Job() {
    m_cancel.cancel();
    m_watcher.waitForFinished();
}

bool Job::start(Work work) {
    if (m_watcher.isRunning())
        return false;
    m_cancel.reset();
    QPointer<Job> self(this);
    const core::ProgressFn report = [self](qint64 done, qint64 total, const QString &stage) {
        QMetaObject::invokeMethod(
            self,
            [self, done, total, stage] {
                if (self)
                    Q_EMIT self->progress(done, total, stage);
            },
            Qt::QueuedConnection);
    };
    m_watcher.setFuture(QtConcurrent::run([work = std::move(work), report, this]() -> QString {
        try {
            return work(report, m_cancel);
        } catch (const std::exception &e) {
            return QString::fromUtf8(e.what());
        } catch (...) {
            return tr("unexpected internal error");
        }
    }));
    return true;
}

void Job::cancel() {
    m_cancel.cancel();
}

void Job::showProgress(QWidget *parent, const QString &title) {
    auto *dialog = new QProgressDialog(title, tr("Cancel"), 0, 0, parent);
    dialog->setWindowModality(Qt::WindowModal);
    dialog->setMinimumDuration(300);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setAutoReset(false);
    dialog->setAutoClose(false);
    connect(dialog, &QProgressDialog::canceled, this, &Job::cancel);
    connect(this, &Job::progress, dialog,
            [dialog](qint64 done, qint64 total, const QString &stage) {
                dialog->setLabelText(stage);
                dialog->setMaximum(int(std::min<qint64>(total, INT_MAX)));
                dialog->setValue(int(std::min<qint64>(done, INT_MAX)));
            });
    connect(this, &Job::finished, dialog, [this, dialog] {
        disconnect(dialog, &QProgressDialog::canceled, this, &Job::cancel); // closing "cancels"
        dialog->close();
    });
}

} // namespace winnow::ui

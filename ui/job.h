#pragma once

#include "core/util/progress.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>
#include <functional>

class QWidget;

namespace winnow::ui {

// The one way the UI runs long work: a function that takes a progress callback and a cancel
// token runs on Qt's thread pool; its progress arrives as a signal on the GUI thread, cancel()
// stops it at its next check, and finished() brings its error (empty on success). The work
// must open its own project connection: connections are not shared across threads.
class Job final : public QObject {
    Q_OBJECT

public:
    using Work = std::function<QString(const core::ProgressFn &, const core::CancelToken &)>;

    explicit Job(QObject *parent = nullptr);
    ~Job() override; // cancels and waits

    // False (and nothing starts) while another run of this job is going.
    bool start(Work work);
    void cancel();
    bool isRunning() const { return m_watcher.isRunning(); }
    bool wasCancelled() const { return m_cancel.isCancelled(); }
    void wait() { m_watcher.waitForFinished(); }

    // A modal progress dialog over `parent` that follows this job and whose Cancel cancels it;
    // it closes itself when the job finishes.
    void showProgress(QWidget *parent, const QString &title);

Q_SIGNALS:
    void progress(qint64 done, qint64 total, const QString &stage);
    void finished(const QString &error);

private:
    core::CancelToken m_cancel;
    QFutureWatcher<QString> m_watcher;
};

} // namespace winnow::ui

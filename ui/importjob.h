#pragma once

#include "core/io/importsummary.h"
#include "core/util/progress.h"

#include <QObject>
#include <QStringList>
#include <memory>

class QThread;

namespace winnow::ui {

// Runs one import on its own thread with its own project connection, reporting progress by
// signal; cancel() stops it between chunks (what was stored so far stays).
class ImportJob final : public QObject {
    Q_OBJECT
public:
    struct Request {
        enum class Kind { Folder, Idx } kind = Kind::Folder;
        QString projectDirectory;
        QString folder;     // Folder
        QString imagesFile; // Idx
        QString labelsFile; // Idx
        QStringList classNames;
        core::ImportOptions options;
    };

    explicit ImportJob(Request request, QObject *parent = nullptr);
    ~ImportJob() override;

    void start();
    void cancel();
    bool isRunning() const;

Q_SIGNALS:
    void progress(qint64 done, qint64 total, const QString &stage);
    // `error` is empty on success.
    void finished(const winnow::core::ImportSummary &summary, const QString &error);

private:
    Request m_request;
    core::CancelToken m_cancel;
    QThread *m_thread = nullptr;
};

} // namespace winnow::ui

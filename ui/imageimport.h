#pragma once

#include "core/io/importsummary.h"

#include <QObject>
#include <QStringList>

class QStatusBar;
class QWidget;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class Job;

// The image imports of the File menu: a folder (with labels from folder names and a split) or
// an IDX pair, each in the background with progress and cancel; what was stored before a cancel
// stays.
class ImageImport final : public QObject {
    Q_OBJECT

public:
    ImageImport(QWidget *window, QStatusBar *status);

    void setProject(core::Project *project) { m_project = project; }
    bool isRunning() const;

    void chooseFolder();
    void chooseIdx();
    void importFolder(const QString &folder, const core::ImportOptions &options);
    void importIdx(const QString &images, const QString &labels);

Q_SIGNALS:
    // `error` is empty on success.
    void finished(const winnow::core::ImportSummary &summary, const QString &error);

private:
    struct Request {
        bool idx = false;
        QString folder, images, labels;
        core::ImportOptions options;
    };
    void start(const Request &request);
    void report(const core::ImportSummary &summary);

    QWidget *m_window;
    QStatusBar *m_status;
    core::Project *m_project = nullptr;
    Job *m_job;
};

} // namespace winnow::ui

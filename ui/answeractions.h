#pragma once

#include "core/io/answerfiles.h"

#include <QObject>
#include <functional>

class QStatusBar;
class QWidget;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class Job;

// The answer files of the Labeling menu: importing answers (off the GUI thread, with progress
// and cancel), exporting them, and exporting consolidated labels.
class AnswerActions final : public QObject {
    Q_OBJECT

public:
    // `window` hosts the dialogs; `consolidationShown` names the consolidation under review.
    AnswerActions(QWidget *window, QStatusBar *status, std::function<qint64()> consolidationShown);

    void setProject(core::Project *project) { m_project = project; }
    bool isImporting() const;

    void chooseImport();
    // Imports `file` in the background; answersImported() says how it went.
    void importFile(const QString &file);
    void chooseExport();
    void chooseExportLabels();

Q_SIGNALS:
    // `error` is empty on success; a cancelled import keeps the batches stored before it.
    void answersImported(const winnow::core::AnswerImportSummary &summary, const QString &error);

private:
    void report(const core::AnswerImportSummary &summary, const QString &file);

    QWidget *m_window;
    QStatusBar *m_status;
    std::function<qint64()> m_consolidationShown;
    core::Project *m_project = nullptr;
    Job *m_import;
};

} // namespace winnow::ui

#pragma once

#include "core/io/datasetexport.h"

#include <QDialog>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QSpinBox;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class Job;

// File > Export Dataset and the subset view's Export: the format, an empty or new folder, links
// or copies, and the curated dataset or one selection round of a run. Export runs as a job with
// progress and cancel; the dialog closes when it is done and says what it wrote.
class DatasetExportDialog final : public QDialog {
    Q_OBJECT

public:
    DatasetExportDialog(core::Project &project, std::optional<core::SubsetRef> subset,
                        QWidget *parent = nullptr);

    core::DatasetExportOptions options() const; // as the dialog shows them now
    void setFolder(const QString &folder);
    void setFormat(core::ExportFormat format);
    // Starts the export (the dialog's Export button); false when the options are incomplete.
    bool startExport();
    Job *job() const { return m_job; }
    const core::DatasetExportSummary &summary() const { return m_summary; }

Q_SIGNALS:
    void exported(const QString &error);

private:
    void finished(const QString &error);

    QString m_projectLocation;
    QComboBox *m_format = nullptr;
    QLineEdit *m_folder = nullptr;
    QCheckBox *m_copy = nullptr;
    QComboBox *m_what = nullptr; // 0: the curated dataset; else a run's id
    QSpinBox *m_round = nullptr; // -1: its last
    Job *m_job = nullptr;
    std::shared_ptr<core::DatasetExportSummary> m_result; // the running job's
    core::DatasetExportSummary m_summary;
};

// Opens the dialog over `parent` (modeless, deleted on close).
void chooseDatasetExport(QWidget *parent, core::Project &project,
                         std::optional<core::SubsetRef> subset = std::nullopt);

} // namespace winnow::ui

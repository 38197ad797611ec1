#include "ui/answeractions.h"

#include "core/consensus/consolidation.h"
#include "core/io/labelexport.h"
#include "core/store/project.h"
#include "ui/job.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QMessageBox>
#include <QStatusBar>
#include <memory>

namespace winnow::ui {

AnswerActions::AnswerActions(QWidget *window, QStatusBar *status,
                             std::function<qint64()> consolidationShown)
    : QObject(window)
    , m_window(window)
    , m_status(status)
    , m_consolidationShown(std::move(consolidationShown))
    , m_import(new Job(this)) {
}

bool AnswerActions::isImporting() const {
    return m_import->isRunning();
}

void AnswerActions::chooseImport() {
    if (!m_project)
        return;
    const QString file = QFileDialog::getOpenFileName(
        m_window, tr("Import answers"), {},
        tr("Answers (*.csv *.manifest *.jsonl *.json);;All files (*)"));
    if (!file.isEmpty())
        importFile(file);
}

void AnswerActions::importFile(const QString &file) {
    if (!m_project || m_import->isRunning())
        return;
    const QString dir = m_project->directory();
    auto summary = std::make_shared<core::AnswerImportSummary>();
    m_import->disconnect(this);
    connect(m_import, &Job::finished, this, [this, summary, file](const QString &error) {
        if (error.isEmpty())
            report(*summary, file);
        else
            QMessageBox::warning(m_window, tr("Import failed"), error);
        Q_EMIT answersImported(*summary, error);
    });
    m_import->start([dir, file, summary](const core::ProgressFn &progress,
                                         const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        auto result = core::importAnswers(**project, file, progress, &cancel);
        if (!result)
            return result.error().message;
        *summary = std::move(result).value();
        return {};
    });
    m_import->showProgress(m_window,
                           tr("Importing answers from %1…").arg(QFileInfo(file).fileName()));
}

void AnswerActions::report(const core::AnswerImportSummary &summary, const QString &file) {
    const QString text =
        tr("Imported %1 answers; %2 were already there; %3 rows rejected%4.")
            .arg(summary.imported)
            .arg(summary.duplicates)
            .arg(summary.rejected)
            .arg(summary.cancelled ? tr(" (cancelled: the rest was not imported)") : QString());
    if (summary.issues.empty()) {
        m_status->showMessage(text, 15000);
        return;
    }
    QStringList lines;
    for (const core::LineIssue &issue : summary.issues)
        lines << tr("%1:%2: %3").arg(QFileInfo(file).fileName()).arg(issue.line).arg(issue.reason);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Answers imported with rejected rows"),
                                text, QMessageBox::Ok, m_window);
    box->setDetailedText(lines.join(u'\n'));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void AnswerActions::chooseExport() {
    if (!m_project)
        return;
    const QString file = QFileDialog::getSaveFileName(
        m_window, tr("Export answers"), QStringLiteral("answers.csv"), tr("CSV (*.csv)"));
    if (file.isEmpty())
        return;
    const auto rows = core::exportAnswersCsv(*m_project, file);
    if (!rows)
        QMessageBox::warning(m_window, tr("Export failed"), rows.error().message);
    else
        m_status->showMessage(tr("Exported %L1 answers to %2").arg(*rows).arg(file), 10000);
}

void AnswerActions::chooseExportLabels() {
    if (!m_project)
        return;
    const auto list = core::listConsolidations(*m_project);
    if (!list || list->empty()) {
        QMessageBox::information(m_window, tr("Nothing to export"),
                                 tr("Consolidate the answers first (Review tab)."));
        return;
    }
    const qint64 shown = m_consolidationShown ? m_consolidationShown() : 0;
    const qint64 id = shown ? shown : list->front().id;
    QString filter;
    const QString file = QFileDialog::getSaveFileName(
        m_window, tr("Export consolidated labels"), QStringLiteral("labels.csv"),
        tr("CSV (*.csv);;Ground Truth manifest (*.manifest)"), &filter);
    if (file.isEmpty())
        return;
    const auto format =
        file.endsWith(QLatin1String(".manifest")) || filter.contains(QLatin1String("manifest"))
            ? core::LabelFormat::GroundTruthManifest
            : core::LabelFormat::Csv;
    const auto rows = core::exportConsolidatedLabels(*m_project, id, file, format);
    if (!rows)
        QMessageBox::warning(m_window, tr("Export failed"), rows.error().message);
    else
        m_status->showMessage(tr("Exported %L1 labels to %2").arg(*rows).arg(file), 10000);
}

} // namespace winnow::ui

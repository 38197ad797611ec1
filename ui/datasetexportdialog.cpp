#include "ui/datasetexportdialog.h"

#include "core/store/project.h"
#include "core/train/runs.h"
#include "ui/job.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>

namespace winnow::ui {

DatasetExportDialog::DatasetExportDialog(core::Project &project,
                                         std::optional<core::SubsetRef> subset, QWidget *parent)
    : QDialog(parent)
    , m_projectLocation(project.directory())
    , m_job(new Job(this)) {
    setWindowTitle(tr("Export Dataset"));
    setObjectName(QStringLiteral("exportDataset"));
    auto *form = new QFormLayout(this);

    m_what = new QComboBox;
    m_what->setObjectName(QStringLiteral("what"));
    m_what->addItem(tr("The curated dataset (current labels, excluded images left out)"), 0);
    if (const auto runs = core::listRuns(project); runs)
        for (const core::RunRecord &run : *runs) {
            const auto rounds = core::runSelections(project, run.id);
            if (rounds && !rounds->empty())
                m_what->addItem(tr("The subset run %1 kept (%2, %3 %)")
                                    .arg(run.id)
                                    .arg(core::strategyName(run.options.strategy))
                                    .arg(run.options.fraction * 100, 0, 'f', 0),
                                run.id);
        }
    m_what->setToolTip(tr("Everything labeled, or the images one selection round of a run "
                          "kept, with the labels that run trained on"));
    form->addRow(tr("&What"), m_what);
    m_round = new QSpinBox;
    m_round->setObjectName(QStringLiteral("round"));
    m_round->setRange(-1, 100000);
    m_round->setSpecialValueText(tr("the last"));
    m_round->setValue(-1);
    m_round->setToolTip(tr("Which selection round of the run (rounds count from 0)"));
    form->addRow(tr("&Round"), m_round);
    const auto updateRound = [this] { m_round->setEnabled(m_what->currentData().toLongLong()); };
    connect(m_what, &QComboBox::currentIndexChanged, this, updateRound);
    if (subset) {
        m_what->setCurrentIndex(std::max(0, m_what->findData(subset->runId)));
        m_round->setValue(subset->round);
    }
    updateRound();

    m_format = new QComboBox;
    m_format->setObjectName(QStringLiteral("format"));
    m_format->addItem(tr("ImageFolder tree (split/class/image)"),
                      int(core::ExportFormat::ImageFolder));
    m_format->addItem(tr("CSV (labels.csv: path, label, split, confidence)"),
                      int(core::ExportFormat::Csv));
    m_format->addItem(tr("Ground Truth output manifests (one per split)"),
                      int(core::ExportFormat::Manifest));
    m_format->setToolTip(tr("ImageFolder loads in torchvision and Keras; the CSV in pandas; the "
                            "manifests in SageMaker"));
    form->addRow(tr("&Format"), m_format);
    m_copy = new QCheckBox(tr("&Copy the images instead of linking them"));
    m_copy->setObjectName(QStringLiteral("copy"));
    m_copy->setToolTip(tr("Links are instant and take no space; copies survive moving the tree "
                          "to another machine"));
    form->addRow(QString(), m_copy);
    connect(m_format, &QComboBox::currentIndexChanged, this,
            [this] { m_copy->setEnabled(options().format == core::ExportFormat::ImageFolder); });

    auto *folderRow = new QHBoxLayout;
    m_folder = new QLineEdit;
    m_folder->setObjectName(QStringLiteral("folder"));
    m_folder->setPlaceholderText(tr("an empty or new folder"));
    m_folder->setToolTip(tr("Nothing is written outside this folder; a folder that already "
                            "holds files is refused"));
    auto *browse = new QPushButton(tr("&Browse…"));
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString chosen =
            QFileDialog::getExistingDirectory(this, tr("Choose or create an empty folder"));
        if (!chosen.isEmpty())
            m_folder->setText(chosen);
    });
    folderRow->addWidget(m_folder);
    folderRow->addWidget(browse);
    form->addRow(tr("F&older"), folderRow);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Export"));
    connect(buttons, &QDialogButtonBox::accepted, this, &DatasetExportDialog::startExport);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
    connect(m_job, &Job::finished, this, &DatasetExportDialog::finished);
}

core::DatasetExportOptions DatasetExportDialog::options() const {
    core::DatasetExportOptions options;
    options.format = core::ExportFormat(m_format->currentData().toInt());
    options.folder = m_folder->text().trimmed();
    options.copyImages = m_copy->isChecked();
    if (const qint64 run = m_what->currentData().toLongLong(); run > 0)
        options.subset = core::SubsetRef{run, m_round->value()};
    return options;
}

void DatasetExportDialog::setFolder(const QString &folder) {
    m_folder->setText(folder);
}

void DatasetExportDialog::setFormat(core::ExportFormat format) {
    m_format->setCurrentIndex(std::max(0, m_format->findData(int(format))));
}

bool DatasetExportDialog::startExport() {
    const core::DatasetExportOptions chosen = options();
    if (chosen.folder.isEmpty()) {
        QMessageBox::information(this, tr("Export Dataset"),
                                 tr("Choose an empty or new folder to export into."));
        return false;
    }
    setEnabled(false);
    const QString location = m_projectLocation;
    auto summary = std::make_shared<core::DatasetExportSummary>();
    m_result = summary;
    m_job->start([location, chosen, summary](const core::ProgressFn &progress,
                                             const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(location, core::Database::Mode::ReadOnly);
        if (!project)
            return project.error().message;
        auto result = core::exportDataset(**project, chosen, progress, &cancel);
        if (!result)
            return result.error().message;
        *summary = std::move(result).value();
        return {};
    });
    m_job->showProgress(this, tr("Exporting to %1…").arg(chosen.folder));
    return true;
}

void DatasetExportDialog::finished(const QString &error) {
    setEnabled(true);
    if (m_result)
        m_summary = *m_result;
    Q_EMIT exported(error);
    if (!error.isEmpty()) {
        QMessageBox::warning(this, tr("Export failed"), error);
        return;
    }
    if (m_summary.cancelled) {
        QMessageBox::information(this, tr("Export cancelled"),
                                 tr("Nothing was left in %1.").arg(options().folder));
        return;
    }
    QStringList splits;
    for (const core::CountRow &row : m_summary.perSplit)
        splits << tr("%L1 %2").arg(row.count).arg(row.name);
    auto *box = new QMessageBox(
        m_summary.issues.empty() ? QMessageBox::Information : QMessageBox::Warning,
        tr("Dataset exported"),
        tr("Wrote %L1 images (%2) to %3. Left out: %L4 excluded, %L5 unlabeled, %L6 unreadable.")
            .arg(m_summary.written)
            .arg(splits.isEmpty() ? tr("none") : splits.join(QLatin1String(", ")))
            .arg(options().folder)
            .arg(m_summary.excluded)
            .arg(m_summary.unlabeled)
            .arg(m_summary.issues.size()),
        QMessageBox::Ok, parentWidget());
    QStringList lines;
    for (const core::ImportIssue &issue : m_summary.issues)
        lines << issue.path + QStringLiteral(": ") + issue.reason;
    if (!lines.isEmpty())
        box->setDetailedText(lines.join(u'\n'));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
    accept();
}

void chooseDatasetExport(QWidget *parent, core::Project &project,
                         std::optional<core::SubsetRef> subset) {
    auto *dialog = new DatasetExportDialog(project, subset, parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
}

} // namespace winnow::ui

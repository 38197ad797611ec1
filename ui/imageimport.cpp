#include "ui/imageimport.h"

#include "core/io/folderimporter.h"
#include "core/io/idximporter.h"
#include "core/io/imagecopies.h"
#include "core/store/project.h"
#include "ui/job.h"
#include "ui/preferences.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPushButton>
#include <QSpinBox>
#include <QStatusBar>
#include <memory>

namespace winnow::ui {

ImageImport::ImageImport(QWidget *window, QStatusBar *status)
    : QObject(window)
    , m_window(window)
    , m_status(status)
    , m_job(new Job(this)) {
}

bool ImageImport::isRunning() const {
    return m_job->isRunning();
}

void ImageImport::chooseFolder() {
    if (!m_project)
        return;
    QDialog dialog(m_window);
    dialog.setWindowTitle(tr("Import Image Folder"));
    auto *form = new QFormLayout(&dialog);
    auto *folderRow = new QHBoxLayout;
    auto *folderLabel = new QLabel(tr("(none)"));
    auto *browse = new QPushButton(tr("Choose…"));
    folderRow->addWidget(folderLabel, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Folder"), folderRow);
    auto *labels = new QCheckBox(tr("Use each image's folder name as its label"));
    labels->setToolTip(tr("Answers are recorded from an annotator named 'folder'"));
    form->addRow(QString(), labels);
    auto *split = new QComboBox;
    split->addItem(tr("(none)"));
    for (core::Split s : {core::Split::Train, core::Split::Val, core::Split::Test})
        split->addItem(core::splitName(s), int(s));
    form->addRow(tr("Split"), split);
    auto *follow = new QCheckBox(tr("Follow links that lead out of the folder"));
    follow->setToolTip(tr("Off: a link to a file elsewhere is listed in the report, not read. "
                          "Devices, FIFOs and sockets are never read either way."));
    form->addRow(QString(), follow);
    auto *megapixels = new QSpinBox;
    megapixels->setRange(1, 1000);
    megapixels->setValue(Preferences::load().maxMegapixels);
    megapixels->setSuffix(tr(" megapixels"));
    megapixels->setToolTip(tr("Larger images are refused from their header, before anything "
                              "is decoded, and listed in the report"));
    form->addRow(tr("Largest image"), megapixels);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Import"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(false);
    form->addRow(buttons);
    QString folder;
    connect(browse, &QPushButton::clicked, &dialog, [&] {
        const QString chosen = QFileDialog::getExistingDirectory(&dialog, tr("Folder of images"));
        if (chosen.isEmpty())
            return;
        folder = chosen;
        folderLabel->setText(chosen);
        buttons->button(QDialogButtonBox::Ok)->setEnabled(true);
    });
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() != QDialog::Accepted || folder.isEmpty())
        return;
    core::ImportOptions options;
    options.labelsFromFolders = labels->isChecked();
    options.followLinksOutside = follow->isChecked();
    options.maxPixels = qint64(megapixels->value()) * 1'000'000;
    if (split->currentIndex() > 0)
        options.split = core::Split(split->currentData().toInt());
    importFolder(folder, options);
}

void ImageImport::chooseIdx() {
    if (!m_project)
        return;
    const QString images = QFileDialog::getOpenFileName(
        m_window, tr("IDX images file"), {}, tr("IDX files (*idx3* *.gz);;All files (*)"));
    if (images.isEmpty())
        return;
    const QString labels =
        QFileDialog::getOpenFileName(m_window, tr("IDX labels file"), QFileInfo(images).path(),
                                     tr("IDX files (*idx1* *.gz);;All files (*)"));
    if (!labels.isEmpty())
        importIdx(images, labels);
}

void ImageImport::importFolder(const QString &folder, const core::ImportOptions &options) {
    start({false, folder, {}, {}, options});
}

void ImageImport::importIdx(const QString &images, const QString &labels) {
    start({true, {}, images, labels, {}});
}

void ImageImport::start(const Request &request) {
    if (!m_project || m_job->isRunning())
        return;
    const QString dir = m_project->directory();
    auto summary = std::make_shared<core::ImportSummary>();
    m_job->disconnect(this);
    connect(m_job, &Job::finished, this, [this, summary](const QString &error) {
        if (error.isEmpty())
            report(*summary);
        else
            QMessageBox::warning(m_window, tr("Import failed"), error);
        Q_EMIT finished(*summary, error);
    });
    m_job->start([dir, request, summary](const core::ProgressFn &progress,
                                         const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        auto result = request.idx
                          ? core::importIdx(**project, request.images, request.labels,
                                            {request.options.split, 0, {}}, progress, &cancel)
                          : core::importImageFolder(**project, request.folder, request.options,
                                                    progress, &cancel);
        if (!result)
            return result.error().message;
        *summary = std::move(result).value();
        // A team's annotators may not reach these files: the server keeps copies of the images.
        if ((*project)->isOnServer() && !summary->cancelled) {
            const auto copies =
                core::storeImageCopies(**project, core::kDefaultImageCopySide, progress, &cancel);
            if (!copies)
                return copies.error().message;
        }
        return {};
    });
    m_job->showProgress(m_window, tr("Importing…"));
}

void ImageImport::report(const core::ImportSummary &summary) {
    const QString text = tr("Imported %1 images; %2 were already in the project; %3 skipped%4.")
                             .arg(summary.imported)
                             .arg(summary.alreadyPresent)
                             .arg(summary.skipped)
                             .arg(summary.cancelled ? tr(" (cancelled)") : QString());
    m_status->showMessage(text, 15000);
    if (summary.issues.empty())
        return;
    QStringList lines;
    for (const core::ImportIssue &issue : summary.issues)
        lines << QStringLiteral("%1: %2").arg(issue.path, issue.reason);
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Import finished with skipped files"),
                                text, QMessageBox::Ok, m_window);
    box->setDetailedText(lines.join(u'\n'));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

} // namespace winnow::ui

#include "ui/subsetview.h"

#include "core/store/project.h"
#include "core/train/runs.h"
#include "core/train/trainingset.h"
#include "ui/datasetexportdialog.h"
#include "ui/thumbnailcache.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>
#include <map>

namespace winnow::ui {

SubsetView::SubsetView(QWidget *parent)
    : QWidget(parent)
    , m_thumbnails(new ThumbnailCache(this)) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *controls = new QHBoxLayout;
    controls->addWidget(new QLabel(tr("Subset:")));
    m_round = new QComboBox;
    m_round->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_round->setToolTip(
        tr("Selection round of the selected run (round 0 is the initial random subset)"));
    controls->addWidget(m_round);
    m_summary = new QLabel;
    m_summary->setObjectName(QStringLiteral("subsetSummary"));
    m_summary->setWordWrap(true);
    controls->addWidget(m_summary, 1);
    m_export = new QPushButton(tr("Ex&port Subset…"));
    m_export->setObjectName(QStringLiteral("exportSubset"));
    m_export->setToolTip(tr("Take these images away: an ImageFolder tree, a CSV or manifests, "
                            "with the labels the run trained on"));
    m_export->setEnabled(false);
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (m_project && m_round->currentIndex() >= 0)
            chooseDatasetExport(this, *m_project,
                                core::SubsetRef{m_runId, m_round->currentData().toInt()});
    });
    controls->addWidget(m_export);
    layout->addLayout(controls);
    m_list = new QListWidget;
    m_list->setObjectName(QStringLiteral("subset"));
    m_list->setViewMode(QListView::IconMode);
    m_list->setIconSize(QSize(96, 96));
    m_list->setGridSize(QSize(124, 132));
    m_list->setResizeMode(QListView::Adjust);
    m_list->setMovement(QListView::Static);
    m_list->setUniformItemSizes(true);
    m_list->setWordWrap(true);
    m_list->setToolTip(tr("The images this round kept, in the order they were picked"));
    layout->addWidget(m_list, 1);
    connect(m_round, &QComboBox::currentIndexChanged, this, &SubsetView::showRound);
    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, this, &SubsetView::thumbnailReady);
}

void SubsetView::setProject(core::Project *project) {
    if (project != m_project)
        m_thumbnails->setProject(project ? project->directory() : QString());
    m_project = project;
    showRun(0);
}

void SubsetView::showRun(qint64 runId) {
    m_runId = runId;
    m_rounds.clear();
    if (m_project && runId != 0)
        if (auto rounds = core::runSelections(*m_project, runId))
            m_rounds = std::move(rounds).value();
    const QSignalBlocker block(m_round);
    m_round->clear();
    for (const core::SelectionRound &round : m_rounds)
        m_round->addItem(round.round == 0
                             ? tr("round 0 (random start)")
                             : tr("round %1, epoch %2").arg(round.round).arg(round.epoch),
                         round.round);
    m_round->setCurrentIndex(m_round->count() - 1);
    m_export->setEnabled(!m_rounds.empty());
    showRound();
}

void SubsetView::showRound() {
    m_list->clear();
    m_waiting.clear();
    m_summary->clear();
    if (!m_project || m_runId == 0)
        return;
    if (m_rounds.empty()) {
        m_summary->setText(tr("This run trained on all training images."));
        return;
    }
    const int index = std::clamp(m_round->currentIndex(), 0, int(m_rounds.size()) - 1);
    const core::SelectionRound &round = m_rounds[size_t(index)];
    const auto snapshot = core::runSnapshot(*m_project, m_runId);
    if (!snapshot)
        return;
    QHash<qint64, int> labelOf;
    for (const core::SnapshotItem &item : snapshot->items)
        labelOf.insert(item.itemId, item.label);
    std::map<int, int> perClass;
    for (qint64 id : round.itemIds)
        ++perClass[labelOf.value(id)];
    QStringList counts;
    for (const auto &[label, count] : perClass)
        counts << QStringLiteral("%1 %2").arg(snapshot->classNames.value(label)).arg(count);
    m_summary->setText(
        tr("%n images: ", nullptr, int(round.itemIds.size())) + counts.join(QStringLiteral(", ")) +
        (round.itemIds.size() > size_t(kShown) ? tr(" (the first %1 picks shown)").arg(kShown)
                                               : QString()));
    for (size_t i = 0; i < std::min(round.itemIds.size(), size_t(kShown)); ++i) {
        const qint64 id = round.itemIds[i];
        const auto path = m_project->itemPath(id);
        if (!path)
            continue;
        auto *item = new QListWidgetItem(snapshot->classNames.value(labelOf.value(id)));
        item->setToolTip(*path);
        m_list->addItem(item);
        const QPixmap pixmap = m_thumbnails->pixmap(id, *path);
        if (pixmap.isNull())
            m_waiting.insert(id, item);
        else
            item->setIcon(pixmap);
    }
}

void SubsetView::thumbnailReady(qint64 itemId) {
    QListWidgetItem *item = m_waiting.take(itemId);
    if (!item)
        return;
    const QPixmap pixmap = m_thumbnails->pixmap(itemId, item->toolTip());
    if (pixmap.width() > 1)
        item->setIcon(pixmap);
}

} // namespace winnow::ui

#include "ui/subsetview.h"

#include "core/store/project.h"
#include "core/train/runs.h"
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
    m_shares = new QLabel;
    m_shares->setObjectName(QStringLiteral("subsetShares"));
    m_shares->setWordWrap(true);
    m_shares->setToolTip(
        tr("Each group's share of the images this round kept, against its share of all training "
           "images: a selection that avoids doubtful labels keeps fewer of them than the set "
           "holds"));
    layout->addWidget(m_shares);
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
    m_report = {};
    if (m_project && runId != 0)
        if (auto report = core::subsetReport(*m_project, runId)) {
            m_report = std::move(report).value();
            m_rounds = m_report.rounds;
        }
    const QSignalBlocker block(m_round);
    m_round->clear();
    for (const core::SelectionRound &round : m_rounds)
        m_round->addItem(round.round == 0
                             ? tr("round 0 (random start)")
                             : tr("round %1, epoch %2").arg(round.round).arg(round.epoch),
                         round.round);
    const int last = m_round->count() - 1;
    if (!m_rounds.empty()) {
        m_round->addItem(tr("always chosen (%1)").arg(m_report.alwaysChosen().size()),
                         int(AlwaysChosen));
        m_round->addItem(tr("never chosen (%1)").arg(m_report.neverChosen().size()),
                         int(NeverChosen));
    }
    m_round->setCurrentIndex(last);
    m_export->setEnabled(!m_rounds.empty());
    showRound();
}

void SubsetView::showRound() {
    m_list->clear();
    m_waiting.clear();
    m_summary->clear();
    m_shares->clear();
    if (!m_project || m_runId == 0)
        return;
    if (m_rounds.empty()) {
        m_summary->setText(tr("This run trained on all training images."));
        return;
    }
    const int chosen = m_round->currentData().toInt();
    m_export->setEnabled(chosen >= 0);
    if (chosen < 0) {
        const auto items =
            chosen == AlwaysChosen ? m_report.alwaysChosen() : m_report.neverChosen();
        std::vector<qint64> ids;
        for (const core::SubsetItem *item : items)
            ids.push_back(item->itemId);
        const int counted = m_report.countedRounds;
        m_summary->setText(
            (chosen == AlwaysChosen
                 ? tr("%n images were kept by every counted round", nullptr, int(ids.size()))
                 : tr("%n images were kept by no counted round", nullptr, int(ids.size()))) +
            tr(" (%n rounds%1)", nullptr, counted)
                .arg(counted < int(m_rounds.size()) ? tr(", the random start left out")
                                                    : QString()) +
            (ids.size() > size_t(kShown) ? tr("; the first %1 shown").arg(kShown) : QString()));
        showItems(ids);
        return;
    }
    const auto round =
        std::find_if(m_rounds.begin(), m_rounds.end(),
                     [&](const core::SelectionRound &r) { return r.round == chosen; });
    if (round == m_rounds.end())
        return;
    std::map<QString, int> perClass;
    for (qint64 id : round->itemIds)
        if (const core::SubsetItem *item = m_report.item(id))
            ++perClass[item->label];
    QStringList counts;
    for (const auto &[label, count] : perClass)
        counts << QStringLiteral("%1 %2").arg(label).arg(count);
    m_summary->setText(
        tr("%n images: ", nullptr, int(round->itemIds.size())) + counts.join(QStringLiteral(", ")) +
        (round->itemIds.size() > size_t(kShown) ? tr(" (the first %1 picks shown)").arg(kShown)
                                                : QString()));
    m_shares->setText(sharesText(*round));
    showItems(round->itemIds);
}

QString SubsetView::sharesText(const core::SelectionRound &round) const {
    const std::vector<core::GroupShare> shares = m_report.groupShares(round);
    if (shares.empty())
        return tr("No training image of this run is flagged or has a low-confidence label.");
    QStringList parts;
    for (const core::GroupShare &share : shares) {
        // Red when the round keeps more of a doubtful group than the set holds.
        const bool more = share.keptShare > share.setShare * 1.05;
        parts << tr("%1: <b%2>%3 %</b> of the round, %4 % of the set")
                     .arg(share.group.toHtmlEscaped(),
                          more ? QStringLiteral(" style='color:#c0392b'") : QString())
                     .arg(share.keptShare * 100, 0, 'f', 1)
                     .arg(share.setShare * 100, 0, 'f', 1);
    }
    return parts.join(QStringLiteral(" &nbsp;·&nbsp; "));
}

void SubsetView::showItems(const std::vector<qint64> &itemIds) {
    for (size_t i = 0; i < std::min(itemIds.size(), size_t(kShown)); ++i) {
        const core::SubsetItem *found = m_report.item(itemIds[i]);
        if (!found || found->path.isEmpty())
            continue;
        auto *item = new QListWidgetItem(found->label);
        item->setData(Qt::UserRole, found->path);
        QString tip =
            found->path + tr("\nchosen in %n counted rounds", nullptr, found->timesChosen);
        if (!found->flags.isEmpty())
            tip += tr("\nflags: %1").arg(found->flags.join(QStringLiteral(", ")));
        if (found->confidence)
            tip += tr("\nlabel confidence: %1").arg(*found->confidence, 0, 'f', 2);
        item->setToolTip(tip);
        m_list->addItem(item);
        const QPixmap pixmap = m_thumbnails->pixmap(found->itemId, found->path);
        if (pixmap.isNull())
            m_waiting.insert(found->itemId, item);
        else
            item->setIcon(pixmap);
    }
}

void SubsetView::thumbnailReady(qint64 itemId) {
    QListWidgetItem *item = m_waiting.take(itemId);
    if (!item)
        return;
    const QPixmap pixmap = m_thumbnails->pixmap(itemId, item->data(Qt::UserRole).toString());
    if (pixmap.width() > 1)
        item->setIcon(pixmap);
}

} // namespace winnow::ui

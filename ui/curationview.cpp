#include "ui/curationview.h"

#include "core/consensus/review.h"
#include "core/curation/splits.h"
#include "core/io/rasterimage.h"
#include "core/label/labelsource.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/train/runs.h"
#include "core/train/trainer.h"
#include "ui/job.h"
#include "ui/keyguide.h"
#include "ui/qimageconvert.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListWidget>
#include <QMenu>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <map>
#include <numeric>
#include <set>
#include <utility>

namespace winnow::ui {
namespace {
constexpr auto kDuplicates = "duplicates";
constexpr int kMaxShownGroups = 5000;
// Flags on single images show this many at once, the chosen one selected among them.
constexpr int kFlagPage = 120;
} // namespace

CurationView::CurationView(QWidget *parent)
    : QWidget(parent) {
    setProperty(kKeyHelpProperty,
                QStringList{tr("K\tkeep the selected images, exclude the rest of the group"),
                            tr("E, Delete\texclude the selected images"),
                            tr("R\trestore the selected images"),
                            tr("L\tgive the shown images one label")});
    auto *layout = new QVBoxLayout(this);
    m_counts = new QLabel;
    m_counts->setTextFormat(Qt::RichText);
    m_counts->setWordWrap(true);
    layout->addWidget(m_counts);

    auto *bar = new QHBoxLayout;
    m_refreshButton = new QPushButton(tr("Refresh Flags"));
    m_refreshButton->setToolTip(
        tr("Find duplicates and leaks, measure image quality and flag divergent labels"));
    connect(m_refreshButton, &QPushButton::clicked, this, &CurationView::refreshFlags);
    bar->addWidget(m_refreshButton);
    bar->addSpacing(16);
    bar->addWidget(new QLabel(tr("Near-duplicate distance")));
    m_distance = new QSlider(Qt::Horizontal);
    m_distance->setRange(0, 16);
    m_distance->setValue(core::kDefaultNearDuplicateDistance);
    m_distance->setToolTip(
        tr("How many of the 64 perceptual-hash bits may differ; clusters update as you move it"));
    m_distance->setMaximumWidth(240);
    bar->addWidget(m_distance);
    m_distanceLabel = new QLabel;
    bar->addWidget(m_distanceLabel);
    m_apply = new QPushButton(tr("Save Clusters"));
    m_apply->setToolTip(tr("Store the duplicate and leak flags at this distance"));
    bar->addWidget(m_apply);
    m_mirrors = new QCheckBox(tr("Mirrored copies too"));
    m_mirrors->setToolTip(
        tr("Also cluster images that are left-right mirror images of each other"));
    connect(m_mirrors, &QCheckBox::toggled, this, [this] { setMaxDistance(m_distance->value()); });
    bar->addWidget(m_mirrors);
    auto *split = new QPushButton(tr("Re-split…"));
    split->setToolTip(
        tr("New train/val/test splits, stratified by label, duplicate clusters kept whole"));
    connect(split, &QPushButton::clicked, this, &CurationView::chooseSplit);
    bar->addWidget(split);
    auto *embeddings = new QPushButton(tr("Model Duplicates…"));
    embeddings->setToolTip(tr("Near duplicates as a trained model sees them: images whose "
                              "embeddings in a finished run are almost the same"));
    connect(embeddings, &QPushButton::clicked, this, &CurationView::chooseEmbeddingDuplicates);
    bar->addWidget(embeddings);
    bar->addStretch();
    bar->addWidget(new QLabel(tr("Show")));
    m_kind = new QComboBox;
    m_kind->setToolTip(tr("What to list: duplicate clusters at the distance chosen, or the "
                          "images of one kind of stored flag"));
    m_kind->addItem(tr("Duplicate clusters"), QString::fromLatin1(kDuplicates));
    for (core::FlagKind kind :
         {core::FlagKind::Leak, core::FlagKind::Divergent, core::FlagKind::Dark,
          core::FlagKind::Bright, core::FlagKind::LowInformation, core::FlagKind::OddSize,
          core::FlagKind::EmbeddingDuplicate, core::FlagKind::LabelConflict,
          core::FlagKind::LabelError})
        m_kind->addItem(core::flagKindName(kind), core::flagKindName(kind));
    bar->addWidget(m_kind);
    layout->addLayout(bar);
    connect(m_distance, &QSlider::valueChanged, this, &CurationView::setMaxDistance);
    connect(m_apply, &QPushButton::clicked, this, &CurationView::saveClusters);
    connect(m_kind, &QComboBox::currentIndexChanged, this, &CurationView::showGroups);

    auto *splitter = new QSplitter;
    m_groups = new QListWidget;
    m_groups->setObjectName(QStringLiteral("groups"));
    m_groups->setToolTip(tr("Clusters or flagged items"));
    connect(m_groups, &QListWidget::currentRowChanged, this, &CurationView::showMembers);
    splitter->addWidget(m_groups);
    auto *right = new QWidget;
    auto *rightLayout = new QVBoxLayout(right);
    m_members = new QListWidget;
    m_members->setViewMode(QListView::IconMode);
    m_members->setIconSize(QSize(128, 128));
    m_members->setGridSize(QSize(190, 200));
    m_members->setResizeMode(QListView::Adjust);
    m_members->setMovement(QListView::Static);
    m_members->setWordWrap(true);
    m_members->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_members->setToolTip(tr("The chosen group's images: select some (Shift, Ctrl), then K keeps "
                             "them, E excludes, R restores, L gives one label"));
    rightLayout->addWidget(m_members, 1);
    auto *actions = new QHBoxLayout;
    auto *keep = new QPushButton(tr("Keep Selected, Exclude the Rest"));
    keep->setToolTip(
        tr("K: the selected image (or the first) stays in training, the others are excluded"));
    auto *exclude = new QPushButton(tr("Exclude"));
    exclude->setToolTip(tr("E: leave the selected images out of training (reversible)"));
    auto *restore = new QPushButton(tr("Restore"));
    restore->setToolTip(tr("R: bring the selected images back into training"));
    connect(keep, &QPushButton::clicked, this, &CurationView::keepSelectedExcludeRest);
    connect(exclude, &QPushButton::clicked, this, &CurationView::excludeSelected);
    connect(restore, &QPushButton::clicked, this, &CurationView::restoreSelected);
    auto *label = new QPushButton(tr("Give Them One Label…"));
    label->setToolTip(tr("L: give every image shown one class, recorded as your review (for "
                         "copies whose labels disagree)"));
    connect(label, &QPushButton::clicked, this, &CurationView::chooseLabelForShownImages);
    actions->addWidget(keep);
    actions->addWidget(exclude);
    actions->addWidget(restore);
    actions->addWidget(label);
    actions->addStretch();
    rightLayout->addLayout(actions);
    splitter->addWidget(right);
    splitter->setSizes({320, 800});
    layout->addWidget(splitter, 1);

    m_refresh = new Job(this);
    connect(m_refresh, &Job::finished, this, [this](const QString &error) {
        m_refreshButton->setEnabled(true);
        m_refreshButton->setText(tr("Refresh Flags"));
        if (m_refresh->wasCancelled())
            Q_EMIT failed(tr("Flag refresh cancelled; the flags not yet refreshed are kept"));
        else if (!error.isEmpty())
            Q_EMIT failed(error);
        reload();
        if (!m_showAfterRefresh.isEmpty())
            showKind(std::exchange(m_showAfterRefresh, QString()));
        Q_EMIT flagsRefreshed();
    });
}

CurationView::~CurationView() = default; // the job cancels and waits

void CurationView::setProject(core::Project *project, qint64 curatorId) {
    m_project = project;
    m_curatorId = curatorId;
    reload();
}

void CurationView::reload() {
    loadItems();
    updateCounts();
    if (!showStoredClusters())
        setMaxDistance(m_distance->value());
}

bool CurationView::showStoredClusters() {
    std::vector<core::ClusterMember> stored;
    try {
        if (m_project)
            stored = core::FlagRepository(*m_project).duplicateClusterMembers();
    } catch (const std::exception &e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
    if (stored.empty())
        return false;
    QHash<qint64, size_t> index;
    for (size_t i = 0; i < m_items.size(); ++i)
        index.insert(m_items[i].id, i);
    core::DuplicateClusters clusters;
    clusters.cluster.assign(m_items.size(), 0);
    std::map<int, int> number; // stored cluster -> shown cluster
    for (const core::ClusterMember &member : stored) {
        const auto at = index.constFind(member.itemId);
        if (at == index.constEnd())
            continue;
        const auto [it, added] = number.try_emplace(member.cluster, clusters.count + 1);
        if (added) {
            ++clusters.count;
            clusters.exact.push_back(true);
        }
        clusters.cluster[*at] = it->second;
        if (!member.exact)
            clusters.exact[size_t(it->second - 1)] = false;
    }
    m_clusters = std::move(clusters);
    m_distanceLabel->setText(tr("%L1 stored clusters").arg(m_clusters.count));
    showGroups();
    return true;
}

void CurationView::saveClusters() {
    if (!m_project || m_refresh->isRunning())
        return;
    const QString dir = m_project->directory();
    const int distance = m_distance->value();
    const bool mirrors = m_mirrors->isChecked();
    m_refresh->start([dir, distance, mirrors](const core::ProgressFn &progress,
                                              const core::CancelToken &) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        progress(0, 0, tr("Finding duplicates and comparing candidates image by image"));
        return core::flagDuplicates(**project, distance, mirrors).errorMessage();
    });
    m_refresh->showProgress(this, tr("Saving duplicate clusters…"));
}

void CurationView::loadItems() {
    m_items.clear();
    m_classNames.clear();
    m_excluded.clear();
    if (!m_project)
        return;
    try {
        for (const core::ItemFacts &item :
             core::ItemRepository(*m_project).all(core::ItemRepository::Order::ByPath))
            m_items.push_back(
                {item.id,
                 item.path,
                 item.split,
                 0,
                 {item.contentHash, item.pixelHash, item.perceptualHash, item.mirroredHash}});
    } catch (const std::exception &e) {
        Q_EMIT failed(QString::fromUtf8(e.what()));
    }
    if (const auto labels = core::currentLabels(*m_project))
        for (Item &item : m_items)
            item.classId = labels->value(item.id);
    if (const auto classes = m_project->classes())
        for (const core::ClassInfo &c : *classes)
            m_classNames.insert(c.id, c.name);
    if (auto state = core::exclusions(*m_project))
        m_excluded = std::move(state).value();
}

void CurationView::updateCounts() {
    if (!m_project) {
        m_counts->clear();
        return;
    }
    const auto counts = core::flagCounts(*m_project);
    if (!counts || counts->isEmpty()) {
        m_counts->setText(
            tr("No flags stored yet: <b>Refresh Flags</b> finds duplicates, leaks across splits, "
               "divergent labels and image-quality problems."));
        return;
    }
    QStringList parts;
    const std::map<QString, qint64> sorted(counts->keyValueBegin(), counts->keyValueEnd());
    for (const auto &[kind, count] : sorted)
        parts << tr("<b>%L1</b> %2").arg(count).arg(kind);
    qint64 excluded = 0;
    for (bool out : std::as_const(m_excluded))
        excluded += out;
    parts << tr("<b>%L1</b> excluded from training").arg(excluded);
    m_counts->setText(parts.join(QStringLiteral(" &nbsp;·&nbsp; ")));
}

void CurationView::setMaxDistance(int distance) {
    {
        const QSignalBlocker block(m_distance);
        m_distance->setValue(distance);
    }
    std::vector<core::Fingerprint> prints;
    prints.reserve(m_items.size());
    for (const Item &item : m_items)
        prints.push_back(item.print);
    m_clusters = core::findDuplicates(prints, distance, m_mirrors->isChecked());
    m_distanceLabel->setText(tr("%1 bits: %L2 clusters by hash (Save Clusters compares the images)")
                                 .arg(distance)
                                 .arg(m_clusters.count));
    showGroups();
}

int CurationView::clusterCount() const {
    return m_clusters.count;
}

void CurationView::showGroups() {
    const QSignalBlocker block(m_groups);
    m_groups->clear();
    m_members->clear();
    m_flagPage = -1;
    const QString kind = m_kind->currentData().toString();
    if (kind == QLatin1String(kDuplicates)) {
        std::vector<int> size(size_t(m_clusters.count), 0);
        std::vector<std::set<QString>> splits(size_t(m_clusters.count));
        std::vector<std::set<QString>> labels(size_t(m_clusters.count));
        for (size_t i = 0; i < m_items.size(); ++i)
            if (const int c = m_clusters.cluster[i]; c > 0) {
                ++size[size_t(c - 1)];
                splits[size_t(c - 1)].insert(m_items[i].split);
                if (m_items[i].classId)
                    labels[size_t(c - 1)].insert(m_classNames.value(m_items[i].classId));
            }
        // Copies whose labels disagree first: they are the ones most worth a look. Small
        // clusters before large ones among them: a pair is more likely a copy than a chain of
        // hundreds of look-alikes is.
        std::vector<int> order(size_t(m_clusters.count));
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(), [&](int a, int b) {
            const bool conflictA = labels[size_t(a)].size() > 1;
            const bool conflictB = labels[size_t(b)].size() > 1;
            if (conflictA != conflictB)
                return conflictA;
            return conflictA && size[size_t(a)] < size[size_t(b)];
        });
        for (int shown = 0; shown < std::min(m_clusters.count, kMaxShownGroups); ++shown) {
            const int c = order[size_t(shown)];
            const bool leak = core::splitsLeak(splits[size_t(c)]);
            const std::set<QString> &classes = labels[size_t(c)];
            const bool conflict = classes.size() > 1;
            auto *entry = new QListWidgetItem(
                tr("Cluster %1 — %2 images — %3%4%5")
                    .arg(c + 1)
                    .arg(size[size_t(c)])
                    .arg(m_clusters.exact[size_t(c)] ? tr("exact") : tr("near"))
                    .arg(conflict ? tr(" — labels disagree: %1")
                                        .arg(QStringList(classes.begin(), classes.end())
                                                 .join(QStringLiteral(", ")))
                                  : QString())
                    .arg(leak ? tr(" — leaks across splits") : QString()),
                m_groups);
            entry->setData(Qt::UserRole, c + 1);
            if (conflict)
                entry->setForeground(QColor(QStringLiteral("#d35400")));
            else if (leak)
                entry->setForeground(QColor(QStringLiteral("#c0392b")));
        }
    } else if (m_project) {
        auto flags = core::listFlags(*m_project, core::parseFlagKind(kind));
        m_flags = flags ? std::move(flags).value() : std::vector<core::FlagRow>{};
        m_flagClusters.clear();
        for (const core::FlagRow &flag : m_flags)
            if (flag.cluster > 0)
                m_flagClusters[flag.cluster].push_back(flag.itemId);
        if (!m_flagClusters.empty()) {
            // Embedding duplicates and label conflicts come in clusters: one entry each.
            QHash<int, QString> detail;
            for (const core::FlagRow &flag : m_flags)
                detail.insert(flag.cluster, flag.detail);
            for (const auto &[cluster, ids] : m_flagClusters) {
                if (m_groups->count() >= kMaxShownGroups)
                    break;
                auto *entry = new QListWidgetItem(tr("Cluster %1 — %2 images — %3")
                                                      .arg(cluster)
                                                      .arg(ids.size())
                                                      .arg(detail.value(cluster)),
                                                  m_groups);
                entry->setData(Qt::UserRole, cluster);
            }
        } else {
            for (size_t f = 0; f < m_flags.size() && f < size_t(kMaxShownGroups); ++f) {
                auto *entry = new QListWidgetItem(
                    QStringLiteral("%1 — %2").arg(QFileInfo(m_flags[f].path).fileName(),
                                                  m_flags[f].detail),
                    m_groups);
                entry->setData(Qt::UserRole, int(f));
            }
        }
    }
    if (m_groups->count() > 0)
        m_groups->setCurrentRow(0);
    showMembers();
}

void CurationView::showMembers() {
    const QListWidgetItem *group = m_groups->currentItem();
    const bool singles =
        m_kind->currentData().toString() != QLatin1String(kDuplicates) && m_flagClusters.empty();
    if (group && m_project && singles) {
        showFlaggedPage(m_groups->currentRow());
        return;
    }
    m_flagPage = -1;
    m_members->clear();
    if (!group || !m_project)
        return;
    std::vector<const Item *> shown;
    if (m_kind->currentData().toString() == QLatin1String(kDuplicates)) {
        const int cluster = group->data(Qt::UserRole).toInt();
        for (size_t i = 0; i < m_items.size(); ++i)
            if (m_clusters.cluster[i] == cluster)
                shown.push_back(&m_items[i]);
    } else {
        std::set<qint64> ids;
        const auto it = m_flagClusters.find(group->data(Qt::UserRole).toInt());
        if (it != m_flagClusters.end())
            ids.insert(it->second.begin(), it->second.end());
        for (const Item &item : m_items)
            if (ids.count(item.id))
                shown.push_back(&item);
    }
    addMembers(shown);
}

// Single-image flags (dark, odd size, label errors...): a page of the flagged images at once,
// in the list's order, with the one chosen in the list selected.
void CurationView::showFlaggedPage(int row) {
    const int page = row / kFlagPage;
    if (page != m_flagPage) {
        m_flagPage = page;
        m_members->clear();
        QHash<qint64, const Item *> byId;
        for (const Item &item : m_items)
            byId.insert(item.id, &item);
        std::vector<const Item *> shown;
        const int end =
            std::min(int(m_flags.size()), std::min(m_groups->count(), (page + 1) * kFlagPage));
        for (int f = page * kFlagPage; f < end; ++f)
            if (const Item *item = byId.value(m_flags[size_t(f)].itemId))
                shown.push_back(item);
        addMembers(shown);
    }
    const qint64 chosen = m_flags[size_t(m_groups->item(row)->data(Qt::UserRole).toInt())].itemId;
    for (int i = 0; i < m_members->count(); ++i)
        if (m_members->item(i)->data(Qt::UserRole).toLongLong() == chosen) {
            m_members->setCurrentRow(i, QItemSelectionModel::ClearAndSelect);
            m_members->scrollToItem(m_members->item(i));
            break;
        }
}

void CurationView::addMembers(const std::vector<const Item *> &shown) {
    for (const Item *item : shown) {
        const auto raster = core::loadThumbnail(*m_project, item->id, item->path, 128);
        QPixmap pixmap = raster ? QPixmap::fromImage(toQImage(*raster)) : QPixmap();
        if (!pixmap.isNull() && pixmap.width() < 128)
            pixmap = pixmap.scaled(128, 128, Qt::KeepAspectRatio, Qt::FastTransformation);
        const bool excluded = m_excluded.value(item->id);
        auto *entry = new QListWidgetItem(
            QIcon(pixmap),
            tr("%1\n%2 · %3%4")
                .arg(QFileInfo(item->path).fileName(), item->split,
                     item->classId ? m_classNames.value(item->classId) : tr("unlabelled"),
                     excluded ? tr("\nEXCLUDED") : QString()),
            m_members);
        entry->setData(Qt::UserRole, item->id);
        entry->setToolTip(item->path);
        if (excluded)
            entry->setForeground(Qt::gray);
    }
}

std::vector<qint64> CurationView::selectedIds(bool selected) const {
    std::vector<qint64> ids;
    for (int row = 0; row < m_members->count(); ++row)
        if (m_members->item(row)->isSelected() == selected)
            ids.push_back(m_members->item(row)->data(Qt::UserRole).toLongLong());
    return ids;
}

void CurationView::setExcluded(const std::vector<qint64> &ids, bool excluded,
                               const QString &reason) {
    if (!m_project || ids.empty())
        return;
    if (const auto done = core::setExcluded(*m_project, ids, excluded, reason, m_curatorId);
        !done) {
        Q_EMIT failed(done.error().message);
        return;
    }
    for (qint64 id : ids)
        m_excluded.insert(id, excluded);
    const int row = m_groups->currentRow();
    m_flagPage = -1; // shown again, with the new marks
    showMembers();
    updateCounts();
    m_groups->setCurrentRow(row);
}

void CurationView::keepSelectedExcludeRest() {
    if (m_members->count() == 0)
        return;
    if (m_members->selectedItems().isEmpty())
        m_members->item(0)->setSelected(true);
    const std::vector<qint64> keep = selectedIds(true);
    // A page of single-image flags is not a cluster: the rest are other images, left alone.
    if (m_flagPage < 0)
        setExcluded(selectedIds(false), true, QStringLiteral("duplicate of a kept image"));
    setExcluded(keep, false, QStringLiteral("kept from its cluster"));
}

void CurationView::excludeSelected() {
    setExcluded(selectedIds(true), true, QStringLiteral("excluded while curating"));
}

void CurationView::restoreSelected() {
    setExcluded(selectedIds(true), false, QStringLiteral("restored while curating"));
}

void CurationView::labelShownImages(qint64 classId) {
    if (!m_project || m_members->count() == 0)
        return;
    // A cluster gets one label whole; of a page of single-image flags, only the selected.
    std::vector<qint64> ids = m_flagPage < 0 ? std::vector<qint64>{} : selectedIds(true);
    if (m_flagPage < 0)
        for (int row = 0; row < m_members->count(); ++row)
            ids.push_back(m_members->item(row)->data(Qt::UserRole).toLongLong());
    if (ids.empty())
        return;
    const auto decided = core::reviewAllAs(*m_project, ids, classId, m_curatorId,
                                           QStringLiteral("one label for a duplicate cluster"));
    if (!decided) {
        Q_EMIT failed(decided.error().message);
        return;
    }
    const int row = m_groups->currentRow();
    loadItems();
    showGroups();
    m_groups->setCurrentRow(std::min(row, m_groups->count() - 1));
}

void CurationView::chooseLabelForShownImages() {
    if (!m_project || m_members->count() == 0)
        return;
    const auto classes = m_project->classes();
    if (!classes || classes->empty()) {
        Q_EMIT failed(tr("The project has no classes yet"));
        return;
    }
    QMenu menu(this);
    menu.setToolTipsVisible(true);
    for (const core::ClassInfo &c : *classes) {
        QAction *action = menu.addAction(c.name);
        action->setData(c.id);
    }
    const QAction *chosen = menu.exec(mapToGlobal(m_members->geometry().center()));
    if (chosen)
        labelShownImages(chosen->data().toLongLong());
}

void CurationView::showKind(const QString &kind) {
    const int index = m_kind->findData(kind);
    if (index >= 0)
        m_kind->setCurrentIndex(index);
}

QString CurationView::shownKind() const {
    return m_kind->currentData().toString();
}

void CurationView::findEmbeddingDuplicates(qint64 runId, double minSimilarity) {
    if (!m_project || m_refresh->isRunning())
        return;
    m_refreshButton->setEnabled(false);
    const QString dir = m_project->directory();
    m_showAfterRefresh = core::flagKindName(core::FlagKind::EmbeddingDuplicate);
    m_refresh->start([dir, runId, minSimilarity](const core::ProgressFn &progress,
                                                 const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        const auto found =
            core::flagEmbeddingDuplicates(**project, runId, minSimilarity, progress, &cancel);
        return cancel.isCancelled() ? QString() : found.errorMessage();
    });
    m_refresh->showProgress(this, tr("Embedding every image with run %1's model…").arg(runId));
}

void CurationView::chooseEmbeddingDuplicates() {
    if (!m_project)
        return;
    const auto runs = core::listRuns(*m_project);
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Model Duplicates"));
    auto *form = new QFormLayout(&dialog);
    auto *run = new QComboBox;
    run->setToolTip(tr("The finished run whose model embeds the images"));
    if (runs)
        for (const core::RunRecord &r : *runs)
            if (r.status == core::RunStatus::Finished)
                run->addItem(tr("Run %1 (%2, %3 epochs)")
                                 .arg(r.id)
                                 .arg(core::strategyName(r.options.strategy))
                                 .arg(r.completedEpochs),
                             r.id);
    form->addRow(tr("Model of"), run);
    auto *similarity = new QDoubleSpinBox;
    similarity->setRange(0.5, 1.0);
    similarity->setDecimals(3);
    similarity->setSingleStep(0.005);
    similarity->setValue(0.98);
    similarity->setToolTip(tr("Cosine similarity of two images' embeddings at or above which "
                              "they are one cluster"));
    form->addRow(tr("Similarity at least"), similarity);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Find"));
    buttons->button(QDialogButtonBox::Ok)->setEnabled(run->count() > 0);
    if (run->count() == 0)
        form->addRow(new QLabel(tr("No finished run yet: train one in the Train tab first.")));
    form->addRow(buttons);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    if (dialog.exec() == QDialog::Accepted && run->count() > 0)
        findEmbeddingDuplicates(run->currentData().toLongLong(), similarity->value());
}

void CurationView::refreshFlags() {
    if (!m_project || m_refresh->isRunning())
        return;
    m_refreshButton->setEnabled(false);
    m_refreshButton->setText(tr("Refreshing…"));
    const QString dir = m_project->directory();
    const int distance = m_distance->value();
    m_refresh->start([dir, distance](const core::ProgressFn &progress,
                                     const core::CancelToken &cancel) -> QString {
        auto project = core::Project::open(dir);
        if (!project)
            return project.error().message;
        progress(0, 0, tr("Finding duplicates"));
        if (const auto duplicates = core::flagDuplicates(**project, distance); !duplicates)
            return duplicates.error().message;
        if (const auto quality = core::flagQuality(**project, {}, progress, &cancel); !quality)
            return cancel.isCancelled() ? QString() : quality.error().message;
        return core::flagDivergent(**project, 0.7).errorMessage();
    });
    m_refresh->showProgress(this, tr("Refreshing flags…"));
}

bool CurationView::resplit(double train, double val, double test, unsigned seed) {
    if (!m_project)
        return false;
    const auto done =
        core::resplitProject(*m_project, {train, val, test, seed, m_distance->value()});
    if (!done) {
        Q_EMIT failed(done.error().message);
        return false;
    }
    reload();
    return true;
}

void CurationView::chooseSplit() {
    QDialog dialog(this);
    dialog.setWindowTitle(tr("Re-split the project"));
    auto *form = new QFormLayout(&dialog);
    form->addRow(new QLabel(
        tr("Stratified by each item's current label; duplicate clusters at the\n"
           "slider's distance stay in one split. Splits given at import are replaced.")));
    QDoubleSpinBox *fractions[3];
    const double defaults[3] = {0.8, 0.1, 0.1};
    const QString names[3] = {tr("Train"), tr("Validation"), tr("Test")};
    for (int i = 0; i < 3; ++i) {
        fractions[i] = new QDoubleSpinBox;
        fractions[i]->setRange(0, 1);
        fractions[i]->setSingleStep(0.05);
        fractions[i]->setValue(defaults[i]);
        form->addRow(names[i], fractions[i]);
    }
    auto *seed = new QSpinBox;
    seed->setRange(0, 1 << 30);
    seed->setToolTip(tr("The same seed gives the same split"));
    form->addRow(tr("Seed"), seed);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    form->addRow(buttons);
    if (dialog.exec() == QDialog::Accepted)
        resplit(fractions[0]->value(), fractions[1]->value(), fractions[2]->value(),
                unsigned(seed->value()));
}

void CurationView::keyPressEvent(QKeyEvent *event) {
    switch (event->key()) {
    case Qt::Key_K:
        keepSelectedExcludeRest();
        return;
    case Qt::Key_E:
    case Qt::Key_Delete:
        excludeSelected();
        return;
    case Qt::Key_R:
        restoreSelected();
        return;
    case Qt::Key_L:
        chooseLabelForShownImages();
        return;
    default:
        QWidget::keyPressEvent(event);
    }
}

} // namespace winnow::ui

#include "ui/browserpage.h"

#include "core/io/rasterimage.h"
#include "core/store/project.h"
#include "ui/datasetmodel.h"
#include "ui/imageview.h"
#include "ui/keyguide.h"
#include "ui/preferences.h"
#include "ui/qimageconvert.h"
#include "ui/thumbnailcache.h"
#include "ui/thumbnaildelegate.h"

#include <QComboBox>
#include <QFileInfo>
#include <QLabel>
#include <QListView>
#include <QSplitter>
#include <QToolBar>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrentRun>
#include <algorithm>

namespace winnow::ui {
namespace {

constexpr int kLargeImageSide = 4096;

} // namespace

BrowserPage::BrowserPage(QWidget *parent)
    : QWidget(parent)
    , m_model(new DatasetModel(this))
    , m_thumbnails(new ThumbnailCache(this)) {
    setProperty(kKeyHelpProperty,
                QStringList{tr("Class key\tlabel the selected images with that class")});
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);

    auto *filters = new QToolBar(tr("Filters"));
    m_classFilter = new QComboBox;
    m_classFilter->setToolTip(tr("Show only items whose most frequent answer is this class"));
    m_classFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    m_splitFilter = new QComboBox;
    m_splitFilter->setToolTip(tr("Show only items of this split"));
    m_batchFilter = new QComboBox;
    m_batchFilter->setToolTip(tr("Show only items of this import"));
    m_batchFilter->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    filters->addWidget(new QLabel(tr(" Class ")));
    filters->addWidget(m_classFilter);
    filters->addWidget(new QLabel(tr("  Split ")));
    filters->addWidget(m_splitFilter);
    filters->addWidget(new QLabel(tr("  Import ")));
    filters->addWidget(m_batchFilter);
    layout->addWidget(filters);
    for (QComboBox *box : {m_classFilter, m_splitFilter, m_batchFilter})
        connect(box, &QComboBox::currentIndexChanged, this, &BrowserPage::applyFilters);

    auto *splitter = new QSplitter(Qt::Horizontal);
    m_grid = new QListView;
    m_grid->setViewMode(QListView::IconMode);
    m_grid->setResizeMode(QListView::Adjust);
    m_grid->setMovement(QListView::Static);
    m_grid->setUniformItemSizes(true);
    m_grid->setSelectionMode(QAbstractItemView::ExtendedSelection);
    m_grid->setVerticalScrollMode(QAbstractItemView::ScrollPerPixel);
    m_grid->setSpacing(2);
    m_grid->setModel(m_model);
    m_delegate = new ThumbnailDelegate(m_thumbnails, this);
    m_grid->setItemDelegate(m_delegate);
    m_grid->setToolTip(QString());
    connect(m_grid->selectionModel(), &QItemSelectionModel::currentChanged, this,
            &BrowserPage::showCurrentItem);
    m_imageView = new ImageView;
    splitter->addWidget(m_grid);
    splitter->addWidget(m_imageView);
    splitter->setStretchFactor(0, 3);
    splitter->setStretchFactor(1, 2);
    splitter->setSizes({760, 500});
    layout->addWidget(splitter, 1);

    connect(m_thumbnails, &ThumbnailCache::thumbnailReady, m_grid->viewport(),
            qOverload<>(&QWidget::update));
    connect(m_model, &DatasetModel::loadFailed, this, &BrowserPage::failed);
    connect(&m_imageWatcher, &QFutureWatcher<QImage>::finished, this, [this] {
        const QImage image = m_imageWatcher.result();
        const QModelIndex current = m_grid->currentIndex();
        if (!current.isValid() ||
            current.data(DatasetModel::ItemIdRole).toLongLong() != m_shownItem)
            return; // the user moved on meanwhile
        if (image.isNull())
            m_imageView->setPlaceholder(
                tr("Cannot read %1").arg(current.data(DatasetModel::PathRole).toString()));
        else
            m_imageView->setImage(image, current.data(Qt::DisplayRole).toString());
    });
}

BrowserPage::~BrowserPage() {
    m_imageWatcher.waitForFinished();
}

void BrowserPage::setProject(core::Project *project) {
    m_project = project;
    m_thumbnails->setProject(project ? project->directory() : QString());
    m_model->setProject(project);
    refreshFilters();
    if (!project)
        m_imageView->setPlaceholder({});
    else if (m_model->rowCount() > 0)
        m_grid->setCurrentIndex(m_model->index(0));
    else if (m_model->totalCount() == 0)
        m_imageView->setPlaceholder(
            tr("No images in this project yet.\n\nFile > Import Image Folder… (Ctrl+I) adds every "
               "image under a folder; File > Import IDX Files… adds an MNIST-style pair."));
}

void BrowserPage::refreshFilters() {
    m_updatingFilters = true;
    const QVariant cls = m_classFilter->currentData();
    const QVariant split = m_splitFilter->currentData();
    const QVariant batch = m_batchFilter->currentData();
    m_classFilter->clear();
    m_splitFilter->clear();
    m_batchFilter->clear();
    m_classFilter->addItem(tr("All classes"));
    m_classFilter->addItem(tr("Unlabelled"), core::ItemFilter::kUnlabelled);
    m_splitFilter->addItem(tr("All splits"));
    m_batchFilter->addItem(tr("All imports"));
    if (m_project) {
        if (const auto classes = m_project->classes()) {
            for (const core::ClassInfo &info : *classes) {
                QPixmap swatch(12, 12);
                swatch.fill(QColor(info.color));
                m_classFilter->addItem(QIcon(swatch), info.name, info.id);
            }
        }
        for (core::Split s :
             {core::Split::Train, core::Split::Val, core::Split::Test, core::Split::Unassigned})
            m_splitFilter->addItem(core::splitName(s), int(s));
        if (const auto batches = m_project->batches()) {
            for (const core::BatchInfo &b : *batches) {
                if (b.imported > 0)
                    m_batchFilter->addItem(tr("#%1 %2 (%3)")
                                               .arg(b.id)
                                               .arg(QFileInfo(b.source).fileName())
                                               .arg(b.imported),
                                           b.id);
            }
        }
    }
    auto restore = [](QComboBox *box, const QVariant &value) {
        const int index = value.isValid() ? box->findData(value) : 0;
        box->setCurrentIndex(std::max(0, index));
    };
    restore(m_classFilter, cls);
    restore(m_splitFilter, split);
    restore(m_batchFilter, batch);
    m_updatingFilters = false;
}

void BrowserPage::applyFilters() {
    if (m_updatingFilters || !m_project)
        return;
    core::ItemFilter filter;
    if (m_classFilter->currentData().isValid())
        filter.classId = m_classFilter->currentData().toLongLong();
    if (m_splitFilter->currentData().isValid())
        filter.split = core::Split(m_splitFilter->currentData().toInt());
    if (m_batchFilter->currentData().isValid())
        filter.batchId = m_batchFilter->currentData().toLongLong();
    m_model->setFilter(filter);
    if (m_model->rowCount() > 0)
        m_grid->setCurrentIndex(m_model->index(0));
    else
        m_imageView->setPlaceholder(tr("No items match the filters"));
    Q_EMIT filtersApplied();
}

bool BrowserPage::revealItem(qint64 itemId) {
    {
        const QSignalBlocker blockClass(m_classFilter), blockSplit(m_splitFilter),
            blockBatch(m_batchFilter);
        m_classFilter->setCurrentIndex(0);
        m_splitFilter->setCurrentIndex(0);
        m_batchFilter->setCurrentIndex(0);
    }
    applyFilters();
    const int row = m_model->rowOfItem(itemId);
    if (row < 0)
        return false;
    const QModelIndex index = m_model->index(row);
    m_grid->setCurrentIndex(index);
    m_grid->scrollTo(index, QAbstractItemView::PositionAtCenter);
    m_grid->setFocus();
    return true;
}

void BrowserPage::reload() {
    m_model->reload();
}

void BrowserPage::refreshLabels() {
    const int current = m_grid->currentIndex().row();
    m_model->refreshLabels();
    if (current >= 0 && current < m_model->rowCount())
        m_grid->setCurrentIndex(m_model->index(current));
}

void BrowserPage::showCurrentItem() {
    const QModelIndex current = m_grid->currentIndex();
    if (!current.isValid()) {
        m_imageView->setPlaceholder({});
        return;
    }
    m_shownItem = current.data(DatasetModel::ItemIdRole).toLongLong();
    const QString path = current.data(DatasetModel::PathRole).toString();
    m_imageWatcher.setFuture(QtConcurrent::run([path] {
        const auto raster = core::loadRasterImage(path, kLargeImageSide);
        return raster ? toQImage(*raster) : QImage();
    }));
}

void BrowserPage::changeThumbnailSize(int delta) {
    setThumbnailSize(m_delegate->cellSide() + delta);
    Preferences preferences = Preferences::load();
    preferences.thumbnailSize = m_delegate->cellSide();
    preferences.save();
}

void BrowserPage::setThumbnailSize(int side) {
    m_delegate->setCellSize(std::clamp(side, 48, 256));
    // Changing the delegate's size hint needs a relayout.
    m_grid->setUniformItemSizes(false);
    m_grid->setUniformItemSizes(true);
    m_grid->doItemsLayout();
}

int BrowserPage::selectAll() {
    m_model->fetchAll();
    m_grid->selectAll();
    return m_model->rowCount();
}

std::vector<qint64> BrowserPage::selectedItemIds() const {
    std::vector<qint64> ids;
    for (const QModelIndex &index : m_grid->selectionModel()->selectedIndexes())
        ids.push_back(index.data(DatasetModel::ItemIdRole).toLongLong());
    return ids;
}

} // namespace winnow::ui

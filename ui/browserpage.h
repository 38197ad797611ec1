#pragma once

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>

class QComboBox;
class QListView;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class DatasetModel;
class ImageView;
class ThumbnailCache;
class ThumbnailDelegate;

// The Browse tab: every item of the project in a paged thumbnail grid, filtered by class, split
// and import, with a large view of the current image decoded off the GUI thread.
class BrowserPage final : public QWidget {
    Q_OBJECT

public:
    explicit BrowserPage(QWidget *parent = nullptr);
    ~BrowserPage() override;

    void setProject(core::Project *project);
    // Re-reads the classes, splits and imports the filters offer, keeping the choices.
    void refreshFilters();
    // Re-reads the items (after labels or imports changed them).
    void reload();
    // Answers given to the selection show in the grid; the current item stays.
    void refreshLabels();
    void changeThumbnailSize(int delta); // and remembers it in the preferences
    void setThumbnailSize(int side);
    // Clears the filters and makes the item current; false when it is not in the project.
    bool revealItem(qint64 itemId);
    // Loads every row the filters match and selects them all; how many.
    int selectAll();
    // The item ids selected in the grid.
    std::vector<qint64> selectedItemIds() const;

    QListView *grid() const { return m_grid; }
    DatasetModel *model() const { return m_model; }
    ImageView *imageView() const { return m_imageView; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    QComboBox *classFilter() const { return m_classFilter; }
    QComboBox *splitFilter() const { return m_splitFilter; }

Q_SIGNALS:
    void filtersApplied(); // what is shown changed
    void failed(const QString &message);

private:
    void applyFilters();
    void showCurrentItem();

    core::Project *m_project = nullptr;
    QListView *m_grid = nullptr;
    DatasetModel *m_model = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    ThumbnailDelegate *m_delegate = nullptr;
    ImageView *m_imageView = nullptr;
    QComboBox *m_classFilter = nullptr;
    QComboBox *m_splitFilter = nullptr;
    QComboBox *m_batchFilter = nullptr;
    QFutureWatcher<QImage> m_imageWatcher;
    qint64 m_shownItem = 0;
    bool m_updatingFilters = false;
};

} // namespace winnow::ui

#pragma once

#include "core/store/project.h"
#include "core/io/importsummary.h"
#include "core/util/result.h"

#include <QFutureWatcher>
#include <QImage>
#include <QMainWindow>

#include <memory>

class QComboBox;
class QLabel;
class QListView;
class QListWidget;
class QMenu;
class QStackedWidget;

namespace winnow::ui {

class DatasetModel;
class ImageView;
class ImportJob;
class ThumbnailCache;
class ThumbnailDelegate;

// The browser: a welcome page until a project is open, then a filterable thumbnail grid beside
// a large view of the current image, with import, recent projects and counts in the status bar.
class MainWindow final : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    core::Result<void> openProject(const QString &directory);
    void closeProject();
    core::Project *project() const { return m_project.get(); }

    // For tests and benchmarks.
    QListView *grid() const { return m_grid; }
    DatasetModel *model() const { return m_model; }
    ImageView *imageView() const { return m_imageView; }
    ThumbnailCache *thumbnails() const { return m_thumbnails; }
    QComboBox *classFilter() const { return m_classFilter; }
    QComboBox *splitFilter() const { return m_splitFilter; }
    QString statusText() const;

    // Starts importing a folder into the open project; progress shows in a dialog.
    void importFolder(const QString &folder, const core::ImportOptions &options);

Q_SIGNALS:
    void projectOpened(const QString &directory);
    void importFinished(const winnow::core::ImportSummary &summary, const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void buildActions();
    void buildWelcome();
    void buildBrowser();
    void newProject();
    void chooseProject();
    void chooseImportFolder();
    void chooseImportIdx();
    void startImport(ImportJob *job);
    void refreshFilters();
    void applyFilters();
    void updateStatus();
    void showCurrentItem();
    void rememberRecent(const QString &directory);
    void refreshRecentMenu();
    void changeThumbnailSize(int delta);

    std::unique_ptr<core::Project> m_project;
    QStackedWidget *m_pages = nullptr;
    QListWidget *m_recentList = nullptr;
    QListView *m_grid = nullptr;
    DatasetModel *m_model = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    ThumbnailDelegate *m_delegate = nullptr;
    ImageView *m_imageView = nullptr;
    QComboBox *m_classFilter = nullptr;
    QComboBox *m_splitFilter = nullptr;
    QComboBox *m_batchFilter = nullptr;
    QLabel *m_counts = nullptr;
    QMenu *m_recentMenu = nullptr;
    QList<QAction *> m_projectActions;
    QFutureWatcher<QImage> m_imageWatcher;
    qint64 m_shownItem = 0;
    bool m_updatingFilters = false;
};

} // namespace winnow::ui

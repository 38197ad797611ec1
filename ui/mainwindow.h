#pragma once

#include "core/io/importsummary.h"
#include "core/store/project.h"
#include "core/store/teamrepository.h"
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
class QTabWidget;
class QTimer;

namespace winnow::ui {

class AnswerActions;
class BrowserPage;
class DatasetModel;
class ImageView;
class ImageImport;
class RecentProjects;
class LabelingView;
class ReviewView;
class AnnotatorsView;
class CurationView;
class TrainingView;
class ModelView;
class ThumbnailCache;
class ThumbnailDelegate;
class WelcomePage;

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
    BrowserPage *browser() const { return m_browser; }
    QListView *grid() const;
    DatasetModel *model() const;
    ImageView *imageView() const;
    ThumbnailCache *thumbnails() const;
    QComboBox *classFilter() const;
    QComboBox *splitFilter() const;
    LabelingView *labelingView() const { return m_labelingView; }
    ReviewView *reviewView() const { return m_reviewView; }
    AnnotatorsView *annotatorsView() const { return m_annotatorsView; }
    CurationView *curationView() const { return m_curationView; }
    TrainingView *trainingView() const { return m_trainingView; }
    ModelView *modelView() const { return m_modelView; }
    QTabWidget *tabs() const { return m_tabs; }
    qint64 annotatorId() const { return m_annotatorId; }
    // What the person connected may do: the owner for a folder, a team role on a server.
    core::Role role() const { return m_role; }

    // Who is working; remembered per machine and project. Empty name: ask.
    core::Result<void> setAnnotator(const QString &name);
    // Tests and scripted sessions turn the "who is labeling?" question off.
    void setAskForAnnotator(bool ask) { m_askForAnnotator = ask; }
    void showLabeling();
    void showBrowser();
    // browse, label, review, annotators or curate; false for another name.
    bool showView(const QString &name);
    QString statusText() const;

    // Starts importing a folder into the open project; progress shows in a dialog.
    void importFolder(const QString &folder, const core::ImportOptions &options);

Q_SIGNALS:
    void importFinished(const winnow::core::ImportSummary &summary, const QString &error);

protected:
    void closeEvent(QCloseEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void buildActions();
    // Thumbnail size, prefetch, consolidation method, training defaults and theme.
    void applyPreferences();
    void buildWelcome();
    void buildBrowser();
    void newProject();
    void chooseProject();
    void chooseTeamProject();
    // Shows only the tabs and actions the role may use.
    void applyRole();
    // Team projects: answers from other machines show without reopening.
    void refreshLive();
    void updateStatus();
    void promptAnnotator();
    void updateTitle();
    bool labelSelection(const QString &key);
    void selectAllInFilter();

    std::unique_ptr<core::Project> m_project;
    BrowserPage *m_browser = nullptr;
    QStackedWidget *m_pages = nullptr;
    WelcomePage *m_welcome = nullptr;
    QListWidget *m_recentList = nullptr;
    QTabWidget *m_tabs = nullptr;
    LabelingView *m_labelingView = nullptr;
    ReviewView *m_reviewView = nullptr;
    AnswerActions *m_answers = nullptr;
    ImageImport *m_imageImport = nullptr;
    AnnotatorsView *m_annotatorsView = nullptr;
    CurationView *m_curationView = nullptr;
    TrainingView *m_trainingView = nullptr;
    ModelView *m_modelView = nullptr;
    QString m_annotatorName;
    qint64 m_annotatorId = 0;
    bool m_askForAnnotator = true;
    QLabel *m_counts = nullptr;
    QMenu *m_recentMenu = nullptr;
    RecentProjects *m_recent = nullptr;
    QList<QAction *> m_projectActions;
    QList<QAction *> m_ownerActions;    // change the project: imports, classes, annotators
    QList<QAction *> m_reviewerActions; // read consolidations and reviews
    QAction *m_switchAnnotator = nullptr;
    QAction *m_exportDataset = nullptr;
    core::Role m_role = core::Role::Owner;
    QTimer *m_live = nullptr;
};

} // namespace winnow::ui

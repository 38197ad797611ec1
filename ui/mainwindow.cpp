#include "ui/mainwindow.h"

#include "core/label/labelingsession.h"
#include "core/store/records.h"
#include "ui/annotatorsview.h"
#include "ui/answeractions.h"
#include "ui/browserpage.h"
#include "ui/curationview.h"
#include "ui/datasetexportdialog.h"
#include "ui/datasetmodel.h"
#include "ui/imageimport.h"
#include "ui/imageview.h"
#include "ui/keyguide.h"
#include "ui/labelingview.h"
#include "ui/modelview.h"
#include "ui/preferences.h"
#include "ui/projectdialogs.h"
#include "ui/recentprojects.h"
#include "ui/reviewview.h"
#include "ui/teamprojectdialog.h"
#include "ui/trainingview.h"
#include "ui/userguide.h"
#include "ui/welcomepage.h"

#include <QApplication>
#include <QCloseEvent>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QLabel>
#include <QListView>
#include <QListWidget>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QStackedWidget>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

// How often a team project's Review and Annotators tabs re-read what others did.
constexpr int kLiveRefreshMs = 5000;

QString projectKey(const char *group, const QString &projectDir) {
    return QLatin1String(group) + u'/' +
           QString::fromUtf8(projectDir.toUtf8().toBase64(QByteArray::Base64UrlEncoding));
}

QString annotatorKey(const QString &projectDir) {
    return projectKey("annotators", projectDir);
}

// The tab a project was left on, restored when it opens again.
QString lastTabKey(const QString &projectDir) {
    return projectKey("lastTab", projectDir);
}

constexpr auto kGeometryKey = "window/geometry";
constexpr auto kStateKey = "window/state";

} // namespace

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent) {
    setWindowTitle(tr("Winnow"));
    resize(1280, 820);
    m_pages = new QStackedWidget(this);
    setCentralWidget(m_pages);
    buildWelcome();
    buildBrowser();
    buildActions();
    applyPreferences();
    m_counts = new QLabel(this);
    statusBar()->addPermanentWidget(m_counts);
    closeProject();
    const QSettings settings;
    restoreGeometry(settings.value(QLatin1String(kGeometryKey)).toByteArray());
    restoreState(settings.value(QLatin1String(kStateKey)).toByteArray());
}

QListView *MainWindow::grid() const {
    return m_browser->grid();
}
DatasetModel *MainWindow::model() const {
    return m_browser->model();
}
ImageView *MainWindow::imageView() const {
    return m_browser->imageView();
}
ThumbnailCache *MainWindow::thumbnails() const {
    return m_browser->thumbnails();
}
QComboBox *MainWindow::classFilter() const {
    return m_browser->classFilter();
}
QComboBox *MainWindow::splitFilter() const {
    return m_browser->splitFilter();
}

MainWindow::~MainWindow() {
    // Child widgets outlive m_project; let go of it while they are still here.
    closeProject();
}

void MainWindow::buildActions() {
    QMenu *file = menuBar()->addMenu(tr("&File"));
    QAction *create = file->addAction(tr("&New Project…"), this, &MainWindow::newProject);
    create->setShortcut(QKeySequence::New);
    create->setToolTip(tr("Create an empty project in a folder"));
    QAction *open = file->addAction(tr("&Open Project…"), this, &MainWindow::chooseProject);
    open->setShortcut(QKeySequence::Open);
    QAction *openTeam =
        file->addAction(tr("Open &Team Project…"), this, &MainWindow::chooseTeamProject);
    openTeam->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_O);
    openTeam->setToolTip(tr("Open a project shared by a team on a PostgreSQL server"));
    m_recentMenu = file->addMenu(tr("Open &Recent"));
    file->addSeparator();
    m_imageImport = new ImageImport(this, statusBar());
    connect(m_imageImport, &ImageImport::finished, this,
            [this](const core::ImportSummary &summary, const QString &error) {
                m_browser->reload();
                m_browser->refreshFilters();
                updateStatus();
                Q_EMIT importFinished(summary, error);
            });
    QAction *importFolder =
        file->addAction(tr("&Import Image Folder…"), m_imageImport, &ImageImport::chooseFolder);
    importFolder->setShortcut(Qt::CTRL | Qt::Key_I);
    importFolder->setToolTip(tr("Add every image under a folder (recursively) to the project"));
    QAction *importIdx =
        file->addAction(tr("Import &IDX Files…"), m_imageImport, &ImageImport::chooseIdx);
    importIdx->setToolTip(tr("Add an MNIST-style pair of IDX image and label files"));
    m_exportDataset = file->addAction(tr("&Export Dataset…"), this, [this] {
        if (m_project)
            chooseDatasetExport(this, *m_project);
    });
    m_exportDataset->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_E);
    m_exportDataset->setToolTip(tr("The curated dataset as an ImageFolder tree, a CSV or Ground "
                                   "Truth manifests, for the tools you train with"));
    file->addSeparator();
    QAction *preferences = file->addAction(tr("&Preferences…"), this, [this] {
        if (PreferencesDialog(this).exec() == QDialog::Accepted)
            applyPreferences();
    });
    preferences->setShortcut(Qt::CTRL | Qt::Key_Comma); // the platform key may be none
    preferences->setMenuRole(QAction::PreferencesRole);
    file->addSeparator();
    QAction *close = file->addAction(tr("&Close Project"), this, &MainWindow::closeProject);
    close->setShortcut(QKeySequence::Close);
    file->addAction(tr("&Quit"), qApp, &QApplication::closeAllWindows)
        ->setShortcut(QKeySequence::Quit);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    QAction *larger = view->addAction(tr("&Larger Thumbnails"), this,
                                      [this] { m_browser->changeThumbnailSize(+32); });
    larger->setShortcut(QKeySequence::ZoomIn);
    QAction *smaller = view->addAction(tr("&Smaller Thumbnails"), this,
                                       [this] { m_browser->changeThumbnailSize(-32); });
    smaller->setShortcut(QKeySequence::ZoomOut);
    QAction *focusGrid =
        view->addAction(tr("Focus &Grid"), this, [this] { m_browser->grid()->setFocus(); });
    focusGrid->setShortcut(Qt::CTRL | Qt::Key_1);
    QAction *focusImage =
        view->addAction(tr("Focus &Image"), this, [this] { m_browser->imageView()->setFocus(); });
    focusImage->setShortcut(Qt::CTRL | Qt::Key_2);
    // Browser keys: the Label tab reads Ctrl+1 for the image's actual size.
    for (QAction *action : {focusGrid, focusImage}) {
        action->setShortcutContext(Qt::WidgetWithChildrenShortcut);
        m_browser->addAction(action);
    }

    QMenu *labeling = menuBar()->addMenu(tr("&Labeling"));
    QAction *label = labeling->addAction(tr("&Label Images"), this, &MainWindow::showLabeling);
    label->setShortcut(Qt::CTRL | Qt::Key_L);
    label->setToolTip(tr("Label images one by one, one key per class"));
    QAction *browse = labeling->addAction(tr("&Browse Images"), this, &MainWindow::showBrowser);
    browse->setShortcut(Qt::CTRL | Qt::Key_B);
    QAction *who =
        labeling->addAction(tr("&Switch Annotator…"), this, &MainWindow::promptAnnotator);
    labeling->addSeparator();
    QAction *classes = labeling->addAction(tr("Manage &Classes…"), this, [this] {
        manageClasses(*m_project, this);
        m_browser->refreshFilters();
        m_browser->reload();
        m_labelingView->reloadClasses();
        updateStatus(); // the class count
    });
    QAction *annotators = labeling->addAction(tr("Manage &Annotators…"), this, [this] {
        manageAnnotators(*m_project, this);
        updateStatus();
    });
    labeling->addSeparator();
    QAction *selectAll =
        labeling->addAction(tr("Select All in &Filter"), this, &MainWindow::selectAllInFilter);
    selectAll->setShortcut(Qt::CTRL | Qt::SHIFT | Qt::Key_A);
    selectAll->setToolTip(
        tr("Select every item the filters show, then press a class key to label them all"));
    labeling->addSeparator();
    m_answers = new AnswerActions(this, statusBar(), [this] {
        return m_reviewView ? m_reviewView->consolidationId() : qint64(0);
    });
    connect(m_answers, &AnswerActions::answersImported, this, [this] {
        m_browser->reload();
        m_browser->refreshFilters();
        updateStatus();
    });
    QAction *importAnswers =
        labeling->addAction(tr("&Import Answers…"), m_answers, &AnswerActions::chooseImport);
    importAnswers->setToolTip(tr("item,worker,label CSV or a Ground Truth output manifest"));
    QAction *exportAnswers =
        labeling->addAction(tr("&Export Answers…"), m_answers, &AnswerActions::chooseExport);
    labeling->addSeparator();
    QAction *review = labeling->addAction(tr("&Review Consolidated Labels"), this, [this] {
        if (m_project)
            m_tabs->setCurrentIndex(2);
    });
    review->setShortcut(Qt::CTRL | Qt::Key_R);
    QAction *exportLabels = labeling->addAction(tr("Export &Consolidated Labels…"), m_answers,
                                                &AnswerActions::chooseExportLabels);
    exportLabels->setToolTip(
        tr("CSV or a Ground Truth-style output manifest, review decisions applied"));

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    QAction *guide = help->addAction(tr("&User Guide"), this, [this] { showUserGuide(this); });
    guide->setShortcut(QKeySequence::HelpContents);
    QAction *keys = help->addAction(tr("&Keyboard Shortcuts"), this,
                                    [this] { showKeyboardShortcuts(this, keyRows(this, m_tabs)); });
    keys->setShortcut(Qt::CTRL | Qt::Key_Slash);
    keys->setToolTip(tr("Every key of the menus and of each tab"));
    help->addAction(tr("&About Winnow"), this, [this] {
        QMessageBox::about(this, tr("About Winnow"),
                           tr("<b>Winnow %1</b><p>A workbench for image-classification datasets: "
                              "label, consolidate, curate and train.</p>")
                               .arg(QLatin1String(WINNOW_VERSION)));
    });

    m_projectActions = {importFolder, importIdx,    close,          larger,        smaller,
                        focusGrid,    focusImage,   label,          browse,        who,
                        classes,      annotators,   selectAll,      importAnswers, exportAnswers,
                        review,       exportLabels, m_exportDataset};
    m_ownerActions = {importFolder, importIdx, classes, annotators, importAnswers};
    m_reviewerActions = {review, exportLabels, m_exportDataset};
    m_switchAnnotator = who;
    m_recent = new RecentProjects(m_recentMenu, m_recentList, this);
    connect(m_recent, &RecentProjects::openRequested, this, [this](const QString &dir) {
        if (const auto opened = openProject(dir); !opened)
            QMessageBox::warning(this, tr("Cannot open project"), opened.error().message);
    });
}

void MainWindow::applyPreferences() {
    const Preferences preferences = Preferences::load();
    applyTheme(preferences.theme);
    m_browser->setThumbnailSize(preferences.thumbnailSize);
    m_labelingView->setPrefetch(preferences.prefetch);
    m_reviewView->setMethod(preferences.consolidationMethod);
    m_trainingView->setDefaults(preferences.trainingWidth, preferences.trainingEpochs,
                                preferences.trainingThreads);
}

void MainWindow::buildWelcome() {
    m_welcome = new WelcomePage;
    connect(m_welcome, &WelcomePage::newProjectRequested, this, &MainWindow::newProject);
    connect(m_welcome, &WelcomePage::openProjectRequested, this, &MainWindow::chooseProject);
    connect(m_welcome, &WelcomePage::openTeamProjectRequested, this,
            &MainWindow::chooseTeamProject);
    connect(m_welcome, &WelcomePage::openRequested, this, [this](const QString &dir) {
        if (const auto opened = openProject(dir); !opened)
            QMessageBox::warning(this, tr("Cannot open project"), opened.error().message);
    });
    m_recentList = m_welcome->recentList();
    m_pages->addWidget(m_welcome);
}

void MainWindow::buildBrowser() {
    m_browser = new BrowserPage;
    connect(m_browser, &BrowserPage::filtersApplied, this, &MainWindow::updateStatus);
    connect(m_browser, &BrowserPage::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    m_browser->grid()->installEventFilter(this);

    m_labelingView = new LabelingView;
    connect(m_labelingView, &LabelingView::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    m_live = new QTimer(this);
    m_live->setInterval(kLiveRefreshMs);
    connect(m_live, &QTimer::timeout, this, &MainWindow::refreshLive);
    m_tabs = new QTabWidget;
    m_tabs->setDocumentMode(true);
    m_tabs->addTab(m_browser, tr("Browse"));
    m_tabs->addTab(m_labelingView, tr("Label"));
    m_reviewView = new ReviewView;
    connect(m_reviewView, &ReviewView::decided, this,
            [this](qint64 itemId, const QString &decision) {
                statusBar()->showMessage(tr("Item %1: %2 saved").arg(itemId).arg(decision), 4000);
            });
    connect(m_reviewView, &ReviewView::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_reviewView, &ReviewView::consolidated, this,
            [this](const core::ConsolidationInfo &info) {
                statusBar()->showMessage(tr("Consolidated %L1 items with %2 in %3 s")
                                             .arg(info.items)
                                             .arg(info.method)
                                             .arg(info.seconds, 0, 'f', 1),
                                         10000);
                m_annotatorsView->reload();
            });
    m_tabs->addTab(m_reviewView, tr("Review"));
    m_tabs->setTabToolTip(2,
                          tr("Consolidate answers and review the least confident labels (Ctrl+R)"));
    m_annotatorsView = new AnnotatorsView;
    m_tabs->addTab(m_annotatorsView, tr("Annotators"));
    m_tabs->setTabToolTip(3, tr("Estimated accuracy and confusion of every annotator"));
    m_curationView = new CurationView;
    connect(m_curationView, &CurationView::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    m_tabs->addTab(m_curationView, tr("Curate"));
    m_tabs->setTabToolTip(
        4, tr("Duplicates, leaks across splits, divergent labels and image-quality flags"));
    m_trainingView = new TrainingView;
    connect(m_trainingView, &TrainingView::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    m_tabs->addTab(m_trainingView, tr("Train"));
    connect(m_trainingView, &TrainingView::showLeaksRequested, this, [this] {
        m_tabs->setCurrentWidget(m_curationView);
        m_curationView->showKind(core::flagKindName(core::FlagKind::Leak));
    });
    connect(m_reviewView, &ReviewView::trainingLabelsChanged, this, [this] {
        m_trainingView->setProject(m_project.get());
        statusBar()->showMessage(tr("Training now takes its labels from consolidation #%1")
                                     .arg(m_reviewView->consolidationId()),
                                 10000);
    });
    m_tabs->setTabToolTip(5, tr("Train a ResNet-18 on full data and on GLISTER or random subsets; "
                                "compare speed and accuracy"));
    m_modelView = new ModelView;
    connect(m_modelView, &ModelView::failed, this,
            [this](const QString &message) { statusBar()->showMessage(message, 10000); });
    connect(m_modelView, &ModelView::openItem, this, [this](qint64 itemId) {
        m_tabs->setCurrentWidget(m_browser);
        if (!m_browser->revealItem(itemId))
            statusBar()->showMessage(tr("Item %1 is not in the project").arg(itemId), 10000);
    });
    connect(m_modelView, &ModelView::labelsChanged, this, [this] {
        m_browser->refreshLabels();
        updateStatus();
    });
    m_tabs->addTab(m_modelView, tr("Model"));
    m_tabs->setTabToolTip(6, tr("What a trained model says about the labels: its mistakes, "
                                "likely label errors, machine labels at a chosen accuracy and "
                                "the labeling order it asks for"));
    m_tabs->setTabToolTip(0, tr("All items, filtered (Ctrl+B)"));
    m_tabs->setTabToolTip(1, tr("Label the images waiting for you (Ctrl+L)"));
    connect(m_tabs, &QTabWidget::currentChanged, this, [this](int index) {
        if (m_project)
            QSettings().setValue(lastTabKey(m_project->directory()), index);
        if (index == 1 && m_project && m_labelingView->currentItemId() == 0) {
            if (m_annotatorId == 0 && m_askForAnnotator)
                promptAnnotator();
            else
                m_labelingView->start(m_project.get(), m_annotatorId);
        }
        if ((index == 2 || index == 4) && m_project && m_annotatorId == 0 && m_askForAnnotator &&
            !m_project->isOnServer())
            promptAnnotator(); // decisions are recorded under a name
        if (index == 2 && m_project)
            m_reviewView->setProject(m_project.get(), m_annotatorId);
        if (index == 3 && m_project)
            m_annotatorsView->setProject(m_project.get());
        if (index == 4 && m_project)
            m_curationView->setProject(m_project.get(), m_annotatorId);
        if (index == 5 && m_project)
            m_trainingView->setProject(m_project.get());
        if (index == 6 && m_project)
            m_modelView->setProject(m_project.get());
        if (m_project)
            updateStatus(); // answers given or classes added on any tab show in the counts
        if (m_project && m_role == core::Role::Owner && index != 6 && m_modelView->retrainDue())
            statusBar()->showMessage(tr("Enough new answers since the labeling queue was ranked: "
                                        "Retrain and Re-rank in the Model tab"),
                                     10000);
        if (index == 0 && m_project)
            m_browser->reload(); // answers given while labeling show in the grid
    });
    m_pages->addWidget(m_tabs);
}

core::Result<void> MainWindow::openProject(const QString &directory) {
    auto opened = core::Project::open(directory);
    if (!opened)
        return opened.error();
    closeProject();
    m_project = std::move(opened).value();
    const QString dir = m_project->directory();
    const int lastTab = QSettings().value(lastTabKey(dir), 0).toInt(); // before the tabs reset
    m_role = core::Role::Owner;
    QString login;
    if (m_project->isOnServer()) {
        const auto who = core::attempt([&] {
            core::TeamRepository team(*m_project);
            m_role = team.role();
            login = team.login();
        });
        if (!who) {
            m_project.reset();
            return who.error();
        }
    }
    // What the model labeled is not for annotators' eyes (nor readable by their server login).
    m_browser->model()->setMachineLabelsShown(m_role != core::Role::Annotator);
    m_browser->setProject(m_project.get());
    m_answers->setProject(m_project.get());
    m_imageImport->setProject(m_project.get());
    m_pages->setCurrentIndex(1);
    for (QAction *action : std::as_const(m_projectActions))
        action->setEnabled(true);
    m_tabs->setCurrentIndex(0);
    applyRole();
    if (!login.isEmpty()) {
        // On a server, whoever logged in labels under their own name: the server refuses
        // answers in anyone else's.
        if (const auto set = setAnnotator(login); !set)
            statusBar()->showMessage(set.error().message, 10000);
    } else {
        // Whoever labels is asked when they first label, review or curate, not at start.
        const QString remembered = QSettings().value(annotatorKey(dir)).toString();
        if (!remembered.isEmpty())
            (void)setAnnotator(remembered);
    }
    if (m_project->isOnServer())
        m_live->start();
    // Back on the tab it was left on, unless that would ask who is labeling right away.
    if (lastTab > 0 && lastTab < m_tabs->count() && m_tabs->isTabVisible(lastTab) &&
        (m_annotatorId != 0 || (lastTab != 1 && lastTab != 2 && lastTab != 4)))
        m_tabs->setCurrentIndex(lastTab);
    updateTitle();
    m_recent->remember(dir);
    updateStatus();
    m_browser->grid()->setFocus();
    return {};
}

void MainWindow::closeProject() {
    if (m_live)
        m_live->stop();
    m_labelingView->stop();
    m_reviewView->setProject(nullptr, 0);
    m_annotatorsView->setProject(nullptr);
    m_curationView->setProject(nullptr, 0);
    m_trainingView->setProject(nullptr);
    m_modelView->setProject(nullptr);
    m_annotatorId = 0;
    m_annotatorName.clear();
    m_browser->setProject(nullptr);
    m_answers->setProject(nullptr);
    m_imageImport->setProject(nullptr);
    m_project.reset();
    m_pages->setCurrentIndex(0);
    for (QAction *action : std::as_const(m_projectActions))
        action->setEnabled(false);
    updateTitle();
    m_counts->clear();
    m_recent->refresh();
}

void MainWindow::newProject() {
    const QString dir = QFileDialog::getExistingDirectory(
        this, tr("Choose or create an empty folder for the project"));
    if (dir.isEmpty())
        return;
    auto created = core::Project::create(dir);
    if (!created) {
        QMessageBox::warning(this, tr("Cannot create project"), created.error().message);
        return;
    }
    // A new project asks for the overlap of the preferences.
    if (const auto overlap =
            core::LabelingSession::setAnswersWanted(**created, Preferences::load().defaultOverlap);
        !overlap)
        QMessageBox::warning(this, tr("Cannot set the overlap"), overlap.error().message);
    created->reset();
    if (const auto opened = openProject(dir); !opened)
        QMessageBox::warning(this, tr("Cannot open project"), opened.error().message);
}

void MainWindow::chooseTeamProject() {
    const QString address = askTeamProject(this);
    if (address.isEmpty())
        return;
    if (const auto opened = openProject(address); !opened)
        QMessageBox::warning(this, tr("Cannot open team project"), opened.error().message);
}

void MainWindow::applyRole() {
    const bool owner = m_role == core::Role::Owner;
    const bool reviewer = owner || m_role == core::Role::Reviewer;
    m_tabs->setTabVisible(2, reviewer); // Review
    m_tabs->setTabVisible(3, reviewer); // Annotators
    m_tabs->setTabVisible(4, owner);    // Curate
    m_tabs->setTabVisible(5, owner);    // Train
    m_tabs->setTabVisible(6, owner);    // Model
    for (QAction *action : std::as_const(m_ownerActions))
        action->setEnabled(m_project && owner);
    for (QAction *action : std::as_const(m_reviewerActions))
        action->setEnabled(m_project && reviewer);
    m_switchAnnotator->setEnabled(m_project && !m_project->isOnServer());
    m_labelingView->setMayEditProject(owner);
}

void MainWindow::refreshLive() {
    if (!m_project || !isVisible())
        return;
    switch (m_tabs->currentIndex()) {
    case 2:
        m_reviewView->refreshAnswers();
        break;
    case 3:
        m_annotatorsView->reload();
        break;
    default:
        break;
    }
}

void MainWindow::chooseProject() {
    const QString dir = QFileDialog::getExistingDirectory(this, tr("Open a project folder"));
    if (dir.isEmpty())
        return;
    if (const auto opened = openProject(dir); !opened)
        QMessageBox::warning(this, tr("Cannot open project"), opened.error().message);
}

void MainWindow::importFolder(const QString &folder, const core::ImportOptions &options) {
    m_imageImport->importFolder(folder, options);
}

QString MainWindow::statusText() const {
    return m_counts->text();
}

void MainWindow::updateStatus() {
    if (!m_project) {
        m_counts->clear();
        return;
    }
    const auto summary = m_project->summary();
    if (!summary) {
        m_counts->setText(summary.error().message);
        return;
    }
    const auto annotators = summary->perAnnotator.size();
    m_counts->setText(tr("%L1 shown of %L2 items · %L3 classes · %L4 answers · %L5 %6")
                          .arg(m_browser->model()->totalCount())
                          .arg(summary->items)
                          .arg(summary->perClass.size())
                          .arg(summary->answers)
                          .arg(annotators)
                          .arg(annotators == 1 ? tr("annotator") : tr("annotators")));
}

core::Result<void> MainWindow::setAnnotator(const QString &name) {
    if (!m_project)
        return core::Error{tr("no project is open")};
    const QString trimmed = name.trimmed();
    if (trimmed.isEmpty())
        return core::Error{tr("an annotator needs a name")};
    const auto id = m_project->ensureAnnotator(trimmed, QStringLiteral("human"));
    if (!id)
        return id.error();
    m_labelingView->stop();
    m_annotatorId = *id;
    m_annotatorName = trimmed;
    QSettings().setValue(annotatorKey(m_project->directory()), trimmed);
    updateTitle();
    if (m_tabs->currentIndex() == 1)
        m_labelingView->start(m_project.get(), m_annotatorId);
    if (m_tabs->currentIndex() == 2)
        m_reviewView->setProject(m_project.get(), m_annotatorId);
    return {};
}

void MainWindow::promptAnnotator() {
    if (!m_project)
        return;
    // Answers and decisions are recorded under a name: a blank one is asked again, not taken.
    for (;;) {
        const auto name = askAnnotator(*m_project, m_annotatorName, this);
        if (!name)
            return;
        if (name->isEmpty()) {
            QMessageBox::information(this, tr("A name is needed"),
                                     tr("Answers are recorded under the name of whoever gives "
                                        "them: please type one."));
            continue;
        }
        if (const auto set = setAnnotator(*name); !set)
            QMessageBox::warning(this, tr("Cannot switch annotator"), set.error().message);
        return;
    }
}

void MainWindow::updateTitle() {
    if (!m_project) {
        setWindowTitle(tr("Winnow"));
        return;
    }
    QString project = projectDisplayName(m_project->directory());
    if (m_project->isOnServer())
        project += tr(" (%1)").arg(core::roleName(m_role));
    setWindowTitle(m_annotatorName.isEmpty()
                       ? tr("%1 — Winnow").arg(project)
                       : tr("%1 — %2 — Winnow").arg(project, m_annotatorName));
}

void MainWindow::showLabeling() {
    if (m_project)
        m_tabs->setCurrentIndex(1);
}

void MainWindow::showBrowser() {
    if (m_project)
        m_tabs->setCurrentIndex(0);
}

bool MainWindow::showView(const QString &name) {
    const QStringList names = {QStringLiteral("browse"), QStringLiteral("label"),
                               QStringLiteral("review"), QStringLiteral("annotators"),
                               QStringLiteral("curate"), QStringLiteral("train"),
                               QStringLiteral("model")};
    const int index = int(names.indexOf(name));
    if (index < 0)
        return false;
    if (m_project)
        m_tabs->setCurrentIndex(index);
    return true;
}

bool MainWindow::eventFilter(QObject *watched, QEvent *event) {
    if (watched == m_browser->grid() && event->type() == QEvent::KeyPress) {
        auto *key = static_cast<QKeyEvent *>(event);
        const auto mods = key->modifiers() & ~(Qt::KeypadModifier | Qt::ShiftModifier);
        if (mods == Qt::NoModifier && !key->text().isEmpty() &&
            labelSelection(key->text().toLower()))
            return true;
    }
    return QMainWindow::eventFilter(watched, event);
}

bool MainWindow::labelSelection(const QString &key) {
    if (!m_project)
        return false;
    const auto classes = m_project->classes();
    if (!classes)
        return false;
    const auto cls = std::find_if(classes->begin(), classes->end(),
                                  [&](const core::ClassInfo &c) { return c.shortcut == key; });
    if (cls == classes->end())
        return false;
    const std::vector<qint64> ids = m_browser->selectedItemIds();
    if (ids.empty())
        return false;
    if (m_annotatorId == 0) {
        promptAnnotator();
        if (m_annotatorId == 0)
            return true;
    }
    core::LabelingSession session(*m_project, m_annotatorId);
    const auto done = session.answerMany(ids, cls->id);
    if (!done) {
        QMessageBox::warning(this, tr("Not labelled"), done.error().message);
        return true;
    }
    m_browser->refreshLabels();
    updateStatus();
    statusBar()->showMessage(tr("Saved: %n image(s) labelled %1 by %2", nullptr, int(ids.size()))
                                 .arg(cls->name, m_annotatorName),
                             8000);
    return true;
}

void MainWindow::selectAllInFilter() {
    if (!m_project)
        return;
    const int selected = m_browser->selectAll();
    statusBar()->showMessage(
        tr("%L1 items selected; press a class key to label them all").arg(selected), 8000);
}

void MainWindow::closeEvent(QCloseEvent *event) {
    m_labelingView->stop();
    QSettings settings;
    settings.setValue(QLatin1String(kGeometryKey), saveGeometry());
    settings.setValue(QLatin1String(kStateKey), saveState());
    event->accept(); // a running import is cancelled and awaited by its job
}

} // namespace winnow::ui

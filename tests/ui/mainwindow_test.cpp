#include "core/io/folderimporter.h"
#include "core/store/teamrepository.h"
#include "core/train/trainer.h"
#include "tests/testsupport.h"
#include "ui/curationview.h"
#include "ui/datasetmodel.h"
#include "ui/imageview.h"
#include "ui/keyguide.h"
#include "ui/labelingview.h"
#include "ui/mainwindow.h"
#include "ui/preferences.h"
#include "ui/reviewview.h"
#include "ui/thumbnailcache.h"
#include "ui/trainingview.h"

#include <QAbstractSpinBox>
#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QInputDialog>
#include <QLineEdit>
#include <QListView>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScrollBar>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QTabBar>
#include <QTabWidget>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <functional>

using namespace winnow;

class MainWindowTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void opensProjectAndScrollsTheGrid();
    void filtersByClassFromTheToolbar();
    void importsAFolderFromTheWindow();
    void labelsTheSelectionWithAClassKey();
    void imageViewZoomsWithKeys();
    void refusesAFolderWithoutProject();
    void noTwoActionsShareAShortcut();
    void teamProjectShowsEachRoleItsTabs();
    void asksWhoLabelsWhenLabelingAndRefusesBlankNames();
    void everyTabForgetsThePreviousProject();
    void keyboardShortcutsListEveryKeyOnce();
    void preferencesPersistAcrossARestart();
    void windowAndLastTabComeBackAfterARestart();
    void everyControlOfTrainAndCurateHasATooltip();

private:
    QTemporaryDir m_dir;
    QString m_projectDir;
};

void MainWindowTest::initTestCase() {
    QCoreApplication::setOrganizationName(QStringLiteral("WinnowTest"));
    QCoreApplication::setApplicationName(QStringLiteral("mainwindow_test"));
    const QString images = m_dir.filePath(QStringLiteral("images"));
    for (int i = 0; i < 1500; ++i)
        QVERIFY(
            test::writeImage(QStringLiteral("%1/%2/%3.png")
                                 .arg(images, i % 3 ? QStringLiteral("cat") : QStringLiteral("dog"))
                                 .arg(i),
                             32, 32, 3, i));
    m_projectDir = m_dir.filePath(QStringLiteral("project"));
    auto project = test::createProject(m_projectDir);
    const auto summary = core::importImageFolder(*project, images, {core::Split::Train, true});
    QVERIFY(summary.ok());
    QCOMPARE(summary->imported, qint64(1500));
}

void MainWindowTest::opensProjectAndScrollsTheGrid() {
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const auto opened = window.openProject(m_projectDir);
    QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
    QListView *grid = window.grid();
    QCOMPARE(window.model()->totalCount(), qint64(1500));
    QVERIFY(window.model()->rowCount() < 1500); // paged, not loaded at once
    QVERIFY(window.statusText().contains(QStringLiteral("1,500")));

    // The visible thumbnails load off the GUI thread and the current image is shown.
    QTRY_VERIFY(window.thumbnails()->pendingCount() == 0);
    QTRY_VERIFY(!window.imageView()->image().isNull());
    QCOMPARE(window.imageView()->image().size(), QSize(32, 32));

    // Scroll to the bottom repeatedly: the view fetches more pages until all rows are there.
    QScrollBar *bar = grid->verticalScrollBar();
    for (int i = 0; i < 20 && window.model()->rowCount() < 1500; ++i) {
        bar->setValue(bar->maximum());
        QTest::qWait(20);
    }
    QCOMPARE(window.model()->rowCount(), 1500);
    bar->setValue(bar->maximum());
    QTRY_VERIFY(window.thumbnails()->pendingCount() == 0);

    // Keyboard: End goes to the last item and shows it.
    grid->setFocus();
    QTest::keyClick(grid, Qt::Key_End);
    QCOMPARE(grid->currentIndex().row(), 1499);
    QTRY_COMPARE(window.imageView()->image().size(), QSize(32, 32));
}

void MainWindowTest::filtersByClassFromTheToolbar() {
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.show();
    QVERIFY(window.openProject(m_projectDir).ok());
    QComboBox *classes = window.classFilter();
    const int dog = classes->findText(QStringLiteral("dog"));
    QVERIFY(dog > 0);
    classes->setCurrentIndex(dog);
    QCOMPARE(window.model()->totalCount(), qint64(500));
    QCOMPARE(window.grid()->currentIndex().data(ui::DatasetModel::ClassNameRole).toString(),
             QStringLiteral("dog"));
    classes->setCurrentIndex(classes->findText(QStringLiteral("Unlabelled")));
    QCOMPARE(window.model()->totalCount(), qint64(0));
    classes->setCurrentIndex(0);
    QCOMPARE(window.model()->totalCount(), qint64(1500));
}

void MainWindowTest::importsAFolderFromTheWindow() {
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("more"));
    for (int i = 0; i < 5; ++i)
        QVERIFY(test::writeImage(QStringLiteral("%1/bird/%2.png").arg(images).arg(i), 20, 20, 3,
                                 i + 5000));
    QVERIFY(test::writeFile(images + QStringLiteral("/bird/broken.jpg"), QByteArray("nope")));
    const QString projectDir = dir.filePath(QStringLiteral("project"));
    test::createProject(projectDir);

    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.show();
    QVERIFY(window.openProject(projectDir).ok());
    QCOMPARE(window.model()->totalCount(), qint64(0));
    QSignalSpy finished(&window, &ui::MainWindow::importFinished);
    window.importFolder(images, {core::Split::Val, true});
    QTRY_COMPARE(finished.count(), 1);
    const auto summary = finished.first().first().value<core::ImportSummary>();
    QCOMPARE(finished.first().at(1).toString(), QString());
    QCOMPARE(window.model()->totalCount(), qint64(5));
    QVERIFY(window.classFilter()->findText(QStringLiteral("bird")) > 0);
}

void MainWindowTest::labelsTheSelectionWithAClassKey() {
    QTemporaryDir dir;
    for (int i = 0; i < 6; ++i)
        QVERIFY(test::writeImage(dir.filePath(QStringLiteral("img/%1.png").arg(i)), 16, 16, 3, i));
    const QString projectDir = dir.filePath(QStringLiteral("project"));
    {
        auto project = test::createProject(projectDir);
        QVERIFY(core::importImageFolder(*project, dir.filePath(QStringLiteral("img")), {}).ok());
        QVERIFY(project->ensureClass(QStringLiteral("cat")).ok());
        QVERIFY(project->ensureClass(QStringLiteral("dog")).ok());
    }
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.show();
    QVERIFY(window.openProject(projectDir).ok());
    QVERIFY(window.setAnnotator(QStringLiteral("bulk-tester")).ok());
    QListView *grid = window.grid();
    grid->setFocus();
    // Click the first, shift-click the third: three selected.
    grid->setCurrentIndex(window.model()->index(0));
    grid->selectionModel()->select(window.model()->index(0), QItemSelectionModel::ClearAndSelect);
    QTest::mouseClick(grid->viewport(), Qt::LeftButton, Qt::ShiftModifier,
                      grid->visualRect(window.model()->index(2)).center());
    QCOMPARE(grid->selectionModel()->selectedIndexes().size(), 2 + 1);
    QTest::keyClick(grid, Qt::Key_2);
    const auto summary = window.project()->summary();
    QCOMPARE(summary->answers, qint64(3));
    QCOMPARE(summary->perClass.size(), size_t(1));
    QCOMPARE(summary->perClass[0].name, QStringLiteral("dog"));
    QCOMPARE(window.model()->index(1).data(ui::DatasetModel::ClassNameRole).toString(),
             QStringLiteral("dog"));
    // Select all in the filter, then label everything as cat.
    QTest::keyClick(&window, Qt::Key_A, Qt::ControlModifier | Qt::ShiftModifier);
    window.activateWindow();
    grid->selectAll();
    QTest::keyClick(grid, Qt::Key_1);
    QCOMPARE(window.project()->summary()->answers, qint64(9));
}

void MainWindowTest::imageViewZoomsWithKeys() {
    ui::ImageView view;
    view.resize(400, 400);
    view.show();
    QImage image(100, 50, QImage::Format_RGB888);
    image.fill(Qt::red);
    view.setImage(image);
    QVERIFY(view.isFitted());
    QCOMPARE(view.zoom(), 4.0);
    QTest::keyClick(&view, Qt::Key_1);
    QCOMPARE(view.zoom(), 1.0);
    QTest::keyClick(&view, Qt::Key_Plus);
    QCOMPARE(view.zoom(), 1.25);
    QTest::keyClick(&view, Qt::Key_Minus);
    QCOMPARE(view.zoom(), 1.0);
    QTest::keyClick(&view, Qt::Key_F);
    QVERIFY(view.isFitted());
}

void MainWindowTest::refusesAFolderWithoutProject() {
    QTemporaryDir dir;
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    const auto opened = window.openProject(dir.path());
    QVERIFY(!opened.ok());
    QVERIFY(opened.errorMessage().contains(QStringLiteral("no Winnow project")));
    QVERIFY(window.project() == nullptr);
}

// A key typed in one tab must never trigger another action (Ctrl+N once opened the New Project
// dialog while the Review tab meant it for its note).
void MainWindowTest::noTwoActionsShareAShortcut() {
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    QHash<QKeySequence, QString> seen;
    int shortcuts = 0;
    for (const QAction *action : window.findChildren<QAction *>()) {
        for (const QKeySequence &key : action->shortcuts()) {
            QVERIFY2(!seen.contains(key),
                     qPrintable(QStringLiteral("%1 is both '%2' and '%3'")
                                    .arg(key.toString(), seen.value(key), action->text())));
            seen.insert(key, action->text());
            ++shortcuts;
        }
    }
    QVERIFY(shortcuts >= 10);
    QVERIFY(seen.contains(QKeySequence(Qt::CTRL | Qt::Key_E))); // the review note
}

// On a server, whoever logs in labels as themselves and sees only the tabs their role may use.
void MainWindowTest::teamProjectShowsEachRoleItsTabs() {
    test::PostgresServer &server = test::testServer();
    const QString owner = server.createDatabase();
    {
        auto project = test::createProject(owner);
        core::TeamRepository team(*project);
        team.setUp();
        team.add(QStringLiteral("ann"), core::Role::Annotator, QStringLiteral("pw"));
        team.add(QStringLiteral("rev"), core::Role::Reviewer, QStringLiteral("pw"));
    }
    const QString database = owner.section(u'/', 3).section(u'?', 0, 0);
    const struct {
        QString user;
        core::Role role;
        std::vector<bool> visible; // Browse, Label, Review, Annotators, Curate, Train
    } cases[] = {
        {QStringLiteral("ann"), core::Role::Annotator, {true, true, false, false, false, false}},
        {QStringLiteral("rev"), core::Role::Reviewer, {true, true, true, true, false, false}},
        {QString::fromLatin1(test::PostgresServer::kSuperuser),
         core::Role::Owner,
         {true, true, true, true, true, true}},
    };
    for (const auto &c : cases) {
        ui::MainWindow window;
        window.setAskForAnnotator(true); // not asked: the login is the annotator
        const auto opened = window.openProject(server.address(database, c.user));
        QVERIFY2(opened.ok(), qPrintable(opened.errorMessage()));
        QCOMPARE(window.role(), c.role);
        for (int tab = 0; tab < 6; ++tab)
            QCOMPARE(window.tabs()->isTabVisible(tab), c.visible[size_t(tab)]);
        QVERIFY(window.annotatorId() > 0);
        QVERIFY2(window.windowTitle().contains(c.user), qPrintable(window.windowTitle()));
    }
}

// Nobody is asked at start; the Label tab asks, a blank name is asked again (with a word why),
// and the name given is the one answers are recorded under.
void MainWindowTest::asksWhoLabelsWhenLabelingAndRefusesBlankNames() {
    QSettings().clear();
    ui::MainWindow window;
    window.setAskForAnnotator(true);
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(window.openProject(m_projectDir).ok());
    QTest::qWait(50);
    QVERIFY2(!QApplication::activeModalWidget(), "nobody is asked at start");

    QStringList seen;
    std::function<void()> answer = [&] {
        QWidget *modal = QApplication::activeModalWidget();
        if (!modal) {
            QTimer::singleShot(20, answer);
            return;
        }
        if (auto *input = qobject_cast<QInputDialog *>(modal)) {
            const bool first = !seen.contains(QStringLiteral("name"));
            seen << QStringLiteral("name");
            input->setTextValue(first ? QStringLiteral("   ") : QStringLiteral("ada"));
            input->accept();
            if (first)
                QTimer::singleShot(20, answer);
        } else if (auto *box = qobject_cast<QMessageBox *>(modal)) {
            seen << QStringLiteral("why");
            box->accept();
            QTimer::singleShot(20, answer);
        }
    };
    QTimer::singleShot(20, answer);
    window.tabs()->setCurrentIndex(1);
    QCOMPARE(seen,
             (QStringList{QStringLiteral("name"), QStringLiteral("why"), QStringLiteral("name")}));
    QVERIFY2(window.windowTitle().contains(QStringLiteral("ada")),
             qPrintable(window.windowTitle()));
}

// Opening another project once left the Train tab showing the previous project's runs and the
// Label tab its class buttons: every tab shows only the project that is open.
void MainWindowTest::everyTabForgetsThePreviousProject() {
    QTemporaryDir dir;
    const QString first = dir.filePath(QStringLiteral("first"));
    {
        auto project = test::createProject(first);
        QVERIFY(test::importColourSplits(*project, dir.path(),
                                         {QStringLiteral("crimson"), QStringLiteral("olive")}, 6));
        core::TrainOptions options;
        options.strategy = core::Strategy::Full;
        options.epochs = 1;
        options.width = 4;
        options.threads = 1;
        QVERIFY(core::trainNewRun(*project, options, {}).ok());
    }
    const QString second = dir.filePath(QStringLiteral("second"));
    QVERIFY(test::createProject(second)->ensureClass(QStringLiteral("teal")).ok());

    ui::MainWindow window;
    window.setAskForAnnotator(false);
    window.resize(1000, 700);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    const auto buttonTexts = [&] {
        QStringList texts;
        for (const QPushButton *button : window.labelingView()->findChildren<QPushButton *>())
            texts << button->text();
        return texts.join(u'|');
    };
    const auto runRows = [&] {
        int rows = 0;
        for (const QTableView *table : window.trainingView()->findChildren<QTableView *>())
            rows += table->model() ? table->model()->rowCount() : 0;
        return rows;
    };
    for (const QString &project : {first, second}) {
        const bool isFirst = project == first;
        QVERIFY(window.openProject(project).ok());
        if (isFirst) // nobody labels the second yet: its Label tab must still forget the first
            QVERIFY(window.setAnnotator(QStringLiteral("ada")).ok());
        window.tabs()->setCurrentIndex(1);
        QCOMPARE(buttonTexts().contains(QStringLiteral("crimson")), isFirst);
        window.tabs()->setCurrentIndex(5);
        QCOMPARE(runRows() > 0, isFirst);
        window.tabs()->setCurrentIndex(0);
    }
}

void MainWindowTest::keyboardShortcutsListEveryKeyOnce() {
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    QVERIFY(window.openProject(m_projectDir).ok());
    const std::vector<ui::KeyRow> rows = ui::keyRows(&window, window.tabs());
    QSet<QString> listed;
    for (const ui::KeyRow &row : rows)
        listed.insert(row.keys + u'\t' + row.what);
    // Every action with a shortcut, wherever it lives.
    int actions = 0;
    for (const QAction *action : window.findChildren<QAction *>()) {
        if (action->shortcuts().isEmpty() || action->text().isEmpty())
            continue;
        QStringList keys;
        for (const QKeySequence &key : action->shortcuts())
            keys << key.toString(QKeySequence::NativeText);
        const QString row =
            keys.join(QLatin1String(", ")) + u'\t' + QString(action->text()).remove(u'&');
        QVERIFY2(listed.contains(row), qPrintable(row));
        ++actions;
    }
    QVERIFY2(actions >= 15, qPrintable(QString::number(actions)));
    // The keys the views read themselves, and button mnemonics.
    QVERIFY(listed.contains(QStringLiteral("Space\tskip this image")));
    QVERIFY(listed.contains(QStringLiteral("M\tsend back for more answers")));
    QVERIFY(listed.contains(QStringLiteral("K\tkeep the selected images, exclude the rest of "
                                           "the group")));
    QVERIFY(listed.contains(QStringLiteral("Alt+F\topen the File menu")));
    // No key means two things where both can be reached: within a tab, or in a tab and the
    // whole window.
    QHash<QString, QString> everywhere;
    for (const ui::KeyRow &row : rows)
        if (row.everywhere)
            for (const QString &key : row.keys.split(QStringLiteral(", ")))
                everywhere.insert(key, row.context + QStringLiteral(": ") + row.what);
    QHash<QString, QString> seen; // context and key -> what
    QStringList clashes;
    for (const ui::KeyRow &row : rows) {
        if (row.everywhere)
            continue;
        for (const QString &key : row.keys.split(QStringLiteral(", "))) {
            if (everywhere.contains(key) &&
                row.context != everywhere.value(key).section(u':', 0, 0))
                clashes << QStringLiteral("%1 in %2 (%3) is also %4")
                               .arg(key, row.context, row.what, everywhere.value(key));
            const QString where = row.context + u'\t' + key;
            if (seen.contains(where) && seen.value(where) != row.what)
                clashes << QStringLiteral("%1 in %2 is both '%3' and '%4'")
                               .arg(key, row.context, seen.value(where), row.what);
            seen.insert(where, row.what);
        }
    }
    QVERIFY2(clashes.isEmpty(), qPrintable(clashes.join(u'\n')));
    // The sheet shows them all.
    QCOMPARE(ui::keySheetHtml(rows).count(QStringLiteral("<tr>")), qsizetype(rows.size()));
}

void MainWindowTest::preferencesPersistAcrossARestart() {
    QSettings().clear();
    {
        ui::PreferencesDialog dialog;
        QCOMPARE(dialog.preferences(), ui::Preferences{});
        dialog.findChild<QSpinBox *>(QStringLiteral("thumbnailSize"))->setValue(160);
        dialog.findChild<QSpinBox *>(QStringLiteral("prefetch"))->setValue(9);
        dialog.findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(7);
        dialog.findChild<QComboBox *>(QStringLiteral("method"))
            ->setCurrentText(QStringLiteral("majority"));
        dialog.findChild<QComboBox *>(QStringLiteral("width"))
            ->setCurrentText(QStringLiteral("32"));
        dialog.findChild<QDoubleSpinBox *>(QStringLiteral("price"))->setValue(0.5);
        dialog.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::Ok)->click();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
    }
    QSettings().sync();
    // A new start reads them back, and the window follows them.
    const ui::Preferences read = ui::Preferences::load();
    QCOMPARE(read.thumbnailSize, 160);
    QCOMPARE(read.prefetch, 9);
    QCOMPARE(read.trainingEpochs, 7);
    QCOMPARE(read.trainingWidth, 32);
    QCOMPARE(read.consolidationMethod, QStringLiteral("majority"));
    QCOMPARE(read.pricePerCoreHour, 0.5);
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    QVERIFY(window.openProject(m_projectDir).ok());
    QCOMPARE(window.trainingView()->findChild<QSpinBox *>(QStringLiteral("epochs"))->value(), 7);
    QCOMPARE(window.trainingView()->findChild<QComboBox *>(QStringLiteral("width"))->currentText(),
             QStringLiteral("32"));
    QCOMPARE(window.reviewView()->findChild<QComboBox *>()->currentText(),
             QStringLiteral("majority"));
    // Restore the defaults for the other tests.
    QSettings().clear();
}

void MainWindowTest::windowAndLastTabComeBackAfterARestart() {
    QSettings().clear();
    QSize left;
    {
        ui::MainWindow window;
        window.setAskForAnnotator(false);
        window.resize(900, 640);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(window.openProject(m_projectDir).ok());
        window.tabs()->setCurrentIndex(5); // Train
        left = window.size();
        window.close();
    }
    ui::MainWindow again;
    again.setAskForAnnotator(false);
    QVERIFY(left != QSize(1280, 820)); // not the default size
    QCOMPARE(again.size(), left);
    QVERIFY(again.openProject(m_projectDir).ok());
    QCOMPARE(again.tabs()->currentIndex(), 5);
    // A tab that would ask who is labeling waits until someone asks for it.
    again.tabs()->setCurrentIndex(1);
    ui::MainWindow third;
    third.setAskForAnnotator(false);
    QVERIFY(third.openProject(m_projectDir).ok());
    QCOMPARE(third.tabs()->currentIndex(), 0);
    QSettings().clear();
}

void MainWindowTest::everyControlOfTrainAndCurateHasATooltip() {
    ui::MainWindow window;
    window.setAskForAnnotator(false);
    QVERIFY(window.openProject(m_projectDir).ok());
    QStringList bare;
    for (QWidget *tab : {static_cast<QWidget *>(window.trainingView()),
                         static_cast<QWidget *>(window.curationView())}) {
        for (QWidget *control : tab->findChildren<QWidget *>()) {
            const bool isControl =
                qobject_cast<QAbstractButton *>(control) || qobject_cast<QComboBox *>(control) ||
                qobject_cast<QAbstractSpinBox *>(control) || qobject_cast<QLineEdit *>(control) ||
                qobject_cast<QSlider *>(control) || qobject_cast<QAbstractItemView *>(control);
            QWidget *parent = control->parentWidget();
            // Parts of another control (a spin box's editor, a table's corner button, a
            // combo box's list) are not controls of their own.
            const bool part =
                control->objectName().startsWith(QLatin1String("qt_")) ||
                qobject_cast<QAbstractSpinBox *>(parent) || qobject_cast<QComboBox *>(parent) ||
                qobject_cast<QAbstractItemView *>(parent) || qobject_cast<QTabBar *>(parent) ||
                qobject_cast<QLineEdit *>(parent) ||
                (parent && qobject_cast<QComboBox *>(parent->parentWidget())) ||
                control->inherits("QComboBoxPrivateContainer") ||
                (parent && parent->inherits("QComboBoxPrivateContainer"));
            if (isControl && !part && control->toolTip().isEmpty())
                bare << QStringLiteral("%1 %2 '%3' in %4")
                            .arg(QLatin1String(control->metaObject()->className()),
                                 control->objectName(),
                                 qobject_cast<QAbstractButton *>(control)
                                     ? qobject_cast<QAbstractButton *>(control)->text()
                                     : QString(),
                                 QLatin1String(tab->metaObject()->className()));
        }
    }
    QVERIFY2(bare.isEmpty(), qPrintable(bare.join(u'\n')));
}

QTEST_MAIN(MainWindowTest)
#include "mainwindow_test.moc"

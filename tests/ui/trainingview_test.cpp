#include "core/io/folderimporter.h"
#include "core/train/runs.h"
#include "tests/testsupport.h"
#include "ui/runsmodel.h"
#include "ui/trainingview.h"

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;

class TrainingViewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void oneClickTrainsThePlanAndShowsSubsets();
    void escapeCancelsAndResumeFinishes();
    void crossValidationReportsTheSpread();
    void tuningFromTheTabMarksTheBest();

private:
    QTemporaryDir m_dir;
    std::unique_ptr<core::Project> m_project;
};

void TrainingViewTest::initTestCase() {
    const QStringList classes = {QStringLiteral("red"), QStringLiteral("green"),
                                 QStringLiteral("blue")};
    test::writeColourClasses(m_dir.filePath(QStringLiteral("train")), classes, 30, 1);
    m_project = test::createProject(m_dir.filePath(QStringLiteral("p")));
    core::ImportOptions options;
    options.labelsFromFolders = true;
    options.split = core::Split::Train;
    QVERIFY(
        core::importImageFolder(*m_project, m_dir.filePath(QStringLiteral("train")), options).ok());
}

static QString text(const QAbstractItemModel *model, int row, int column) {
    return model->index(row, column).data().toString();
}

// Small, fast settings through the controls a person would use.
static void configure(ui::TrainingView &view, int epochs) {
    view.setCliPath(QStringLiteral(WINNOW_CLI));
    view.findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(epochs);
    view.findChild<QSpinBox *>(QStringLiteral("selectEvery"))->setValue(2);
    view.findChild<QComboBox *>(QStringLiteral("width"))->setCurrentIndex(0); // 8
    view.findChild<QLineEdit *>(QStringLiteral("fractions"))->setText(QStringLiteral("40"));
    if (qEnvironmentVariableIsSet("NO_BF16"))
        view.findChild<QCheckBox *>(QStringLiteral("bfloat16"))->setChecked(false);
}

void TrainingViewTest::oneClickTrainsThePlanAndShowsSubsets() {
    ui::TrainingView view;
    view.resize(1200, 800);
    view.show();
    view.setProject(m_project.get());
    configure(view, 3);
    // The tab says which labels the runs take: here no consolidation is marked current.
    const QString source = view.findChild<QLabel *>(QStringLiteral("labelSource"))->text();
    QVERIFY2(source.contains(QStringLiteral("most frequent answer")) &&
                 source.contains(QStringLiteral("no consolidation")),
             qPrintable(source));
    // The labels can be chosen; the choice goes into every run of the plan.
    auto *labels = view.findChild<QComboBox *>(QStringLiteral("labels"));
    QCOMPARE(labels->currentData().toString(), QStringLiteral("current"));
    labels->setCurrentIndex(labels->findData(QStringLiteral("import")));
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("labelSource"))
                ->text()
                .contains(QStringLiteral("came with the images")));
    QCOMPARE(view.plan().back().labels, QStringLiteral("import"));
    labels->setCurrentIndex(0);
    const auto plan = view.plan();
    QCOMPARE(plan.size(), size_t(3)); // full, glister 40 %, random 40 %
    QCOMPARE(plan[1].strategy, core::Strategy::Glister);
    QCOMPARE(plan[1].fraction, 0.4);
    QCOMPARE(plan[1].width, 8);
    // The GLISTER box's knobs start at the defaults and go into the plan.
    QCOMPARE(plan[1].selectionType, core::SelectionType::PerClass);
    QVERIFY(plan[1].meanStep && !plan[1].unitGradients);
    auto *length = view.findChild<QComboBox *>(QStringLiteral("gradientLength"));
    length->setCurrentIndex(length->findData(true));
    QVERIFY(view.plan()[1].unitGradients);
    length->setCurrentIndex(length->findData(false));

    // Before any run has finished there is nothing to estimate the time from.
    auto *estimate = view.findChild<QLabel *>(QStringLiteral("estimate"));
    QVERIFY2(estimate->text().startsWith(QStringLiteral("No time estimate yet")),
             qPrintable(estimate->text()));
    QSignalSpy finished(&view, &ui::TrainingView::trainingFinished);
    QTest::keyClick(&view, Qt::Key_Return, Qt::ControlModifier);
    QVERIFY(view.isTraining());
    QVERIFY(finished.wait(120000));
    QVERIFY(!view.isTraining());

    auto *table = view.findChild<QTableView *>(QStringLiteral("runs"));
    const QAbstractItemModel *runs = table->model();
    QCOMPARE(runs->rowCount(), 3);
    for (int row = 0; row < 3; ++row)
        QCOMPARE(text(runs, row, ui::RunsModel::Status), QStringLiteral("finished"));
    QVERIFY(!text(runs, 0, ui::RunsModel::SpeedUp).isEmpty()); // against the full run
    QVERIFY(text(runs, 0, ui::RunsModel::Labels).startsWith(QStringLiteral("reviews:")));
    QVERIFY(text(runs, 0, ui::RunsModel::Cost).startsWith(u'$'));
    // The same plan again is estimated from the newest run's speed.
    QVERIFY2(estimate->text().startsWith(QStringLiteral("Estimated time: about")) &&
                 estimate->text().contains(QStringLiteral("for 3 runs, at run ") +
                                           text(runs, 0, ui::RunsModel::Run)),
             qPrintable(estimate->text()));
    // Finished runs are offered as starting weights; the choice goes into the plan.
    auto *initFrom = view.findChild<QComboBox *>(QStringLiteral("initFrom"));
    const QString newest = text(runs, 0, ui::RunsModel::Run);
    QVERIFY(initFrom->findData(newest) > 0);
    initFrom->setCurrentIndex(initFrom->findData(newest));
    QCOMPARE(view.plan().front().initFrom, newest);
    auto *alsoScratch = view.findChild<QCheckBox *>(QStringLiteral("alsoScratch"));
    alsoScratch->setChecked(true);
    const auto both = view.plan();
    QCOMPARE(both.size(), size_t(6)); // the three runs fine-tuned, then from scratch
    QCOMPARE(both[2].initFrom, newest);
    QVERIFY(both[3].initFrom.isEmpty());
    alsoScratch->setChecked(false);
    initFrom->setCurrentIndex(0);
    auto *chart = view.findChild<QChartView *>(QStringLiteral("chart"));
    QCOMPARE(chart->chart()->series().size(), qsizetype(3));

    // The glister run (second newest row is glister: newest first, random last).
    table->selectRow(1);
    QCOMPARE(text(runs, 1, ui::RunsModel::Strategy), QStringLiteral("glister"));
    auto *subset = view.findChild<QListWidget *>(QStringLiteral("subset"));
    // PerClass, the default: int(81 * 0.4) = 32 of 90 - 9 val, ceil(32 * 27 / 81) = 11 a class.
    QCOMPARE(subset->count(), 33);
    // Thumbnails arrive from the cache's worker thread.
    QTRY_VERIFY(!subset->item(0)->icon().isNull() && !subset->item(32)->icon().isNull());
    QVERIFY(view.findChild<QLabel *>(QStringLiteral("subsetSummary"))
                ->text()
                .startsWith(QStringLiteral("33 images")));
    QVERIFY(!view.findChild<QLabel *>(QStringLiteral("subsetShares"))->text().isEmpty());
    // After the rounds come the images every counted round kept, and those none kept.
    auto *rounds = subset->parentWidget()->findChild<QComboBox *>();
    const int never = rounds->count() - 1;
    QVERIFY2(rounds->itemText(never).startsWith(QStringLiteral("never chosen (")),
             qPrintable(rounds->itemText(never)));
    const int neverCount = rounds->itemText(never).section(u'(', 1).section(u')', 0, 0).toInt();
    rounds->setCurrentIndex(never);
    QCOMPARE(subset->count(), std::min(neverCount, 160));
    QVERIFY2(
        view.findChild<QLabel *>(QStringLiteral("subsetSummary"))
            ->text()
            .startsWith(QStringLiteral("%1 images were kept by no counted round").arg(neverCount)),
        qPrintable(view.findChild<QLabel *>(QStringLiteral("subsetSummary"))->text()));
    table->clearSelection();
    table->selectRow(2);
    QCOMPARE(subset->count(), 0);
    QCOMPARE(view.findChild<QLabel *>(QStringLiteral("subsetSummary"))->text(),
             QStringLiteral("This run trained on all training images."));

    // The plan of three runs is an experiment of its own.
    for (int row = 0; row < 3; ++row)
        QVERIFY(text(runs, row, ui::RunsModel::Experiment).startsWith(QStringLiteral("sweep ")));
    // Two selected runs overlay their curves, alone.
    table->clearSelection();
    table->selectRow(2);
    table->selectionModel()->select(runs->index(0, 0),
                                    QItemSelectionModel::Select | QItemSelectionModel::Rows);
    QCOMPARE(chart->chart()->series().size(), qsizetype(2));
    // An experiment and tags are edited in place and stored.
    auto *model = const_cast<QAbstractItemModel *>(runs);
    QVERIFY(model->setData(runs->index(2, ui::RunsModel::Experiment), QStringLiteral("baseline")));
    QVERIFY(model->setData(runs->index(0, ui::RunsModel::Tags), QStringLiteral("small, fast")));
    QTRY_COMPARE(core::listRuns(*m_project)->front().experiment, QStringLiteral("baseline"));
    QTRY_COMPARE(core::listRuns(*m_project)->back().tags,
                 QStringList({QStringLiteral("small"), QStringLiteral("fast")}));
    view.findChild<QLineEdit *>(QStringLiteral("runFilter"))->setText(QStringLiteral("baseline"));
    QTRY_COMPARE(runs->rowCount(), 1);
    QTemporaryDir dir;
    const QString csv = dir.filePath(QStringLiteral("runs.csv"));
    QVERIFY(view.writeTableCsv(csv));
    QFile written(csv);
    QVERIFY(written.open(QIODevice::ReadOnly));
    QCOMPARE(written.readAll().count('\n'), 2); // the header and the one run shown
    view.findChild<QLineEdit *>(QStringLiteral("runFilter"))->clear();
    // Any aggregate of a per-epoch metric becomes a column the table sorts by.
    auto *metric = view.findChild<QComboBox *>(QStringLiteral("metric"));
    metric->setCurrentIndex(metric->findData(QStringLiteral("train_loss.min")));
    QVERIFY(!table->isColumnHidden(ui::RunsModel::Chosen));
    QCOMPARE(runs->headerData(ui::RunsModel::Chosen, Qt::Horizontal).toString(),
             QStringLiteral("train_loss.min"));
    QVERIFY(text(runs, 0, ui::RunsModel::Chosen).toDouble() <=
            text(runs, 2, ui::RunsModel::Chosen).toDouble()); // lowest loss first
    QVERIFY(view.writeMetricsCsv(core::listRuns(*m_project)->front().id, csv));
}

void TrainingViewTest::escapeCancelsAndResumeFinishes() {
    ui::TrainingView view;
    view.show();
    view.setProject(m_project.get());
    configure(view, 30);
    view.findChild<QCheckBox *>(QStringLiteral("full"))->setChecked(false);
    view.findChild<QCheckBox *>(QStringLiteral("random"))->setChecked(false);
    QSignalSpy finished(&view, &ui::TrainingView::trainingFinished);
    const size_t before = core::listRuns(*m_project)->size(); // whatever other tests left
    view.start();
    QTRY_VERIFY_WITH_TIMEOUT(core::listRuns(*m_project)->size() == before + 1, 30000);
    QTest::keyClick(&view, Qt::Key_Escape);
    QVERIFY(finished.wait(60000));
    const auto stopped = core::listRuns(*m_project)->back();
    QCOMPARE(stopped.status, core::RunStatus::Cancelled);
    QVERIFY(stopped.completedEpochs < 30);

    auto *table = view.findChild<QTableView *>(QStringLiteral("runs"));
    view.selectRun(stopped.id);
    auto *resume = view.findChild<QPushButton *>(QStringLiteral("resume"));
    QVERIFY(resume->isEnabled());
    resume->click();
    QVERIFY(finished.wait(120000));
    QCOMPARE(core::findRun(*m_project, stopped.id)->status, core::RunStatus::Finished);
    QCOMPARE(core::findRun(*m_project, stopped.id)->completedEpochs, 30);
    QCOMPARE(table->model()->rowCount(), int(before) + 1);
}

void TrainingViewTest::crossValidationReportsTheSpread() {
    ui::TrainingView view;
    view.show();
    view.setProject(m_project.get());
    configure(view, 1);
    QSignalSpy finished(&view, &ui::TrainingView::trainingFinished);
    const size_t before = core::listRuns(*m_project)->size();
    view.crossValidate(2);
    QVERIFY(view.isTraining());
    QVERIFY(finished.wait(120000));
    const auto runs = *core::listRuns(*m_project);
    QCOMPARE(runs.size(), before + 2);
    QCOMPARE(runs.back().options.cvFold, 1);
    QVERIFY(runs.back().experiment.startsWith(QStringLiteral("cv 2 folds")));
    const QString status = view.findChild<QLabel *>(QStringLiteral("status"))->text();
    QVERIFY2(status.contains(QStringLiteral("over 2 folds")), qPrintable(status));
}

// Tuning from the tab: two trials of two learning rates; the better one is tagged and named.
void TrainingViewTest::tuningFromTheTabMarksTheBest() {
    ui::TrainingView view;
    view.show();
    view.setProject(m_project.get());
    configure(view, 2);
    QSignalSpy finished(&view, &ui::TrainingView::trainingFinished);
    const size_t before = core::listRuns(*m_project)->size();
    view.tune({QStringLiteral("--trials"), QStringLiteral("2"), QStringLiteral("--lr-range"),
               QStringLiteral("0.000001,0.05"), QStringLiteral("--batch-sizes"),
               QStringLiteral("16")});
    QVERIFY(view.isTraining());
    QVERIFY(finished.wait(120000));
    const auto runs = *core::listRuns(*m_project);
    QCOMPARE(runs.size(), before + 2);
    const auto best =
        std::find_if(runs.begin() + qsizetype(before), runs.end(), [](const core::RunRecord &r) {
            return r.tags.contains(QStringLiteral("best"));
        });
    QVERIFY(best != runs.end());
    QCOMPARE(best->options.learningRate, 0.05);
    const QString status = view.findChild<QLabel *>(QStringLiteral("status"))->text();
    QVERIFY2(status.contains(QStringLiteral("run %1 is best").arg(best->id)), qPrintable(status));
}

QTEST_MAIN(TrainingViewTest)
#include "trainingview_test.moc"

#include "ui/runsmodel.h"

#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QTest>

using namespace winnow;

class RunsModelTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void passesTheModelTesterAcrossResets();
    void showsNewestFirstAndComparesWithTheFullRun();
    void sortsNumbersAsNumbers();
};

namespace {

core::RunRecord makeRun(qint64 id, core::Strategy strategy, double fraction, double seconds,
                        std::optional<double> test,
                        core::RunStatus status = core::RunStatus::Finished) {
    core::RunRecord run;
    run.id = id;
    run.status = status;
    run.options.strategy = strategy;
    run.options.fraction = fraction;
    run.options.epochs = 10;
    run.completedEpochs = 10;
    run.snapshotHash = QStringLiteral("same");
    run.totalSeconds = seconds;
    run.testAccuracy = test;
    return run;
}

std::vector<core::RunRecord> sweep() {
    return {makeRun(1, core::Strategy::Full, 1, 100, 0.8),
            makeRun(2, core::Strategy::Glister, 0.1, 12.5, 0.6),
            makeRun(9, core::Strategy::Random, 0.3, 33, 0.7),
            makeRun(10, core::Strategy::Random, 0.5, 0, std::nullopt, core::RunStatus::Running)};
}

QString text(const QAbstractItemModel &model, int row, int column) {
    return model.index(row, column).data().toString();
}

} // namespace

void RunsModelTest::passesTheModelTesterAcrossResets() {
    ui::RunsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(ui::RunsModel::kSortRole);
    QAbstractItemModelTester proxyTester(&sorted,
                                         QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRuns(sweep());
    sorted.sort(ui::RunsModel::SpeedUp, Qt::DescendingOrder);
    model.setRuns({});
    model.setRuns(sweep());
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), int(ui::RunsModel::ColumnCount));
}

void RunsModelTest::showsNewestFirstAndComparesWithTheFullRun() {
    ui::RunsModel model;
    model.setRuns(sweep());
    QCOMPARE(text(model, 0, ui::RunsModel::Run), QStringLiteral("10"));
    QCOMPARE(text(model, 3, ui::RunsModel::Strategy), QStringLiteral("full"));
    QCOMPARE(text(model, 2, ui::RunsModel::Fraction), QStringLiteral("10 %"));
    QCOMPARE(text(model, 2, ui::RunsModel::SpeedUp), QStringLiteral("8.00x"));
    QCOMPARE(text(model, 2, ui::RunsModel::AccuracyChange), QStringLiteral("-20.0 pt"));
    QCOMPARE(text(model, 0, ui::RunsModel::Status), QStringLiteral("running"));
    QVERIFY(text(model, 0, ui::RunsModel::SpeedUp).isEmpty()); // not finished yet
    QCOMPARE(model.index(1, 0).data(ui::RunsModel::kRunIdRole).toLongLong(), qint64(9));
    QCOMPARE(model.rowOf(2), 2);
    QCOMPARE(model.rowOf(77), -1);
    QCOMPARE(model.run(9)->options.strategy, core::Strategy::Random);
    QVERIFY(!model.headerData(ui::RunsModel::SpeedUp, Qt::Horizontal, Qt::ToolTipRole)
                 .toString()
                 .isEmpty());
    // Without a comparable full-data run the cells say what is missing, the tooltip in full.
    model.setRuns({makeRun(4, core::Strategy::Glister, 0.1, 10, 0.5)});
    QCOMPARE(text(model, 0, ui::RunsModel::SpeedUp), QStringLiteral("needs a full-data run"));
    QCOMPARE(text(model, 0, ui::RunsModel::AccuracyChange),
             QStringLiteral("needs a full-data run"));
    QVERIFY(model.index(0, ui::RunsModel::SpeedUp)
                .data(Qt::ToolTipRole)
                .toString()
                .contains(QStringLiteral("full-data run")));
}

void RunsModelTest::sortsNumbersAsNumbers() {
    ui::RunsModel model;
    model.setRuns(sweep());
    QSortFilterProxyModel sorted;
    sorted.setSourceModel(&model);
    sorted.setSortRole(ui::RunsModel::kSortRole);
    sorted.sort(ui::RunsModel::Run, Qt::AscendingOrder); // 9 before 10, not "10" before "9"
    QCOMPARE(text(sorted, 2, ui::RunsModel::Run), QStringLiteral("9"));
    QCOMPARE(text(sorted, 3, ui::RunsModel::Run), QStringLiteral("10"));
    sorted.sort(ui::RunsModel::SpeedUp, Qt::DescendingOrder);
    QCOMPARE(text(sorted, 0, ui::RunsModel::Run), QStringLiteral("2")); // 8x
    QCOMPARE(text(sorted, 1, ui::RunsModel::Run), QStringLiteral("9")); // 3.03x
}

QTEST_MAIN(RunsModelTest)
#include "runsmodel_test.moc"

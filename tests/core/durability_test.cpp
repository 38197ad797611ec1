#include "core/label/labelingsession.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"

#include <QElapsedTimer>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <csignal>

using namespace winnow::core;

class DurabilityTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void answersShownSavedSurviveSigkill();
    void eightAnnotatorsOnAServerSurviveSigkill();
};

namespace {

// Checks that every answer and undo `output` reports is in the database.
qint64 checkReported(Database &db, const QByteArray &output) {
    Statement answer(db, "SELECT COUNT(*) FROM answers WHERE id = ? AND revokes IS NULL");
    Statement undo(db, "SELECT COUNT(*) FROM answers WHERE revokes IS NOT NULL AND item_id = ?");
    qint64 reported = 0;
    for (const QByteArray &line : output.split('\n')) {
        if (line.startsWith("answer ")) {
            answer.bind(1, line.mid(7).toLongLong());
            answer.step();
            if (answer.int64(0) != 1)
                qFatal("reported committed but missing: %s", line.constData());
            answer.reset();
            ++reported;
        } else if (line.startsWith("undo ") && line != "undo 0") {
            undo.bind(1, line.mid(5).toLongLong());
            undo.step();
            if (undo.int64(0) < 1)
                qFatal("undo reported committed but missing: %s", line.constData());
            undo.reset();
        }
    }
    return reported;
}

// Fills `project` with `count` items (no files: writers never look at them) and one class,
// `wanted` answers wanted per item; returns the class.
qint64 labelingProject(Project &project, int count, int wanted) {
    const qint64 batch =
        *project.createBatch(QStringLiteral("folder"), QStringLiteral("/data"), std::nullopt);
    std::vector<NewItem> items(static_cast<size_t>(count));
    for (size_t i = 0; i < items.size(); ++i) {
        items[i].path = QStringLiteral("/data/%1.png").arg(i);
        items[i].contentHash = QByteArray::number(qint64(i));
        items[i].width = items[i].height = 8;
        items[i].channels = 1;
    }
    if (!project.addItems(batch, std::nullopt, items, 0) ||
        !LabelingSession::setAnswersWanted(project, wanted))
        qFatal("cannot fill the test project");
    return *project.ensureClass(QStringLiteral("cat"));
}

qint64 scalar(Database &db, const char *sql) {
    Statement query(db, sql);
    query.step();
    return query.int64(0);
}

} // namespace

void DurabilityTest::answersShownSavedSurviveSigkill() {
    QTemporaryDir dir;
    qint64 classId = 0;
    {
        auto project = winnow::test::createProject(dir.path());
        // More items than a writer can answer before it is killed.
        classId = labelingProject(*project, 20000, 1000);
    }

    QRandomGenerator random(20261122);
    constexpr int kRounds = 30;
    qint64 totalReported = 0;
    for (int round = 0; round < kRounds; ++round) {
        // Two writers side by side, as two annotators on one machine.
        QProcess writers[2];
        for (int w = 0; w < 2; ++w) {
            writers[w].start(QStringLiteral(WINNOW_ANSWER_WRITER),
                             {dir.path(), QStringLiteral("writer-%1-%2").arg(round).arg(w),
                              QString::number(classId)});
            QVERIFY(writers[w].waitForStarted());
        }
        // Kill at a random moment once both are writing (starting up takes a while on a busy
        // machine, and a kill before the first answer proves nothing).
        for (QProcess &writer : writers) {
            QElapsedTimer waited;
            waited.start();
            while (writer.bytesAvailable() == 0 && writer.state() == QProcess::Running &&
                   waited.elapsed() < 60000)
                writer.waitForReadyRead(100);
            QVERIFY2(writer.bytesAvailable() > 0,
                     qPrintable(QStringLiteral("writer wrote nothing (state %1, exit %2): %3")
                                    .arg(writer.state())
                                    .arg(writer.exitCode())
                                    .arg(QString::fromUtf8(writer.readAllStandardError()))));
        }
        QTest::qWait(int(random.bounded(10, 400)));
        for (QProcess &writer : writers) {
            winnow::test::killHard(writer);
            QCOMPARE(writer.exitStatus(), QProcess::CrashExit); // killed, not failed on its own
            // Contention between the two writers is absorbed by the busy timeout: no errors.
            const QByteArray errors = writer.readAllStandardError();
            QVERIFY2(errors.isEmpty(), errors.constData());
        }

        auto project = Project::open(dir.path());
        QVERIFY2(project.ok(), qPrintable(project.errorMessage()));
        Database &db = databaseOf(*(*project));
        {
            Statement check(db, "PRAGMA integrity_check");
            QVERIFY(check.step());
            QCOMPARE(check.text(0), QStringLiteral("ok"));
        }
        Statement answer(db, "SELECT COUNT(*) FROM answers WHERE id = ? AND revokes IS NULL");
        Statement undo(db,
                       "SELECT COUNT(*) FROM answers WHERE revokes IS NOT NULL AND item_id = ?");
        for (QProcess &writer : writers) {
            const QList<QByteArray> lines = writer.readAllStandardOutput().split('\n');
            for (const QByteArray &line : lines) {
                if (line.startsWith("answer ")) {
                    answer.bind(1, line.mid(7).toLongLong());
                    QVERIFY(answer.step());
                    QVERIFY2(answer.int64(0) == 1, line.constData());
                    answer.reset();
                    ++totalReported;
                } else if (line.startsWith("undo ")) {
                    undo.bind(1, line.mid(5).toLongLong());
                    QVERIFY(undo.step());
                    QVERIFY2(undo.int64(0) >= 1, line.constData());
                    undo.reset();
                }
            }
        }
    }
    qInfo("%lld answers reported committed over %d kills, all found", totalReported, kRounds * 2);
    QVERIFY(totalReported > kRounds); // the writers really wrote
}

// Eight annotators on eight processes share one server project; 30 times one of them is killed
// at a random moment and started again. Every answer a writer reported committed is there, no
// item has more live answers than the overlap, and nobody answered an item twice.
void DurabilityTest::eightAnnotatorsOnAServerSurviveSigkill() {
    constexpr int kWriters = 8;
    constexpr int kKills = 30;
    constexpr int kOverlap = 3;
    const QString address = winnow::test::testServer().createDatabase();
    qint64 classId = 0;
    {
        auto project = winnow::test::createProject(address);
        classId = labelingProject(*project, 3000, kOverlap);
    }
    QProcess writers[kWriters];
    const auto start = [&](int w) {
        writers[w].start(
            QStringLiteral(WINNOW_ANSWER_WRITER),
            {address, QStringLiteral("annotator-%1").arg(w), QString::number(classId)});
        return writers[w].waitForStarted();
    };
    for (int w = 0; w < kWriters; ++w)
        QVERIFY(start(w));
    auto project = Project::open(address);
    QVERIFY2(project.ok(), qPrintable(project.errorMessage()));
    Database &db = databaseOf(**project);
    QRandomGenerator random(20261201);
    qint64 reported = 0;
    const auto killAndCheck = [&](int w) {
        winnow::test::killHard(writers[w]);
        QCOMPARE(writers[w].exitStatus(), QProcess::CrashExit);
        const QByteArray errors = writers[w].readAllStandardError();
        QVERIFY2(errors.isEmpty(), errors.constData());
        reported += checkReported(db, writers[w].readAllStandardOutput());
    };
    for (int kill = 0; kill < kKills; ++kill) {
        QTest::qWait(int(random.bounded(50, 400)));
        const int w = int(random.bounded(kWriters));
        killAndCheck(w);
        QVERIFY(start(w));
    }
    // Before the last kills, every annotator gets the time to answer (a writer killed soon after
    // its start may not have yet, and a loaded or sanitized build starts slowly).
    const auto annotatorsWhoAnswered = [&] {
        return scalar(db, "SELECT COUNT(DISTINCT annotator_id) FROM live_answers");
    };
    QTRY_COMPARE_WITH_TIMEOUT(annotatorsWhoAnswered(), qint64(kWriters), 120000);
    for (int w = 0; w < kWriters; ++w)
        killAndCheck(w);
    QVERIFY(reported > kKills);
    QVERIFY(scalar(db, "SELECT COALESCE(MAX(n), 0) FROM (SELECT item_id, COUNT(*) AS n"
                       " FROM live_answers GROUP BY item_id) counted") <= kOverlap);
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM (SELECT item_id, annotator_id FROM live_answers"
                        " GROUP BY item_id, annotator_id HAVING COUNT(*) > 1) twice"),
             qint64(0));
    qInfo("%lld answers reported committed by %d annotators over %d random kills (and %d at the "
          "end), all found; at most %d answers per item",
          reported, kWriters, kKills, kWriters, kOverlap);
}

QTEST_GUILESS_MAIN(DurabilityTest)
#include "durability_test.moc"

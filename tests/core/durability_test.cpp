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
};

void DurabilityTest::answersShownSavedSurviveSigkill() {
    QTemporaryDir dir;
    qint64 classId = 0;
    {
        auto project = winnow::test::createProject(dir.path());
        const qint64 batch =
            *project->createBatch(QStringLiteral("folder"), QStringLiteral("/data"), std::nullopt);
        std::vector<NewItem> items(20000); // more than a writer can answer before it is killed
        for (size_t i = 0; i < items.size(); ++i) {
            items[i].path = QStringLiteral("/data/%1.png").arg(i);
            items[i].contentHash = QByteArray::number(qint64(i));
            items[i].width = items[i].height = 8;
            items[i].channels = 1;
        }
        QVERIFY(project->addItems(batch, std::nullopt, items, 0).ok());
        classId = *project->ensureClass(QStringLiteral("cat"));
        QVERIFY(LabelingSession::setAnswersWanted(*project, 1000).ok());
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
            ::kill(pid_t(writer.processId()), SIGKILL);
            writer.waitForFinished();
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

QTEST_GUILESS_MAIN(DurabilityTest)
#include "durability_test.moc"

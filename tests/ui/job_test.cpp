#include "ui/job.h"

#include <QSignalSpy>
#include <QTest>
#include <QThread>
#include <stdexcept>

using namespace winnow;

class JobTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void reportsProgressOnTheGuiThreadAndFinishes();
    void cancelStopsTheWorkAtItsNextCheck();
    void refusesASecondStartWhileRunning();
    void anExceptionBecomesTheError();
};

void JobTest::reportsProgressOnTheGuiThreadAndFinishes() {
    ui::Job job;
    QThread *gui = QThread::currentThread();
    bool onGui = true;
    connect(&job, &ui::Job::progress, this,
            [&] { onGui = onGui && QThread::currentThread() == gui; });
    QSignalSpy progress(&job, &ui::Job::progress);
    QSignalSpy finished(&job, &ui::Job::finished);
    QVERIFY(job.start([](const core::ProgressFn &report, const core::CancelToken &) {
        for (int i = 1; i <= 3; ++i)
            report(i, 3, QStringLiteral("counting"));
        return QString();
    }));
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(0).toString(), QString());
    QTRY_COMPARE(progress.count(), 3);
    QCOMPARE(progress.at(2).at(0).toLongLong(), qint64(3));
    QVERIFY(onGui);
    QVERIFY(!job.wasCancelled());
}

void JobTest::cancelStopsTheWorkAtItsNextCheck() {
    ui::Job job;
    QSignalSpy finished(&job, &ui::Job::finished);
    std::atomic<int> rounds{0};
    QVERIFY(job.start([&rounds](const core::ProgressFn &, const core::CancelToken &cancel) {
        while (!cancel.isCancelled()) {
            ++rounds;
            QThread::msleep(2);
        }
        return QStringLiteral("stopped");
    }));
    QTRY_VERIFY(rounds > 3);
    QVERIFY(job.isRunning());
    job.cancel();
    QVERIFY(finished.wait(5000));
    QVERIFY(job.wasCancelled());
    QVERIFY(!job.isRunning());
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("stopped"));
    // The token is fresh for the next run.
    QVERIFY(job.start([](const core::ProgressFn &, const core::CancelToken &cancel) {
        return cancel.isCancelled() ? QStringLiteral("stale") : QString();
    }));
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(1).at(0).toString(), QString());
}

void JobTest::refusesASecondStartWhileRunning() {
    ui::Job job;
    QSignalSpy finished(&job, &ui::Job::finished);
    QVERIFY(job.start([](const core::ProgressFn &, const core::CancelToken &cancel) {
        while (!cancel.isCancelled())
            QThread::msleep(2);
        return QString();
    }));
    QVERIFY(
        !job.start([](const core::ProgressFn &, const core::CancelToken &) { return QString(); }));
    job.cancel();
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.count(), 1);
}

void JobTest::anExceptionBecomesTheError() {
    ui::Job job;
    QSignalSpy finished(&job, &ui::Job::finished);
    QVERIFY(job.start([](const core::ProgressFn &, const core::CancelToken &) -> QString {
        throw std::runtime_error("disk full");
    }));
    QVERIFY(finished.wait(5000));
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("disk full"));
}

QTEST_MAIN(JobTest)
#include "job_test.moc"

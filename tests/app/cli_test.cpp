#include "tests/testsupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

namespace {

struct Run {
    int code = -1;
    QString out;
    QString err;
};

Run cli(const QStringList &args)
{
    QProcess process;
    process.start(QStringLiteral(WINNOW_CLI), args);
    process.waitForFinished(60000);
    return {process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1,
            QString::fromUtf8(process.readAllStandardOutput()),
            QString::fromUtf8(process.readAllStandardError())};
}

} // namespace

class CliTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void usageErrorsExitWithTwo_data();
    void usageErrorsExitWithTwo();
    void failuresExitWithOneAndNameTheFile();
    void initImportInfoRoundTrip();
};

void CliTest::usageErrorsExitWithTwo_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::newRow("no command") << QStringList{};
    QTest::newRow("unknown command") << QStringList{QStringLiteral("frobnicate")};
    QTest::newRow("init without dir") << QStringList{QStringLiteral("init")};
    QTest::newRow("unknown option") << QStringList{QStringLiteral("info"), QStringLiteral("x"), QStringLiteral("--bogus")};
    QTest::newRow("import without source") << QStringList{QStringLiteral("import"), QStringLiteral("x")};
    QTest::newRow("bad split") << QStringList{QStringLiteral("import"), QStringLiteral("x"), QStringLiteral("--images"), QStringLiteral("y"), QStringLiteral("--split"), QStringLiteral("dev")};
    QTest::newRow("idx without labels") << QStringList{QStringLiteral("import"), QStringLiteral("x"), QStringLiteral("--idx"), QStringLiteral("y")};
}

void CliTest::usageErrorsExitWithTwo()
{
    QFETCH(QStringList, args);
    const Run run = cli(args);
    QCOMPARE(run.code, 2);
    QVERIFY(run.err.contains(QStringLiteral("usage")));
}

void CliTest::failuresExitWithOneAndNameTheFile()
{
    QTemporaryDir dir;
    const QString missing = dir.filePath(QStringLiteral("missing"));
    const Run info = cli({QStringLiteral("info"), missing});
    QCOMPARE(info.code, 1);
    QVERIFY2(info.err.contains(missing), qPrintable(info.err));

    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    const Run again = cli({QStringLiteral("init"), project});
    QCOMPARE(again.code, 1);
    QVERIFY(again.err.contains(QStringLiteral("already exists")));
    const Run noFolder = cli({QStringLiteral("import"), project, QStringLiteral("--images"), missing});
    QCOMPARE(noFolder.code, 1);
    QVERIFY(noFolder.err.contains(missing));
}

void CliTest::initImportInfoRoundTrip()
{
    QTemporaryDir dir;
    const QString images = dir.filePath(QStringLiteral("imgs"));
    for (int i = 0; i < 6; ++i)
        QVERIFY(winnow::test::writeImage(QStringLiteral("%1/%2/%3.jpg").arg(images, i < 4 ? QStringLiteral("cat") : QStringLiteral("dog")).arg(i), 24, 24, 3, i, ".jpg"));
    QVERIFY(winnow::test::writeFile(images + QStringLiteral("/cat/bad.jpg"), QByteArray()));
    const QString project = dir.filePath(QStringLiteral("p"));
    QCOMPARE(cli({QStringLiteral("init"), project}).code, 0);
    const Run import = cli({QStringLiteral("import"), project, QStringLiteral("--images"), images,
                            QStringLiteral("--labels-from-folders"), QStringLiteral("--split"), QStringLiteral("train")});
    QCOMPARE(import.code, 0);
    QVERIFY2(import.out.contains(QStringLiteral("imported 6")), qPrintable(import.out));
    QVERIFY2(import.err.contains(QStringLiteral("bad.jpg: empty file")), qPrintable(import.err));
    const Run info = cli({QStringLiteral("info"), project});
    QCOMPARE(info.code, 0);
    QVERIFY(info.out.contains(QStringLiteral("items\t6")));
    QVERIFY(info.out.contains(QStringLiteral("  cat\t4")));
    QVERIFY(info.out.contains(QStringLiteral("  dog\t2")));
    QVERIFY(info.out.contains(QStringLiteral("  train\t6")));
    QVERIFY(info.out.contains(QStringLiteral("  folder\t6")));
}

QTEST_GUILESS_MAIN(CliTest)
#include "cli_test.moc"

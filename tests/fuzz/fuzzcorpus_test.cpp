#include "tests/fuzz/fuzztargets.h"

#include <QDirIterator>
#include <QFile>
#include <QTest>

// Replays every kept fuzz input (seeds and the findings of earlier runs, under
// tests/data/fuzz/<target>) through its target in the ordinary build, so a reader that
// regresses on an input that once broke it fails here, sanitizers or not.
class FuzzCorpusTest : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void replaysEveryKeptInput_data();
    void replaysEveryKeptInput();
};

void FuzzCorpusTest::replaysEveryKeptInput_data() {
    QTest::addColumn<int>("target");
    QTest::addColumn<QString>("path");
    int rows = 0;
    for (int t = 0; t < int(std::size(winnow::fuzz::kTargets)); ++t) {
        const QString name = QString::fromLatin1(winnow::fuzz::kTargets[t].name);
        QDirIterator files(QStringLiteral(WINNOW_TEST_DATA "/fuzz/") + name, QDir::Files,
                           QDirIterator::Subdirectories);
        while (files.hasNext()) {
            const QString path = files.next();
            QTest::addRow("%s/%s", qPrintable(name), qPrintable(files.fileName())) << t << path;
            ++rows;
        }
    }
    QVERIFY2(rows >= 20, "the kept inputs are found");
}

void FuzzCorpusTest::replaysEveryKeptInput() {
    QFETCH(int, target);
    QFETCH(QString, path);
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray bytes = file.readAll();
    QCOMPARE(winnow::fuzz::kTargets[target].run(reinterpret_cast<const uint8_t *>(bytes.data()),
                                                size_t(bytes.size())),
             0);
}

QTEST_GUILESS_MAIN(FuzzCorpusTest)
#include "fuzzcorpus_test.moc"

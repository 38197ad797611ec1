// Consolidation at scale: 1,000,000 items x 5 answers, 10 classes, 2,000 annotators of varied
// quality. Prints EM time in-process, and end-to-end time and peak memory of
// `winnow-cli consolidate --answers` on the same answers as CSV.
#include "core/consensus/consensus.h"
#include "tests/bench/benchsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTextStream>
#include <random>

using namespace winnow;

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    QTextStream out(stdout);
    if (argc < 2) {
        out << "usage: consensus_bench WINNOW_CLI" << Qt::endl;
        return 2;
    }
    constexpr int kItems = 1000000, kAnswers = 5, kClasses = 10, kWorkers = 2000;
    std::mt19937 rng(42);
    std::uniform_real_distribution<double> unit(0, 1);
    std::vector<double> accuracy(kWorkers);
    for (double &a : accuracy)
        a = 0.35 + 0.6 * unit(rng);
    core::AnswerTableBuilder builder;
    QByteArray csv = "item,worker,label\n";
    csv.reserve(qsizetype(kItems) * kAnswers * 20);
    std::vector<int> truth(kItems);
    for (int i = 0; i < kItems; ++i) {
        truth[size_t(i)] = int(rng() % kClasses);
        for (int a = 0; a < kAnswers; ++a) {
            const int w = int(rng() % kWorkers);
            int label = truth[size_t(i)];
            if (unit(rng) > accuracy[size_t(w)])
                label = int(rng() % kClasses);
            builder.add(i, w, label);
            csv += 'i' + QByteArray::number(i) + ",w" + QByteArray::number(w) + ",c" +
                   QByteArray::number(label) + '\n';
        }
    }
    const core::AnswerTable table = builder.build(kItems, kWorkers, kClasses);

    for (const char *name : {"dawid-skene", "ground-truth", "majority"}) {
        QElapsedTimer timer;
        timer.start();
        const core::ConsensusResult r =
            core::makeConsensusMethod(QLatin1String(name))->run(table, {});
        const double seconds = timer.elapsed() / 1000.0;
        int right = 0;
        for (int i = 0; i < kItems; ++i)
            right += r.label[size_t(i)] == truth[size_t(i)];
        out << QStringLiteral("consolidate %1 in-process (1,000,000 items x 5 answers, 10 classes, "
                              "2,000 annotators): "
                              "%2 s, %3 iterations, accuracy %4 (target EM < 2 s)")
                   .arg(QLatin1String(name))
                   .arg(seconds, 0, 'f', 2)
                   .arg(r.iterations)
                   .arg(double(right) / kItems, 0, 'f', 4)
            << Qt::endl;
    }

    QTemporaryDir dir;
    const QString answers = dir.filePath(QStringLiteral("answers.csv"));
    QFile file(answers);
    file.open(QIODevice::WriteOnly);
    file.write(csv);
    file.close();
    csv.clear();
    int code = 0;
    for (const char *name : {"majority", "dawid-skene", "ground-truth"}) {
        QProcess cli;
        QElapsedTimer timer;
        timer.start();
        cli.start(QString::fromLocal8Bit(argv[1]),
                  {QStringLiteral("consolidate"), QStringLiteral("--answers"), answers,
                   QStringLiteral("--method"), QLatin1String(name), QStringLiteral("--out"),
                   dir.filePath(QStringLiteral("out.csv"))});
        cli.waitForFinished(-1);
        const double seconds = timer.elapsed() / 1000.0;
        rusage usage{};
        getrusage(RUSAGE_CHILDREN, &usage);
        out << QStringLiteral("winnow-cli consolidate --answers (5,000,000 rows, %1) end to end: "
                              "%2 s, peak memory so far %3 MiB (targets < 3 s, < 1024 MiB); it "
                              "says: %4")
                   .arg(QLatin1String(name))
                   .arg(seconds, 0, 'f', 2)
                   .arg(usage.ru_maxrss / 1024.0, 0, 'f', 0)
                   .arg(QString::fromUtf8(cli.readAllStandardOutput()).trimmed())
            << Qt::endl;
        code = std::max(code, cli.exitCode());
    }
    return code;
}

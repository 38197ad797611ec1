// Child process of durability_test: labels as fast as it can and prints, after each commit,
// what it committed. The test kills it at random moments.
#include "core/label/labelingsession.h"
#include "core/store/project.h"

#include <QCoreApplication>
#include <QThread>
#include <cstdio>

using namespace winnow::core;

int main(int argc, char *argv[]) {
    QCoreApplication app(argc, argv);
    if (argc < 4)
        return 2;
    auto project = Project::open(QString::fromLocal8Bit(argv[1]));
    if (!project) {
        std::fprintf(stderr, "%s\n", qPrintable(project.error().message));
        return 1;
    }
    const auto annotator =
        (*project)->ensureAnnotator(QString::fromLocal8Bit(argv[2]), QStringLiteral("human"));
    const qint64 classId = QByteArray(argv[3]).toLongLong();
    if (!annotator) {
        std::fprintf(stderr, "annotator: %s\n", qPrintable(annotator.error().message));
        return 1;
    }
    LabelingSession session(**project, *annotator);
    for (int round = 0;; ++round) {
        const auto queue = session.claim(10);
        if (queue && queue->empty()) {
            std::printf("queue empty\n");
            std::fflush(stdout);
            QThread::sleep(60); // stays until killed, as an idle annotator would
            continue;
        }
        if (!queue) {
            std::fprintf(stderr, "claim: %s\n", qPrintable(queue.error().message));
            return 1;
        }
        for (const QueueEntry &entry : *queue) {
            const auto id = session.answer(entry.itemId, classId, 100);
            if (!id) {
                std::fprintf(stderr, "answer: %s\n", qPrintable(id.error().message));
                return 1;
            }
            std::printf("answer %lld\n", id.value());
            std::fflush(stdout);
            // Even a fast annotator pauses between images; without any pause one writer would
            // hold SQLite's lock nearly all the time and starve the other.
            QThread::msleep(2);
        }
        if (round % 3 == 2) {
            const auto undone = session.undoLast();
            if (!undone) {
                std::fprintf(stderr, "undo: %s\n", qPrintable(undone.error().message));
                return 1;
            }
            std::printf("undo %lld\n", undone->value_or(0));
            std::fflush(stdout);
        }
    }
}

#include "core/consensus/consolidation.h"
#include "core/consensus/review.h"
#include "core/io/labelexport.h"
#include "core/label/labelingsession.h"
#include "core/label/labelsource.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "tests/testsupport.h"

#include <QTemporaryDir>
#include <QTest>

using namespace winnow;

// A review decision pins the label the reviewer saw: later consolidations, of any method, change
// neither the exported label nor the label training takes. Training labels change only when the
// user marks a consolidation current.
class ReviewTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void acceptedLabelSurvivesReconsolidation_data();
    void acceptedLabelSurvivesReconsolidation();
    void acceptOfAnItemOutsideTheConsolidationIsRefused();
    void olderAcceptedReviewsArePinnedWhenTheProjectIsUpgraded();
    void trainingLabelsFollowOnlyTheConsolidationMarkedCurrent();
    void upgradeMarksTheNewestConsolidationCurrent();
};

namespace {

struct Fixture {
    QTemporaryDir dir;
    std::unique_ptr<core::Project> project;
    std::vector<qint64> ids;
    qint64 cat = 0, dog = 0;

    explicit Fixture(int items) {
        project = test::createProject(dir.filePath(QStringLiteral("p")));
        std::vector<core::NewItem> newItems;
        for (int i = 0; i < items; ++i) {
            core::NewItem item;
            item.path = dir.filePath(QStringLiteral("img/%1.png").arg(i));
            test::writeImage(item.path, 16, 16, 3, i);
            item.contentHash = QByteArray::number(i);
            item.width = item.height = 16;
            item.channels = 3;
            newItems.push_back(item);
        }
        const qint64 batch = *project->createBatch(
            QStringLiteral("folder"), dir.filePath(QStringLiteral("img")), std::nullopt);
        QVERIFY(project->addItems(batch, std::nullopt, newItems, 0).ok());
        for (const auto &item : *project->items({}, 0, items))
            ids.push_back(item.id);
        cat = *project->ensureClass(QStringLiteral("cat"));
        dog = *project->ensureClass(QStringLiteral("dog"));
    }

    // Undoes migration 8 (the current-consolidation mark), as a project of version 7 has it.
    void downgradeToVersion7() {
        core::databaseOf(*project).execute(QStringLiteral("DROP TABLE reference_labels")); // 14
        for (const char *table : {"queue_priority", "autolabeled_items", "machine_labels",
                                  "autolabel_rounds", "predictions", "prediction_sets"}) // 13
            core::databaseOf(*project).execute(
                QStringLiteral("DROP TABLE %1").arg(QLatin1String(table)));
        core::databaseOf(*project).execute(QStringLiteral("DROP INDEX runs_by_experiment")); // 12
        for (const char *column : {"experiment", "notes", "tags"})
            core::databaseOf(*project).execute(
                QStringLiteral("ALTER TABLE runs DROP COLUMN %1").arg(QLatin1String(column)));
        core::databaseOf(*project).execute(
            QStringLiteral("ALTER TABLE run_epochs DROP COLUMN cpu_seconds")); // 11
        core::databaseOf(*project).execute(QStringLiteral("DROP INDEX item_progress_by_answers"));
        core::databaseOf(*project).execute(QStringLiteral("DROP TABLE image_copies")); // 9
        core::databaseOf(*project).execute(QStringLiteral("DROP INDEX one_current_consolidation"));
        core::databaseOf(*project).execute(
            QStringLiteral("ALTER TABLE consolidations DROP COLUMN is_current"));
        core::databaseOf(*project).execute(QStringLiteral("PRAGMA user_version = 7"));
    }

    qint64 annotator(const QString &name) {
        return *project->ensureAnnotator(name, QStringLiteral("human"));
    }

    qint64 consolidatedClass(qint64 consolidationId, qint64 itemId) {
        core::Statement query(
            core::databaseOf(*project),
            "SELECT class_id FROM consolidated_labels WHERE consolidation_id = ? AND item_id = ?");
        query.bind(1, consolidationId).bind(2, itemId);
        return query.step() ? query.int64(0) : 0;
    }

    // The exported label of the item whose file is `name`, and whether it is marked reviewed.
    QPair<QString, QString> exported(qint64 consolidationId, const QString &name) {
        const QString file = dir.filePath(QStringLiteral("labels.csv"));
        const auto rows =
            core::exportConsolidatedLabels(*project, consolidationId, file, core::LabelFormat::Csv);
        if (!rows)
            qFatal("export failed: %s", qPrintable(rows.error().message));
        QFile in(file);
        in.open(QIODevice::ReadOnly);
        for (const QByteArray &line : in.readAll().split('\n')) {
            const QList<QByteArray> fields = line.split(',');
            if (fields.size() == 5 && fields[0] == name.toUtf8())
                return {QString::fromUtf8(fields[1]), QString::fromUtf8(fields[4])};
        }
        return {};
    }
};

} // namespace

void ReviewTest::acceptedLabelSurvivesReconsolidation_data() {
    QTest::addColumn<QString>("method");
    for (const QString &method : core::consensusMethodNames())
        QTest::newRow(qPrintable(method)) << method;
}

void ReviewTest::acceptedLabelSurvivesReconsolidation() {
    QFETCH(QString, method);
    Fixture f(6);
    const qint64 a = f.annotator(QStringLiteral("a")), b = f.annotator(QStringLiteral("b")),
                 c = f.annotator(QStringLiteral("c")), d = f.annotator(QStringLiteral("d"));
    core::LabelingSession sa(*f.project, a), sb(*f.project, b), sc(*f.project, c),
        sd(*f.project, d);
    // Items 1-5: everyone agrees, so every annotator looks equally reliable. Item 0: only `a`, cat.
    const std::vector<qint64> cats{f.ids[1], f.ids[3], f.ids[5]}, dogs{f.ids[2], f.ids[4]};
    for (core::LabelingSession *s : {&sa, &sb, &sc, &sd}) {
        QVERIFY(s->answerMany(cats, f.cat).ok());
        QVERIFY(s->answerMany(dogs, f.dog).ok());
    }
    QVERIFY(sa.answerMany({f.ids[0]}, f.cat).ok());
    const auto first = core::consolidateProject(*f.project, *core::makeConsensusMethod(method), {});
    QVERIFY(first.ok());
    QCOMPARE(f.consolidatedClass(first->id, f.ids[0]), f.cat);

    const qint64 reviewer = f.annotator(QStringLiteral("rita"));
    QVERIFY(core::recordReview(*f.project, f.ids[0], reviewer, core::ReviewDecision::Accept,
                               std::nullopt, {}, first->id)
                .ok());
    QCOMPARE(f.exported(first->id, QStringLiteral("0.png")),
             qMakePair(QStringLiteral("cat"), QStringLiteral("yes")));

    // Three more annotators say dog: the next consolidation gives dog, the review still says cat.
    QVERIFY(sb.answerMany({f.ids[0]}, f.dog).ok());
    QVERIFY(sc.answerMany({f.ids[0]}, f.dog).ok());
    QVERIFY(sd.answerMany({f.ids[0]}, f.dog).ok());
    const auto second =
        core::consolidateProject(*f.project, *core::makeConsensusMethod(method), {});
    QVERIFY(second.ok());
    QCOMPARE(f.consolidatedClass(second->id, f.ids[0]), f.dog);
    QCOMPARE(f.exported(second->id, QStringLiteral("0.png")),
             qMakePair(QStringLiteral("cat"), QStringLiteral("yes")));
    const auto labels = core::currentLabels(*f.project);
    QVERIFY(labels.ok());
    QCOMPARE(labels->value(f.ids[0]), f.cat);
    // Unreviewed items follow the consolidation.
    QCOMPARE(labels->value(f.ids[2]), f.dog);
    QCOMPARE(f.exported(second->id, QStringLiteral("2.png")),
             qMakePair(QStringLiteral("dog"), QStringLiteral("no")));
}

void ReviewTest::acceptOfAnItemOutsideTheConsolidationIsRefused() {
    Fixture f(2);
    const qint64 a = f.annotator(QStringLiteral("a"));
    core::LabelingSession sa(*f.project, a);
    QVERIFY(sa.answerMany({f.ids[0]}, f.cat).ok());
    const auto info = core::consolidateProject(
        *f.project, *core::makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(info.ok());
    const auto refused = core::recordReview(*f.project, f.ids[1], a, core::ReviewDecision::Accept,
                                            std::nullopt, {}, info->id);
    QVERIFY(!refused.ok());
    QVERIFY2(refused.error().message.contains(QStringLiteral("not in consolidation")),
             qPrintable(refused.error().message));
}

void ReviewTest::olderAcceptedReviewsArePinnedWhenTheProjectIsUpgraded() {
    Fixture f(2);
    const qint64 a = f.annotator(QStringLiteral("a"));
    core::LabelingSession sa(*f.project, a);
    QVERIFY(sa.answerMany({f.ids[0]}, f.dog).ok());
    const auto info = core::consolidateProject(
        *f.project, *core::makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(info.ok());
    // An accept as version 6 stored it: no class, only the consolidation.
    {
        core::Statement insert(core::databaseOf(*f.project),
                               "INSERT INTO reviews (item_id, reviewer_id, decision, class_id, "
                               "note, consolidation_id, created_at)"
                               " VALUES (?, ?, 'accept', NULL, '', ?, '2026-01-01T00:00:00Z')");
        insert.bind(1, f.ids[0]).bind(2, a).bind(3, info->id);
        insert.run();
    }
    f.downgradeToVersion7();
    core::databaseOf(*f.project).execute(QStringLiteral("PRAGMA user_version = 6"));
    const QString path = f.project->directory();
    f.project.reset();
    auto reopened = core::Project::open(path);
    QVERIFY(reopened.ok());
    core::Statement query(core::databaseOf(*(*reopened)),
                          "SELECT class_id FROM reviews WHERE item_id = ?");
    query.bind(1, f.ids[0]);
    QVERIFY(query.step());
    QCOMPARE(query.int64(0), f.dog);
}

void ReviewTest::trainingLabelsFollowOnlyTheConsolidationMarkedCurrent() {
    Fixture f(3);
    const qint64 a = f.annotator(QStringLiteral("a")), b = f.annotator(QStringLiteral("b")),
                 c = f.annotator(QStringLiteral("c"));
    core::LabelingSession sa(*f.project, a), sb(*f.project, b), sc(*f.project, c);
    // Item 0: a and b say cat, c says dog: majority and Dawid-Skene agree on cat.
    QVERIFY(sa.answerMany({f.ids[0], f.ids[1]}, f.cat).ok());
    QVERIFY(sb.answerMany({f.ids[0], f.ids[1]}, f.cat).ok());
    QVERIFY(sc.answerMany({f.ids[0]}, f.dog).ok());
    QVERIFY(sc.answerMany({f.ids[1]}, f.cat).ok());
    QCOMPARE(*core::currentConsolidationId(*f.project), qint64(0));
    const auto ds = core::consolidateProject(
        *f.project, *core::makeConsensusMethod(QStringLiteral("dawid-skene")), {});
    QVERIFY(ds.ok());
    QCOMPARE(*core::currentConsolidationId(*f.project),
             qint64(0)); // consolidating alone marks nothing
    QVERIFY(core::markConsolidationCurrent(*f.project, ds->id).ok());
    QCOMPARE(*core::currentConsolidationId(*f.project), ds->id);
    const auto before = core::currentLabels(*f.project);
    QVERIFY(before.ok());

    // Two more answers of dog on item 0, and a majority vote to compare: the current labels stay.
    const qint64 d = f.annotator(QStringLiteral("d")), e = f.annotator(QStringLiteral("e"));
    core::LabelingSession sd(*f.project, d), se(*f.project, e);
    QVERIFY(sd.answerMany({f.ids[0]}, f.dog).ok());
    QVERIFY(se.answerMany({f.ids[0]}, f.dog).ok());
    const auto majority = core::consolidateProject(
        *f.project, *core::makeConsensusMethod(QStringLiteral("majority")), {});
    QVERIFY(majority.ok());
    QCOMPARE(f.consolidatedClass(majority->id, f.ids[0]), f.dog);
    QCOMPARE(*core::currentLabels(*f.project), *before);
    QCOMPARE(before->value(f.ids[0]), f.cat);
    const auto listed = core::listConsolidations(*f.project);
    QCOMPARE(listed->size(), size_t(2));
    QVERIFY(!listed->at(0).current && listed->at(1).current);

    // Marking the majority vote current is what changes them.
    QVERIFY(core::markConsolidationCurrent(*f.project, majority->id).ok());
    QCOMPARE(core::currentLabels(*f.project)->value(f.ids[0]), f.dog);
    QVERIFY(!core::markConsolidationCurrent(*f.project, 999).ok());
    QCOMPARE(*core::currentConsolidationId(*f.project), majority->id);
}

void ReviewTest::upgradeMarksTheNewestConsolidationCurrent() {
    Fixture f(1);
    const qint64 a = f.annotator(QStringLiteral("a"));
    core::LabelingSession sa(*f.project, a);
    QVERIFY(sa.answerMany({f.ids[0]}, f.dog).ok());
    for (const char *method : {"majority", "dawid-skene"})
        QVERIFY(core::consolidateProject(*f.project,
                                         *core::makeConsensusMethod(QLatin1String(method)), {})
                    .ok());
    // As version 7 had it: no mark, the newest consolidation was the one training took.
    f.downgradeToVersion7();
    const QString path = f.project->directory();
    f.project.reset();
    auto reopened = core::Project::open(path);
    QVERIFY(reopened.ok());
    QCOMPARE(*core::currentConsolidationId(**reopened), qint64(2));
}

QTEST_GUILESS_MAIN(ReviewTest)
#include "review_test.moc"

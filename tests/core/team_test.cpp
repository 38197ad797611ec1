#include "core/io/imagecopies.h"
#include "core/io/rasterimage.h"
#include "core/store/database.h"
#include "core/store/itemrepository.h"
#include "core/store/projectcopy.h"
#include "core/store/runrepository.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"
#include "core/store/teamrepository.h"
#include "tests/testsupport.h"

#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

// Team projects on a real PostgreSQL server: copying a project there and back without loss, and
// the roles, which the server enforces for any program that connects (here plain libpq).
class TeamTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void copyToServerAndBackComparesEqualTableByTable();
    void copyRefusesATargetThatIsNotEmpty();
    void annotatorsSeeOnlyTheirOwnAnswersAndWriteOnlyInTheirName();
    void reviewersReadEverythingButWriteNoAnswers();
    void teamListsRolesAndRemovesLogins();
    void imageCopiesServeMachinesThatCannotReadTheFiles();
};

namespace {

// Every row of every table, as text, with item paths made absolute (a server keeps them so).
QStringList dump(Project &project) {
    Database &db = databaseOf(project);
    QStringList lines;
    for (const char *name : projectTables()) {
        const QString table = QString::fromLatin1(name);
        int columns = 0;
        {
            Statement probe(db, QStringLiteral("SELECT * FROM %1 LIMIT 1").arg(table).toUtf8());
            probe.step();
            columns = probe.columnCount();
        }
        QStringList order;
        for (int c = 1; c <= columns; ++c)
            order << QString::number(c);
        Statement rows(
            db,
            QStringLiteral("SELECT * FROM %1 ORDER BY %2").arg(table, order.join(u',')).toUtf8());
        qint64 count = 0;
        while (rows.step()) {
            QStringList values;
            for (int c = 0; c < rows.columnCount(); ++c) {
                if (rows.isNull(c))
                    values << QStringLiteral("NULL");
                else if (rows.type(c) == ValueType::Real)
                    values << QString::number(rows.real(c), 'g', 17);
                else if (rows.type(c) == ValueType::Blob)
                    values << QString::fromLatin1(rows.blob(c).toHex());
                else if (table == u"items" && rows.columnName(c) == u"path")
                    values << project.absolutePath(rows.text(c));
                else
                    values << rows.text(c).toUtf8().toHex();
            }
            lines << table + u':' + values.join(u'|');
            ++count;
        }
        lines << QStringLiteral("%1 rows: %2").arg(table).arg(count);
    }
    return lines;
}

// Rows or an error from a plain libpq connection as `user`.
struct Answer {
    bool ok = false;
    int rows = 0;
    QString error;
};

Answer asUser(const QString &database, const QString &user, const QString &sql) {
    PGconn *conn = PQconnectdb(test::testServer().address(database, user).toUtf8().constData());
    Answer answer;
    if (PQstatus(conn) != CONNECTION_OK) {
        answer.error = QString::fromUtf8(PQerrorMessage(conn));
    } else {
        PGresult *result = PQexec(conn, sql.toUtf8().constData());
        const auto status = PQresultStatus(result);
        answer.ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        answer.rows = status == PGRES_TUPLES_OK ? PQntuples(result) : 0;
        answer.error = QString::fromUtf8(PQresultErrorMessage(result));
        PQclear(result);
    }
    PQfinish(conn);
    return answer;
}

QString databaseName(const QString &address) {
    return address.section(u'/', 3).section(u'?', 0, 0);
}

// The demo project (images, simulated answers, consolidations, flags) plus a review and a run.
void makeRichProject(const QString &dir) {
    QProcess cli;
    cli.start(QStringLiteral(WINNOW_CLI),
              {QStringLiteral("demo"), dir, QStringLiteral("--train"), QStringLiteral("300"),
               QStringLiteral("--test"), QStringLiteral("60")});
    QVERIFY(cli.waitForFinished(120000));
    QCOMPARE(cli.exitCode(), 0);
    cli.start(QStringLiteral(WINNOW_CLI), {QStringLiteral("flags"), dir});
    QVERIFY(cli.waitForFinished(120000));
    auto project = Project::open(dir);
    QVERIFY(project.ok());
    RunRepository runs(**project);
    NewRun run;
    run.strategy = QStringLiteral("glister");
    run.fraction = 0.1;
    run.epochs = 2;
    run.parameters = QStringLiteral("{\"seed\": 1}");
    run.snapshotHash = QStringLiteral("abc");
    run.items = {{1, 1, QStringLiteral("train")}, {2, 2, QStringLiteral("test")}};
    const qint64 id = runs.create(run);
    EpochMetrics epoch;
    epoch.epoch = 1;
    epoch.trainLoss = 2.302585092994046;
    epoch.valAccuracy = 1.0 / 3.0;
    epoch.epochSeconds = 0.125;
    epoch.learningRate = 0.01;
    runs.recordEpoch(id, epoch);
    runs.recordSelection(id, {0, 1, {1, 2}, {0.5f, 1.5f}});
}

} // namespace

void TeamTest::copyToServerAndBackComparesEqualTableByTable() {
    QTemporaryDir dir;
    const QString local = dir.filePath(QStringLiteral("local"));
    makeRichProject(local);
    auto source = Project::open(local);
    QVERIFY(source.ok());
    const QString address = test::testServer().createDatabase();
    auto server = test::createProject(address);
    std::vector<qint64> reported;
    const auto there = copyProject(
        **source, *server, [&](qint64 done, qint64, const QString &) { reported.push_back(done); });
    QVERIFY2(there.ok(), qPrintable(there.errorMessage()));
    QVERIFY(there->rows > 1000);
    QCOMPARE(there->tables, int(projectTables().size()));
    QVERIFY(!reported.empty());

    auto back = test::createProject(dir.filePath(QStringLiteral("back")));
    const auto again = copyProject(*server, *back);
    QVERIFY2(again.ok(), qPrintable(again.errorMessage()));
    QCOMPARE(again->rows, there->rows);

    const QStringList original = dump(**source);
    const QStringList onServer = dump(*server);
    const QStringList returned = dump(*back);
    QCOMPARE(onServer.size(), original.size());
    for (qsizetype i = 0; i < original.size(); ++i) {
        QCOMPARE(onServer[i], original[i]);
        QCOMPARE(returned[i], original[i]);
    }
    // Numbering goes on above the copied ids on the server.
    const auto added = server->ensureAnnotator(QStringLiteral("newcomer"), QStringLiteral("human"));
    QVERIFY2(added.ok(), qPrintable(added.errorMessage()));
    QVERIFY(*added > 3);
}

void TeamTest::copyRefusesATargetThatIsNotEmpty() {
    QTemporaryDir dir;
    auto source = test::createProject(dir.filePath(QStringLiteral("a")));
    QVERIFY(source->ensureClass(QStringLiteral("cat")).ok());
    auto target = test::createProject(test::testServer().createDatabase());
    QVERIFY(target->ensureClass(QStringLiteral("dog")).ok());
    const auto copied = copyProject(*source, *target);
    QVERIFY(!copied.ok());
    QVERIFY2(copied.errorMessage().contains(QStringLiteral("not empty")),
             qPrintable(copied.errorMessage()));
}

namespace {

struct Team {
    QString database;
    std::unique_ptr<Project> project;
    qint64 item = 0, cat = 0, alice = 0, bob = 0;
};

Team makeTeam() {
    Team team;
    const QString address = test::testServer().createDatabase();
    team.database = databaseName(address);
    team.project = test::createProject(address);
    TeamRepository roles(*team.project);
    roles.setUp();
    roles.add(QStringLiteral("alice"), Role::Annotator, QStringLiteral("a-secret"));
    roles.add(QStringLiteral("bob"), Role::Annotator, QStringLiteral("b-secret"));
    roles.add(QStringLiteral("rita"), Role::Reviewer, QStringLiteral("r-secret"));
    Project &p = *team.project;
    NewItem item;
    item.path = QStringLiteral("/data/x.png");
    item.contentHash = "x";
    item.width = item.height = 8;
    item.channels = 1;
    const qint64 batch = *p.createBatch(QStringLiteral("folder"), QStringLiteral("/data"), {});
    const auto added = p.addItems(batch, {}, {item}, 0);
    team.item = *p.itemIdsByPath()->begin();
    team.cat = *p.ensureClass(QStringLiteral("cat"));
    team.alice = *p.ensureAnnotator(QStringLiteral("alice"), QStringLiteral("human"));
    team.bob = *p.ensureAnnotator(QStringLiteral("bob"), QStringLiteral("human"));
    // Bob's answer, stored with the owner's rights.
    databaseOf(p).execute(QStringLiteral("INSERT INTO answers (item_id, annotator_id, class_id,"
                                         " created_at) VALUES (%1, %2, %3, 'now')")
                              .arg(team.item)
                              .arg(team.bob)
                              .arg(team.cat));
    databaseOf(p).execute(QStringLiteral("INSERT INTO consolidations (method, class_ids,"
                                         " created_at, items, answers, iterations)"
                                         " VALUES ('majority', '[]', 'now', 1, 1, 1)"));
    return team;
}

} // namespace

void TeamTest::annotatorsSeeOnlyTheirOwnAnswersAndWriteOnlyInTheirName() {
    Team team = makeTeam();
    const QString db = team.database;
    const QString alice = QStringLiteral("alice");
    // Bob's answer is invisible to Alice, through the table and through the view.
    QCOMPARE(asUser(db, alice, QStringLiteral("SELECT * FROM answers")).rows, 0);
    QCOMPARE(asUser(db, alice, QStringLiteral("SELECT * FROM live_answers")).rows, 0);
    QCOMPARE(asUser(db, QStringLiteral("bob"), QStringLiteral("SELECT * FROM answers")).rows, 1);
    // Consolidations and reviews are refused outright.
    for (const char *table :
         {"consolidations", "consolidated_labels", "reviews", "annotator_estimates", "runs"}) {
        const Answer read =
            asUser(db, alice, QStringLiteral("SELECT * FROM %1").arg(QString::fromLatin1(table)));
        QVERIFY2(!read.ok && read.error.contains(QStringLiteral("permission denied")),
                 qPrintable(read.error));
    }
    // Items and classes are readable: an annotator must see what it labels.
    QCOMPARE(asUser(db, alice, QStringLiteral("SELECT * FROM items")).rows, 1);
    QCOMPARE(asUser(db, alice, QStringLiteral("SELECT * FROM classes")).rows, 1);
    // An answer in Bob's name is refused; one in her own is taken.
    const QString insert = QStringLiteral("INSERT INTO answers (item_id, annotator_id, class_id,"
                                          " created_at) VALUES (%1, %2, %3, 'now')");
    const Answer forged = asUser(db, alice, insert.arg(team.item).arg(team.bob).arg(team.cat));
    QVERIFY2(!forged.ok && forged.error.contains(QStringLiteral("row-level security")),
             qPrintable(forged.error));
    QVERIFY(asUser(db, alice, insert.arg(team.item).arg(team.alice).arg(team.cat)).ok);
    // She cannot undo Bob's answer either (an undo row revoking his).
    const Answer undo =
        asUser(db, alice,
               QStringLiteral("INSERT INTO answers (item_id, annotator_id, class_id, created_at,"
                              " revokes, origin) SELECT %1, %2, %3, 'now', id, 'undo' FROM"
                              " (SELECT MIN(id) AS id FROM answers) a")
                   .arg(team.item)
                   .arg(team.alice)
                   .arg(team.cat));
    QVERIFY(undo.ok); // MIN(id) over what she sees is her own answer: allowed
    const Answer undoBob = asUser(
        db, alice,
        QStringLiteral("INSERT INTO answers (item_id, annotator_id, class_id, created_at, revokes,"
                       " origin) VALUES (%1, %2, %3, 'now', 1, 'undo')")
            .arg(team.item)
            .arg(team.alice)
            .arg(team.cat));
    QVERIFY2(!undoBob.ok, "an annotator revoked another's answer");
    // Nor write a review or change items.
    QVERIFY(!asUser(db, alice, QStringLiteral("UPDATE items SET split = 'test'")).ok);
    QVERIFY(!asUser(db, alice, QStringLiteral("DELETE FROM answers")).ok);
    // A claim in Bob's name is refused; her own is taken.
    const QString claim = QStringLiteral("INSERT INTO assignments VALUES (%1, %2, 0, 99)");
    QVERIFY(!asUser(db, alice, claim.arg(team.item).arg(team.bob)).ok);
    QVERIFY(asUser(db, alice, claim.arg(team.item).arg(team.alice)).ok);

    // Winnow itself, connected as Alice, knows her role.
    auto asAlice = Project::open(test::testServer().address(db, alice));
    QVERIFY2(asAlice.ok(), qPrintable(asAlice.errorMessage()));
    QCOMPARE(TeamRepository(**asAlice).role(), Role::Annotator);
    QCOMPARE(TeamRepository(**asAlice).login(), alice);
    QCOMPARE(TeamRepository(*team.project).role(), Role::Owner);
}

void TeamTest::reviewersReadEverythingButWriteNoAnswers() {
    Team team = makeTeam();
    const QString rita = QStringLiteral("rita");
    QCOMPARE(asUser(team.database, rita, QStringLiteral("SELECT * FROM answers")).rows, 1);
    QCOMPARE(asUser(team.database, rita, QStringLiteral("SELECT * FROM consolidations")).rows, 1);
    QVERIFY(asUser(team.database, rita,
                   QStringLiteral("INSERT INTO reviews (item_id, reviewer_id, decision, class_id,"
                                  " created_at) VALUES (%1, %2, 'override', %3, 'now')")
                       .arg(team.item)
                       .arg(team.alice)
                       .arg(team.cat))
                .ok);
    QVERIFY(!asUser(team.database, rita,
                    QStringLiteral("INSERT INTO answers (item_id, annotator_id, class_id,"
                                   " created_at) VALUES (%1, %2, %3, 'now')")
                        .arg(team.item)
                        .arg(team.bob)
                        .arg(team.cat))
                 .ok);
    auto asRita = Project::open(test::testServer().address(team.database, rita));
    QVERIFY(asRita.ok());
    QCOMPARE(TeamRepository(**asRita).role(), Role::Reviewer);
}

void TeamTest::teamListsRolesAndRemovesLogins() {
    Team team = makeTeam();
    TeamRepository roles(*team.project);
    auto members = roles.list();
    QCOMPARE(members.size(), size_t(3));
    QCOMPARE(members[0].name, QStringLiteral("alice"));
    QCOMPARE(members[2].role, Role::Reviewer);
    // A new role replaces the old one.
    roles.add(QStringLiteral("alice"), Role::Reviewer, QString());
    QCOMPARE(roles.list()[0].role, Role::Reviewer);
    roles.remove(QStringLiteral("bob"));
    QCOMPARE(roles.list().size(), size_t(2));
    // Without the project's roles, Bob cannot even connect to its database.
    const Answer gone = asUser(team.database, QStringLiteral("bob"), QStringLiteral("SELECT 1"));
    QVERIFY2(!gone.ok && gone.error.contains(QStringLiteral("permission denied")),
             qPrintable(gone.error));
    // Names are data: a login named like SQL is refused before it reaches the server.
    bool refused = false;
    try {
        roles.add(QStringLiteral("x\"; DROP TABLE items; --"), Role::Owner, QStringLiteral("p"));
    } catch (const StoreError &e) {
        refused = e.message().contains(QStringLiteral("cannot be a login"));
    }
    QVERIFY(refused);
}

// An annotator's machine cannot read where images were imported: the server keeps copies, the
// large ones reduced, and an annotator's login may read them.
void TeamTest::imageCopiesServeMachinesThatCannotReadTheFiles() {
    QTemporaryDir dir;
    auto project = test::createProject(test::testServer().createDatabase());
    std::vector<NewItem> items;
    const int sides[] = {40, 300};
    for (int i = 0; i < 2; ++i) {
        NewItem item;
        item.path = dir.filePath(QStringLiteral("img/%1.%2").arg(i).arg(i ? "jpg" : "png"));
        QVERIFY(test::writeImage(item.path, sides[i], sides[i] * 2 / 3, 3, i, i ? ".jpg" : ".png"));
        item.contentHash = QByteArray::number(i);
        item.width = sides[i];
        item.height = sides[i] * 2 / 3;
        item.channels = 3;
        items.push_back(item);
    }
    NewItem missing = items[0];
    missing.path = dir.filePath(QStringLiteral("img/gone.png"));
    missing.contentHash = "gone";
    items.push_back(missing);
    const qint64 batch = *project->createBatch(QStringLiteral("folder"), dir.path(), {});
    QVERIFY(project->addItems(batch, {}, items, 0).ok());

    const auto copies = storeImageCopies(*project, 100);
    QVERIFY2(copies.ok(), qPrintable(copies.errorMessage()));
    QCOMPARE(copies->stored, qint64(2));
    QCOMPARE(copies->reduced, qint64(1));
    QCOMPARE(copies->unreadable.size(), size_t(1));
    QVERIFY(copies->unreadable.front().endsWith(QStringLiteral("gone.png")));
    QCOMPARE(storeImageCopies(*project, 100)->stored, qint64(0)); // nothing twice

    QVERIFY(QDir(dir.filePath(QStringLiteral("img"))).removeRecursively());
    const auto ids = *project->itemIdsByPath();
    const qint64 small = ids.value(dir.filePath(QStringLiteral("img/0.png")));
    const qint64 large = ids.value(dir.filePath(QStringLiteral("img/1.jpg")));
    const auto smallImage =
        decodeRasterImage(ItemRepository(*project).imageCopy(small), QStringLiteral("0.png"));
    QVERIFY(smallImage.ok());
    QCOMPARE(smallImage->width, 40); // kept as it was
    const auto largeImage =
        decodeRasterImage(ItemRepository(*project).imageCopy(large), QStringLiteral("1.jpg"));
    QVERIFY(largeImage.ok());
    QCOMPARE(std::max(largeImage->width, largeImage->height), 100);

    TeamRepository team(*project);
    team.setUp();
    team.add(QStringLiteral("ivy"), Role::Annotator, QStringLiteral("pw"));
    const QString database = databaseName(project->directory());
    QCOMPARE(
        asUser(database, QStringLiteral("ivy"), QStringLiteral("SELECT data FROM image_copies"))
            .rows,
        2);
}

QTEST_GUILESS_MAIN(TeamTest)
#include "team_test.moc"

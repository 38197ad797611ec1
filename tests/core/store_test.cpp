#include "core/store/database.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"
#include "tests/testsupport.h"

#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>

using namespace winnow;
using namespace winnow::core;

class StoreTest : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void createsProjectInWalModeWithApplicationId();
    void refusesServerAddressWithPassword();
    void upgradesVersion1Fixture();
    void refusesSchemaNewerThanThisBuild();
    void refusesForeignSqliteFile();
    void refusesFolderWithoutProject();
    void createsOnlyInAnEmptyOrNewFolder();
    void refusesDamagedFilesAndLeavesThemAlone_data();
    void refusesDamagedFilesAndLeavesThemAlone();
    void fullDiskKeepsWhatWasSaved();
    void transactionRollsBackUnlessCommitted();
    void ensureClassAssignsShortcutsAndColoursInOrder();
    void storesPathsInsideProjectRelative();
    void settingsRoundTrip();
    void statementRefusesASecondStatement();
};

namespace {
qint64 scalar(Database &db, const char *sql) {
    Statement query(db, sql);
    query.step();
    return query.int64(0);
}
} // namespace

void StoreTest::createsProjectInWalModeWithApplicationId() {
    QTemporaryDir dir;
    const QString location = test::newProjectLocation(dir.filePath(QStringLiteral("p")));
    auto project = test::createProject(location);
    Database &db = databaseOf(*project);
    QCOMPARE(db.schemaVersion(), Database::latestSchemaVersion());
    QVERIFY(Database::latestSchemaVersion() >= 2);
    if (test::currentBackend() == test::Backend::Sqlite) {
        QCOMPARE(scalar(db, "PRAGMA application_id"), qint64(Database::kApplicationId));
        Statement mode(db, "PRAGMA journal_mode");
        QVERIFY(mode.step());
        QCOMPARE(mode.text(0), QStringLiteral("wal"));
    } else {
        QCOMPARE(scalar(db, "SELECT application_id FROM winnow_schema"),
                 qint64(Database::kApplicationId));
        QVERIFY(db.libraryVersion().startsWith(QStringLiteral("PostgreSQL 15")));
    }
    const auto again = Project::create(location);
    QVERIFY(!again.ok());
    QVERIFY2(again.errorMessage().contains(QStringLiteral("already")),
             qPrintable(again.errorMessage()));
}

// A password in a project's address would end up in shell histories, settings and logs.
void StoreTest::refusesServerAddressWithPassword() {
    if (test::currentBackend() == test::Backend::Sqlite)
        QSKIP("server addresses only");
    QString address = test::testServer().createDatabase();
    address.replace(QStringLiteral("winnow@"), QStringLiteral("winnow:secret@"));
    const auto opened = Project::open(address);
    QVERIFY(!opened.ok());
    QVERIFY2(opened.errorMessage().contains(QStringLiteral("~/.pgpass")),
             qPrintable(opened.errorMessage()));
    QVERIFY(!opened.errorMessage().contains(QStringLiteral("secret")));
}

void StoreTest::upgradesVersion1Fixture() {
    if (test::currentBackend() == test::Backend::Postgres)
        QSKIP("a SQLite file made by the first Winnow; server projects start at a later schema");
    QTemporaryDir dir;
    const QString copy = dir.filePath(QStringLiteral("project.winnow"));
    QVERIFY(QFile::copy(QStringLiteral(WINNOW_TEST_DATA "/project-v1/project.winnow"), copy));
    QFile::setPermissions(copy, QFile::ReadOwner | QFile::WriteOwner);
    // Read-only, an old file is refused with a reason instead of failing on missing tables.
    try {
        Database raw(copy, Database::Mode::ReadOnly);
        QFAIL("an outdated file opened read-only");
    } catch (const StoreError &e) {
        QVERIFY2(e.message().contains(QStringLiteral("older Winnow (schema 1)")),
                 qPrintable(e.message()));
    }
    auto project = Project::open(dir.path());
    QVERIFY2(project.ok(), qPrintable(project.errorMessage()));
    Database &db = databaseOf(*(*project));
    QCOMPARE(db.schemaVersion(), Database::latestSchemaVersion());
    // Old rows survive and the new columns and tables exist.
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM items"), qint64(2));
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM items WHERE perceptual_hash IS NULL"), qint64(2));
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM thumbnails"), qint64(0));
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM answers WHERE revokes IS NULL"), qint64(2));
    const auto summary = (*project)->summary();
    QVERIFY(summary.ok());
    QCOMPARE(summary->perClass.size(), size_t(2));
    QCOMPARE(summary->perClass[0].name, QStringLiteral("cat"));
}

void StoreTest::refusesSchemaNewerThanThisBuild() {
    QTemporaryDir dir;
    const QString location = test::newProjectLocation(dir.path());
    {
        auto project = test::createProject(location);
        databaseOf(*project).execute(
            test::currentBackend() == test::Backend::Sqlite
                ? QStringLiteral("PRAGMA user_version = 999")
                : QStringLiteral("UPDATE winnow_schema SET version = 999"));
    }
    const auto reopened = Project::open(location);
    QVERIFY(!reopened.ok());
    QVERIFY2(reopened.errorMessage().contains(QStringLiteral("newer")),
             qPrintable(reopened.errorMessage()));
}

void StoreTest::refusesForeignSqliteFile() {
    if (test::currentBackend() == test::Backend::Postgres) {
        const QString address = test::testServer().createDatabase();
        const QString name = address.section(u'/', 3).section(u'?', 0, 0);
        QVERIFY(
            test::testServer().run(QStringLiteral("CREATE TABLE orders (id INT)"), name).isEmpty());
        for (const auto &opened : {Project::open(address), Project::create(address)}) {
            QVERIFY(!opened.ok());
            QVERIFY2(opened.errorMessage().contains(QStringLiteral("not a Winnow project")),
                     qPrintable(opened.errorMessage()));
        }
        return;
    }
    QTemporaryDir dir;
    { Database other(dir.filePath(QStringLiteral("project.winnow")), Database::Mode::Create); }
    // Database(Create) made it a Winnow file; overwrite the id to look like another program's.
    {
        Database db(dir.filePath(QStringLiteral("project.winnow")), Database::Mode::ReadWrite);
        db.execute(QStringLiteral("PRAGMA application_id = 42"));
    }
    const auto opened = Project::open(dir.path());
    QVERIFY(!opened.ok());
    QVERIFY2(opened.errorMessage().contains(QStringLiteral("not a Winnow project")),
             qPrintable(opened.errorMessage()));
}

void StoreTest::refusesDamagedFilesAndLeavesThemAlone_data() {
    QTest::addColumn<QString>("damage");
    QTest::addColumn<QString>("reason");
    QTest::newRow("empty file") << "empty"
                                << "an empty file (0 bytes)";
    QTest::newRow("random bytes") << "random"
                                  << "not an SQLite database";
    QTest::newRow("cut in half") << "half"
                                 << "damaged or cut short";
    QTest::newRow("first page only") << "page"
                                     << "damaged or cut short";
    QTest::newRow("another program's database") << "foreign"
                                                << "without Winnow's tables";
}

void StoreTest::refusesDamagedFilesAndLeavesThemAlone() {
    QFETCH(QString, damage);
    QFETCH(QString, reason);
    if (test::currentBackend() == test::Backend::Postgres)
        QSKIP("a project file is SQLite's");
    QTemporaryDir dir;
    const QString folder = dir.filePath(QStringLiteral("p"));
    const QString file = folder + QStringLiteral("/project.winnow");
    {
        auto project = test::createProject(folder);
        for (int i = 0; i < 200; ++i)
            QVERIFY(project->ensureClass(QStringLiteral("class %1").arg(i)).ok());
    } // closing checkpoints the write-ahead log into the file
    QVERIFY(!QFile::exists(file + QStringLiteral("-wal")));
    QFile original(file);
    QVERIFY(original.open(QIODevice::ReadOnly));
    const QByteArray whole = original.readAll();
    original.close();
    QByteArray damaged;
    if (damage == QLatin1String("random")) {
        QRandomGenerator random(7);
        for (int i = 0; i < 16384; ++i)
            damaged.append(char(random.bounded(256)));
    } else if (damage == QLatin1String("half")) {
        damaged = whole.left(whole.size() / 2);
    } else if (damage == QLatin1String("page")) {
        damaged = whole.left(4096);
    } else if (damage == QLatin1String("foreign")) {
        Database db(file, Database::Mode::ReadWrite);
        db.execute(QStringLiteral("PRAGMA application_id = 0"));
        db.execute(QStringLiteral("PRAGMA user_version = 0"));
    }
    if (damage != QLatin1String("foreign"))
        QVERIFY(test::writeFile(file, damaged));
    QFile before(file);
    QVERIFY(before.open(QIODevice::ReadOnly));
    const QByteArray bytes = before.readAll();
    before.close();

    for (const auto mode : {Database::Mode::ReadWrite, Database::Mode::ReadOnly}) {
        const auto opened = Project::open(folder, mode);
        QVERIFY(!opened.ok());
        QVERIFY2(opened.errorMessage().contains(reason), qPrintable(opened.errorMessage()));
        QVERIFY2(opened.errorMessage().contains(file), qPrintable(opened.errorMessage()));
    }
    QFile after(file);
    QVERIFY(after.open(QIODevice::ReadOnly));
    QVERIFY2(after.readAll() == bytes, "a refused file is never written");
}

void StoreTest::fullDiskKeepsWhatWasSaved() {
    // SQLite's page limit stands in for a full disk: every write past it fails as ENOSPC would.
    if (test::currentBackend() == test::Backend::Postgres)
        QSKIP("a server reports its own full disk");
    QTemporaryDir dir;
    auto project = test::createProject(dir.filePath(QStringLiteral("p")));
    QVERIFY(project->ensureClass(QStringLiteral("saved before")).ok());
    Database &db = databaseOf(*project);
    const qint64 pages = scalar(db, "PRAGMA page_count");
    db.execute(QStringLiteral("PRAGMA max_page_count = %1").arg(pages + 2));

    QString failure;
    for (int i = 0; i < 2000 && failure.isEmpty(); ++i) {
        const auto added = project->ensureClass(QStringLiteral("class %1 ").arg(i).repeated(40));
        if (!added)
            failure = added.errorMessage();
    }
    QVERIFY2(failure.contains(QStringLiteral("the disk is full")), qPrintable(failure));
    QVERIFY2(!failure.contains(QStringLiteral("(in: ")), qPrintable(failure));

    db.execute(QStringLiteral("PRAGMA max_page_count = 1073741823"));
    Statement check(db, "PRAGMA integrity_check");
    QVERIFY(check.step());
    QCOMPARE(check.text(0), QStringLiteral("ok"));
    const auto classes = project->classes();
    QVERIFY(classes.ok());
    QCOMPARE(classes->front().name, QStringLiteral("saved before"));
    QVERIFY(project->ensureClass(QStringLiteral("after space was freed")).ok());
}

// New Project once made a project in the current folder when given an empty path, and inside a
// source checkout when given one: a project gets an empty or a new folder of its own.
void StoreTest::createsOnlyInAnEmptyOrNewFolder() {
    if (test::currentBackend() == test::Backend::Postgres)
        QSKIP("a folder question");
    QTemporaryDir dir;
    const auto empty = Project::create(QString());
    QVERIFY(!empty.ok());
    QVERIFY2(empty.errorMessage().contains(QStringLiteral("no folder given")),
             qPrintable(empty.errorMessage()));
    QVERIFY(test::writeFile(dir.filePath(QStringLiteral("full/README.md")), "# a checkout\n"));
    const auto full = Project::create(dir.filePath(QStringLiteral("full")));
    QVERIFY(!full.ok());
    QVERIFY2(full.errorMessage().contains(QStringLiteral("not empty")) &&
                 full.errorMessage().contains(QStringLiteral("README.md")),
             qPrintable(full.errorMessage()));
    QVERIFY(!QFile::exists(dir.filePath(QStringLiteral("full/project.winnow"))));
    QVERIFY(QDir().mkpath(dir.filePath(QStringLiteral("empty"))));
    QVERIFY(Project::create(dir.filePath(QStringLiteral("empty"))).ok());
    QVERIFY(Project::create(dir.filePath(QStringLiteral("new/nested/folder"))).ok());
}

void StoreTest::refusesFolderWithoutProject() {
    QTemporaryDir dir;
    const QString location = test::newProjectLocation(dir.path());
    const auto opened = Project::open(location);
    QVERIFY(!opened.ok());
    QVERIFY2(opened.errorMessage().contains(location), qPrintable(opened.errorMessage()));
}

void StoreTest::transactionRollsBackUnlessCommitted() {
    QTemporaryDir dir;
    auto project = test::createBackendProject(dir.path());
    Database &db = databaseOf(*project);
    {
        Transaction transaction(db);
        db.execute(QStringLiteral("INSERT INTO settings (key, value) VALUES ('a', '1')"));
    }
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM settings"), qint64(0));
    {
        Transaction transaction(db);
        db.execute(QStringLiteral("INSERT INTO settings (key, value) VALUES ('a', '1')"));
        transaction.commit();
    }
    QCOMPARE(scalar(db, "SELECT COUNT(*) FROM settings"), qint64(1));
}

void StoreTest::ensureClassAssignsShortcutsAndColoursInOrder() {
    QTemporaryDir dir;
    auto project = test::createBackendProject(dir.path());
    QStringList names;
    for (int i = 0; i < 12; ++i)
        names << QStringLiteral("class %1").arg(i);
    for (const QString &name : names)
        QVERIFY(project->ensureClass(name).ok());
    QCOMPARE(*project->ensureClass(names[3]), *project->ensureClass(names[3]));
    const auto classes = project->classes();
    QVERIFY(classes.ok());
    QCOMPARE(classes->size(), size_t(12));
    QCOMPARE((*classes)[0].shortcut, QStringLiteral("1"));
    QCOMPARE((*classes)[9].shortcut, QStringLiteral("0"));
    QCOMPARE((*classes)[10].shortcut, QStringLiteral("a"));
    QVERIFY((*classes)[0].color != (*classes)[1].color);
    QVERIFY(!project->ensureClass(QStringLiteral("  ")).ok());
}

void StoreTest::storesPathsInsideProjectRelative() {
    QTemporaryDir dir;
    auto project = test::createBackendProject(dir.path());
    const QString inside = QDir(project->workFolder()).filePath(QStringLiteral("images/a.png"));
    // A server project is shared by machines whose folders differ: its paths stay absolute.
    QCOMPARE(project->storedPath(inside),
             project->isOnServer() ? inside : QStringLiteral("images/a.png"));
    QCOMPARE(project->absolutePath(QStringLiteral("images/a.png")), inside);
    QCOMPARE(project->storedPath(QStringLiteral("/elsewhere/b.png")),
             QStringLiteral("/elsewhere/b.png"));
}

void StoreTest::settingsRoundTrip() {
    QTemporaryDir dir;
    auto project = test::createBackendProject(dir.path());
    QCOMPARE(*project->setting(QStringLiteral("k"), QStringLiteral("fallback")),
             QStringLiteral("fallback"));
    QVERIFY(project->setSetting(QStringLiteral("k"), QStringLiteral("v1")).ok());
    QVERIFY(project->setSetting(QStringLiteral("k"), QStringLiteral("v2")).ok());
    QCOMPARE(*project->setting(QStringLiteral("k")), QStringLiteral("v2"));
}

// SQLite prepares only the first statement of a text and ignores the rest: refuse such text
// rather than run half of it.
void StoreTest::statementRefusesASecondStatement() {
    QTemporaryDir dir;
    auto project = test::createBackendProject(dir.path());
    Database &db = databaseOf(*project);
    bool refused = false;
    try {
        Statement twice(db, "INSERT INTO settings (key, value) VALUES ('a', '1');"
                            " DELETE FROM settings");
    } catch (const StoreError &error) {
        refused = QString::fromUtf8(error.what()).contains(QStringLiteral("more than one"));
    }
    QVERIFY(refused);
    Statement once(db, "SELECT COUNT(*) FROM settings; \n");
    QVERIFY(once.step());
    QCOMPARE(once.int64(0), qint64(0));
}

int main(int argc, char **argv) {
    StoreTest test;
    return test::runOnBothBackends(test, argc, argv);
}
#include "store_test.moc"

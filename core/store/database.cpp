#include "core/store/database.h"

#include "core/store/connection.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <libpq-fe.h>
#include <map>
#include <sqlite3.h>

namespace winnow::core {
namespace {

constexpr auto kMigrationDir = ":/winnow/migrations";

// Migrations are resources named NNNN_description.sql, numbered from 1 without gaps, written in
// SQLite's words; each connection turns them into its engine's.
std::map<int, QString> migrationFiles() {
    static const QRegularExpression pattern(QStringLiteral("^(\\d{4})_[a-z0-9_]+\\.sql$"));
    std::map<int, QString> files;
    const QStringList names = QDir(QString::fromLatin1(kMigrationDir)).entryList(QDir::Files);
    for (const QString &name : names) {
        const auto match = pattern.match(name);
        if (match.hasMatch())
            files.emplace(match.captured(1).toInt(),
                          QString::fromLatin1(kMigrationDir) + u'/' + name);
    }
    return files;
}

QString readMigration(const QString &path) {
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        throw StoreError(QStringLiteral("cannot read migration %1").arg(path));
    return QString::fromUtf8(file.readAll());
}

} // namespace

bool Database::isServerAddress(const QString &location) {
    return location.startsWith(QLatin1String("postgresql://")) ||
           location.startsWith(QLatin1String("postgres://"));
}

Database::Database(const QString &location, Mode mode) {
    if (isServerAddress(location)) {
        m_backend = Backend::Postgres;
        m_connection = openPostgres(location);
    } else {
        m_connection = openSqlite(location, mode == Mode::Create, mode == Mode::ReadOnly);
    }
    configure(mode);
}

Database::~Database() = default;
Database::Database(Database &&other) noexcept = default;
Database &Database::operator=(Database &&other) noexcept = default;

const QString &Database::location() const {
    return m_connection->location();
}

void Database::configure(Mode mode) {
    const int version = schemaVersion();
    const auto fail = [&](const QString &what) {
        throw StoreError(QStringLiteral("%1: %2").arg(location(), what));
    };
    if (version > latestSchemaVersion())
        fail(QStringLiteral("made by a newer Winnow (schema %1; this build knows up to %2)")
                 .arg(version)
                 .arg(latestSchemaVersion()));
    if (version != 0 && mode == Mode::Create && m_backend == Backend::Postgres)
        fail(QStringLiteral("this database already holds a Winnow project"));
    if (version == 0 && mode != Mode::Create && m_backend == Backend::Postgres)
        fail(QStringLiteral("no Winnow project in this database (winnow-cli init makes one)"));
    if (mode == Mode::ReadOnly && version != 0 && version < latestSchemaVersion())
        fail(QStringLiteral(
                 "made by an older Winnow (schema %1): open it once for writing to upgrade it")
                 .arg(version));
    if (mode != Mode::ReadOnly) {
        migrate(latestSchemaVersion());
        m_upgraded = version != 0 && version < latestSchemaVersion();
    }
}

void Database::execute(const QString &sql) {
    m_connection->execute(sql);
}

int Database::schemaVersion() {
    return m_connection->schemaVersion();
}

int Database::changes() const {
    return m_connection->changes();
}

bool Database::copyIn(const QString &target, const QByteArray &rows) {
    return m_connection->copyIn(target, rows);
}

void Database::setForeignKeyChecks(bool on) {
    m_connection->setForeignKeyChecks(on);
}

QString Database::libraryVersion() const {
    return m_connection->libraryVersion();
}

QString Database::sqliteVersion() {
    return QString::fromLatin1(sqlite3_libversion());
}

QString Database::postgresClientVersion() {
    const int version = PQlibVersion();
    return QStringLiteral("%1.%2").arg(version / 10000).arg(version % 10000);
}

int Database::latestSchemaVersion() {
    static const int latest = [] {
        const auto files = migrationFiles();
        return files.empty() ? 0 : files.rbegin()->first;
    }();
    return latest;
}

void Database::migrate(int target) {
    const auto files = migrationFiles();
    for (int version = schemaVersion() + 1; version <= target; ++version) {
        const auto it = files.find(version);
        if (it == files.end())
            throw StoreError(QStringLiteral("%1: migration %2 is missing from this build")
                                 .arg(location())
                                 .arg(version));
        Transaction transaction(*this);
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if (schemaVersion() >= version)
            continue;
        execute(m_connection->dialect(readMigration(it->second)));
        m_connection->setSchemaVersion(version);
        transaction.commit();
    }
}

} // namespace winnow::core

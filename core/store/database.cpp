#include "core/store/database.h"

#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QDir>
#include <QFile>
#include <QRegularExpression>
#include <map>
#include <sqlite3.h>

namespace winnow::core {
namespace {

constexpr auto kMigrationDir = ":/winnow/migrations";

// Migrations are resources named NNNN_description.sql, numbered from 1 without gaps.
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

Database::Database(const QString &file, Mode mode)
    : m_file(file) {
    int flags = SQLITE_OPEN_NOMUTEX;
    switch (mode) {
    case Mode::ReadOnly:
        flags |= SQLITE_OPEN_READONLY;
        break;
    case Mode::ReadWrite:
        flags |= SQLITE_OPEN_READWRITE;
        break;
    case Mode::Create:
        flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
        break;
    }
    const QByteArray name = file.toUtf8();
    const int rc = sqlite3_open_v2(name.constData(), &m_db, flags, nullptr);
    if (rc != SQLITE_OK) {
        const QString reason =
            m_db ? QString::fromUtf8(sqlite3_errmsg(m_db)) : QString::fromUtf8(sqlite3_errstr(rc));
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw StoreError(QStringLiteral("%1: cannot open project database: %2").arg(file, reason));
    }
    sqlite3_extended_result_codes(m_db, 1);
    sqlite3_busy_timeout(m_db, kBusyTimeoutMs);
    try {
        configure(mode);
    } catch (...) {
        sqlite3_close_v2(m_db);
        m_db = nullptr;
        throw;
    }
}

Database::~Database() {
    if (m_db)
        sqlite3_close_v2(m_db);
}

Database::Database(Database &&other) noexcept
    : m_db(std::exchange(other.m_db, nullptr))
    , m_file(std::move(other.m_file)) {
}

Database &Database::operator=(Database &&other) noexcept {
    if (this != &other) {
        if (m_db)
            sqlite3_close_v2(m_db);
        m_db = std::exchange(other.m_db, nullptr);
        m_file = std::move(other.m_file);
    }
    return *this;
}

void Database::configure(Mode mode) {
    qint64 id = 0;
    {
        Statement appId(*this, "PRAGMA application_id");
        appId.step();
        id = appId.int64(0);
    }
    const int version = userVersion();
    const bool fresh = id == 0 && version == 0;
    if (!fresh && id != kApplicationId)
        fail(QStringLiteral("not a Winnow project (application id %1)").arg(id));
    if (version > latestSchemaVersion())
        fail(QStringLiteral("made by a newer Winnow (schema %1; this build knows up to %2)")
                 .arg(version)
                 .arg(latestSchemaVersion()));

    if (mode == Mode::ReadOnly && !fresh && version < latestSchemaVersion())
        fail(QStringLiteral(
                 "made by an older Winnow (schema %1): open it once for writing to upgrade it")
                 .arg(version));
    execute(QStringLiteral("PRAGMA foreign_keys = ON"));
    // Up to 64 MiB of page cache (allocated as used): bulk imports keep their indexes in memory.
    execute(QStringLiteral("PRAGMA cache_size = -65536"));
    execute(QStringLiteral("PRAGMA temp_store = MEMORY"));
    if (mode == Mode::ReadOnly)
        return;

    QString journalMode;
    {
        Statement wal(*this, "PRAGMA journal_mode = WAL");
        wal.step();
        journalMode = wal.text(0);
    }
    if (journalMode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
        fail(QStringLiteral("cannot switch to write-ahead logging (journal mode is %1)")
                 .arg(journalMode));
    // FULL: a commit returns only once the WAL frame is on disk, so a saved label survives a crash.
    execute(QStringLiteral("PRAGMA synchronous = FULL"));
    if (fresh)
        execute(QStringLiteral("PRAGMA application_id = %1").arg(kApplicationId));
    migrate(latestSchemaVersion());
}

void Database::fail(const QString &what) const {
    throw StoreError(QStringLiteral("%1: %2").arg(m_file, what));
}

void Database::execute(const QString &sql) {
    char *message = nullptr;
    const QByteArray utf8 = sql.toUtf8();
    if (sqlite3_exec(m_db, utf8.constData(), nullptr, nullptr, &message) != SQLITE_OK) {
        const QString reason = QString::fromUtf8(message ? message : sqlite3_errmsg(m_db));
        sqlite3_free(message);
        fail(reason);
    }
}

int Database::userVersion() {
    Statement query(*this, "PRAGMA user_version");
    query.step();
    return int(query.int64(0));
}

qint64 Database::lastInsertId() const {
    return sqlite3_last_insert_rowid(m_db);
}

int Database::changes() const {
    return sqlite3_changes(m_db);
}

QString Database::libraryVersion() {
    return QString::fromLatin1(sqlite3_libversion());
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
    for (int version = userVersion() + 1; version <= target; ++version) {
        const auto it = files.find(version);
        if (it == files.end())
            fail(QStringLiteral("migration %1 is missing from this build").arg(version));
        Transaction transaction(*this);
        // Re-read inside the write lock: another process may have migrated meanwhile.
        if (userVersion() >= version)
            continue;
        execute(readMigration(it->second));
        execute(QStringLiteral("PRAGMA user_version = %1").arg(version));
        transaction.commit();
    }
}

} // namespace winnow::core

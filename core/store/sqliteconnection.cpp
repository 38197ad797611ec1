#include "core/store/connection.h"
#include "core/store/database.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>
#include <sqlite3.h>
#include <utility>

namespace winnow::core {
namespace {

class SqliteConnection;

// SQLite's message, with what it means for the user's project where that matters.
QString explainError(sqlite3 *db, int rc) {
    const QString sqlite = QString::fromUtf8(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    switch (rc & 0xFF) {
    case SQLITE_NOTADB:
        return QStringLiteral("not a Winnow project (not an SQLite database at all); the file "
                              "was left as it is");
    case SQLITE_CORRUPT:
        return QStringLiteral("the project database is damaged or cut short (%1); it was left as "
                              "it is: keep a copy, and `sqlite3 FILE .recover` may rescue what "
                              "it holds")
            .arg(sqlite);
    case SQLITE_FULL:
        return QStringLiteral("the disk is full (%1): this step was not saved, everything saved "
                              "before it is kept; free some space and try again")
            .arg(sqlite);
    case SQLITE_IOERR:
        return QStringLiteral("cannot read or write the project file (%1)").arg(sqlite);
    default:
        return sqlite;
    }
}

class SqliteCursor final : public Cursor {
public:
    SqliteCursor(SqliteConnection &connection, const char *sql);
    ~SqliteCursor() override { sqlite3_finalize(m_stmt); }

    int columnCount() const override { return sqlite3_column_count(m_stmt); }
    QString columnName(int column) const override {
        return QString::fromUtf8(sqlite3_column_name(m_stmt, column));
    }
    ValueType type(int column) const override {
        switch (sqlite3_column_type(m_stmt, column)) {
        case SQLITE_INTEGER:
            return ValueType::Integer;
        case SQLITE_FLOAT:
            return ValueType::Real;
        case SQLITE_BLOB:
            return ValueType::Blob;
        case SQLITE_NULL:
            return ValueType::Null;
        default:
            return ValueType::Text;
        }
    }
    void bindInt(int index, qint64 value) override {
        check(sqlite3_bind_int64(m_stmt, index, value));
    }
    void bindReal(int index, double value) override {
        check(sqlite3_bind_double(m_stmt, index, value));
    }
    void bindText(int index, const QString &value) override {
        const QByteArray utf8 = value.toUtf8();
        check(
            sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT));
    }
    void bindBlob(int index, const QByteArray &value) override {
        check(sqlite3_bind_blob(m_stmt, index, value.constData(), int(value.size()),
                                SQLITE_TRANSIENT));
    }
    void bindNull(int index) override { check(sqlite3_bind_null(m_stmt, index)); }

    bool step() override {
        const int rc = sqlite3_step(m_stmt);
        if (rc == SQLITE_ROW)
            return true;
        if (rc != SQLITE_DONE)
            fail();
        return false;
    }
    void reset() override {
        sqlite3_reset(m_stmt);
        sqlite3_clear_bindings(m_stmt);
    }
    bool isNull(int column) const override {
        return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
    }
    qint64 int64(int column) const override { return sqlite3_column_int64(m_stmt, column); }
    double real(int column) const override { return sqlite3_column_double(m_stmt, column); }
    QString text(int column) const override {
        const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
        return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
    }
    QByteArray blob(int column) const override {
        const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
        return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
    }

private:
    void check(int rc) const {
        if (rc != SQLITE_OK)
            fail();
    }
    [[noreturn]] void fail() const;

    sqlite3_stmt *m_stmt = nullptr;
    SqliteConnection &m_connection;
};

class SqliteConnection final : public Connection {
public:
    SqliteConnection(const QString &file, bool create, bool readOnly)
        : m_file(file) {
        int flags = SQLITE_OPEN_NOMUTEX;
        if (readOnly)
            flags |= SQLITE_OPEN_READONLY;
        else
            flags |= SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
        const QByteArray name = file.toUtf8();
        // SQLite would take an empty file for a new database and write one into it.
        if (!create && QFileInfo(file).isFile() && QFileInfo(file).size() == 0)
            throw StoreError(QStringLiteral("%1: an empty file (0 bytes), not a Winnow project; "
                                            "it was left as it is")
                                 .arg(file));
        const int rc = sqlite3_open_v2(name.constData(), &m_db, flags, nullptr);
        if (rc != SQLITE_OK) {
            const QString reason = m_db ? QString::fromUtf8(sqlite3_errmsg(m_db))
                                        : QString::fromUtf8(sqlite3_errstr(rc));
            sqlite3_close_v2(m_db);
            m_db = nullptr;
            throw StoreError(
                QStringLiteral("%1: cannot open project database: %2").arg(file, reason));
        }
        sqlite3_extended_result_codes(m_db, 1);
        sqlite3_busy_timeout(m_db, Database::kBusyTimeoutMs);
        try {
            if (!create)
                requireWinnowFile();
            configure(readOnly);
        } catch (...) {
            sqlite3_close_v2(m_db);
            m_db = nullptr;
            throw;
        }
    }
    ~SqliteConnection() override { sqlite3_close_v2(m_db); }

    sqlite3 *handle() const { return m_db; }
    const QString &location() const override { return m_file; }
    std::unique_ptr<Cursor> prepare(const char *sql) override {
        return std::make_unique<SqliteCursor>(*this, sql);
    }

    void execute(const QString &sql) override {
        char *message = nullptr;
        const QByteArray utf8 = sql.toUtf8();
        if (const int rc = sqlite3_exec(m_db, utf8.constData(), nullptr, nullptr, &message);
            rc != SQLITE_OK) {
            sqlite3_free(message);
            throw StoreError(QStringLiteral("%1: %2").arg(m_file, explainError(m_db, rc)));
        }
    }

    void begin() override {
        // Writers take the write lock at once, so two processes on one project queue on the busy
        // timeout instead of failing mid-transaction. A few cases skip the busy handler (another
        // process recovering the write-ahead log of one that was killed): retry those here.
        QElapsedTimer waited;
        waited.start();
        for (;;) {
            const int rc = sqlite3_exec(m_db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
            if (rc == SQLITE_OK)
                return;
            if ((rc & 0xFF) != SQLITE_BUSY || waited.elapsed() > Database::kBusyTimeoutMs)
                throw StoreError(QStringLiteral("%1: cannot start writing: %2")
                                     .arg(m_file, explainError(m_db, rc)));
            QThread::msleep(20);
        }
    }
    void commit() override { execute(QStringLiteral("COMMIT")); }
    void rollback() noexcept override { sqlite3_exec(m_db, "ROLLBACK", nullptr, nullptr, nullptr); }
    int changes() const override { return sqlite3_changes(m_db); }
    bool isConnected() const override { return true; }

    int schemaVersion() override {
        const qint64 id = pragma("application_id");
        const int version = int(pragma("user_version"));
        if ((id != 0 || version != 0) && id != Database::kApplicationId)
            throw StoreError(
                QStringLiteral("%1: not a Winnow project (application id %2)").arg(m_file).arg(id));
        return version;
    }
    void setSchemaVersion(int version) override {
        execute(QStringLiteral("PRAGMA application_id = %1").arg(Database::kApplicationId));
        execute(QStringLiteral("PRAGMA user_version = %1").arg(version));
    }
    QString dialect(const QString &migration) const override { return migration; }
    void setForeignKeyChecks(bool on) override {
        execute(on ? QStringLiteral("PRAGMA foreign_keys = ON")
                   : QStringLiteral("PRAGMA foreign_keys = OFF"));
    }
    bool copyIn(const QString &, const QByteArray &) override { return false; }
    QString encryptPassword(const QString &, const QString &) override {
        throw StoreError(QStringLiteral("%1: a project folder has no logins").arg(m_file));
    }
    QString libraryVersion() const override {
        return QStringLiteral("SQLite %1").arg(QString::fromLatin1(sqlite3_libversion()));
    }

private:
    qint64 pragma(const char *name) {
        SqliteCursor query(*this, QByteArray("PRAGMA ").append(name).constData());
        query.step();
        return query.int64(0);
    }

    // Before anything is written (even the journal mode): a database that is not Winnow's is
    // another program's, and stays exactly as it was.
    void requireWinnowFile() {
        const qint64 id = pragma("application_id");
        if (id == Database::kApplicationId)
            return;
        throw StoreError(id == 0 && pragma("user_version") == 0
                             ? QStringLiteral("%1: not a Winnow project (an SQLite database "
                                              "without Winnow's tables); it was left as it is")
                                   .arg(m_file)
                             : QStringLiteral("%1: not a Winnow project (application id %2)")
                                   .arg(m_file)
                                   .arg(id));
    }

    void configure(bool readOnly) {
        execute(QStringLiteral("PRAGMA foreign_keys = ON"));
        // Up to 64 MiB of page cache (allocated as used): bulk imports keep indexes in memory.
        execute(QStringLiteral("PRAGMA cache_size = -65536"));
        execute(QStringLiteral("PRAGMA temp_store = MEMORY"));
        if (readOnly)
            return;
        QString journalMode;
        {
            SqliteCursor wal(*this, "PRAGMA journal_mode = WAL");
            wal.step();
            journalMode = wal.text(0);
        }
        if (journalMode.compare(QLatin1String("wal"), Qt::CaseInsensitive) != 0)
            throw StoreError(
                QStringLiteral("%1: cannot switch to write-ahead logging (journal mode is %2)")
                    .arg(m_file, journalMode));
        // FULL: a commit returns once the WAL frame is on disk, so a saved label survives a crash.
        execute(QStringLiteral("PRAGMA synchronous = FULL"));
    }

    sqlite3 *m_db = nullptr;
    QString m_file;
};

SqliteCursor::SqliteCursor(SqliteConnection &connection, const char *sql)
    : m_connection(connection) {
    const char *tail = nullptr;
    if (sqlite3_prepare_v2(connection.handle(), sql, -1, &m_stmt, &tail) != SQLITE_OK)
        fail();
    // One statement per Statement: SQLite would silently ignore a second one in the text.
    while (tail && *tail &&
           (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';'))
        ++tail;
    if (tail && *tail) {
        // No destructor runs for a constructor that throws: finalize here, or the connection
        // could never close.
        sqlite3_finalize(std::exchange(m_stmt, nullptr));
        throw StoreError(QStringLiteral("%1: more than one SQL statement in: %2")
                             .arg(connection.location(), QString::fromUtf8(sql)));
    }
}

void SqliteCursor::fail() const {
    sqlite3 *db = m_connection.handle();
    const int rc = sqlite3_extended_errcode(db);
    const char *sql = m_stmt ? sqlite3_sql(m_stmt) : nullptr;
    // The statement matters to whoever reads a bug report, not to a user whose disk is full.
    const bool aboutTheFile = (rc & 0xFF) == SQLITE_NOTADB || (rc & 0xFF) == SQLITE_CORRUPT ||
                              (rc & 0xFF) == SQLITE_FULL || (rc & 0xFF) == SQLITE_IOERR;
    throw StoreError(QStringLiteral("%1: %2%3")
                         .arg(m_connection.location(), explainError(db, rc),
                              sql && !aboutTheFile
                                  ? QStringLiteral(" (in: %1)").arg(QString::fromUtf8(sql))
                                  : QString()));
}

} // namespace

std::unique_ptr<Connection> openSqlite(const QString &file, bool create, bool readOnly) {
    return std::make_unique<SqliteConnection>(file, create, readOnly);
}

} // namespace winnow::core

#include "core/store/statement.h"

#include "core/store/database.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QThread>
#include <sqlite3.h>

namespace winnow::core {

Statement::Statement(const Database &db, const char *sql)
    : m_db(db) {
    const char *tail = nullptr;
    if (sqlite3_prepare_v2(db.handle(), sql, -1, &m_stmt, &tail) != SQLITE_OK)
        fail();
    // One statement per Statement: SQLite would silently ignore a second one in the text.
    while (tail && *tail &&
           (*tail == ' ' || *tail == '\n' || *tail == '\t' || *tail == '\r' || *tail == ';'))
        ++tail;
    if (tail && *tail)
        throw StoreError(QStringLiteral("%1: more than one SQL statement in: %2")
                             .arg(m_db.file(), QString::fromUtf8(sql)));
}

Statement::~Statement() {
    sqlite3_finalize(m_stmt);
}

void Statement::fail() const {
    const char *sql = m_stmt ? sqlite3_sql(m_stmt) : nullptr;
    throw StoreError(
        QStringLiteral("%1: %2%3")
            .arg(m_db.file(), QString::fromUtf8(sqlite3_errmsg(m_db.handle())),
                 sql ? QStringLiteral(" (in: %1)").arg(QString::fromUtf8(sql)) : QString()));
}

Statement &Statement::bind(int index, qint64 value) {
    if (sqlite3_bind_int64(m_stmt, index, value) != SQLITE_OK)
        fail();
    return *this;
}

Statement &Statement::bind(int index, double value) {
    if (sqlite3_bind_double(m_stmt, index, value) != SQLITE_OK)
        fail();
    return *this;
}

Statement &Statement::bind(int index, const QString &value) {
    const QByteArray utf8 = value.toUtf8();
    if (sqlite3_bind_text(m_stmt, index, utf8.constData(), int(utf8.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        fail();
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob) {
    if (sqlite3_bind_blob(m_stmt, index, blob.constData(), int(blob.size()), SQLITE_TRANSIENT) !=
        SQLITE_OK)
        fail();
    return *this;
}

Statement &Statement::bindNull(int index) {
    if (sqlite3_bind_null(m_stmt, index) != SQLITE_OK)
        fail();
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(m_stmt);
    if (rc == SQLITE_ROW)
        return true;
    if (rc == SQLITE_DONE)
        return false;
    fail();
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

void Statement::reset() {
    sqlite3_reset(m_stmt);
    sqlite3_clear_bindings(m_stmt);
}

bool Statement::isNull(int column) const {
    return sqlite3_column_type(m_stmt, column) == SQLITE_NULL;
}

qint64 Statement::int64(int column) const {
    return sqlite3_column_int64(m_stmt, column);
}

double Statement::real(int column) const {
    return sqlite3_column_double(m_stmt, column);
}

QString Statement::text(int column) const {
    const auto *data = reinterpret_cast<const char *>(sqlite3_column_text(m_stmt, column));
    return QString::fromUtf8(data, sqlite3_column_bytes(m_stmt, column));
}

QByteArray Statement::blob(int column) const {
    const auto *data = static_cast<const char *>(sqlite3_column_blob(m_stmt, column));
    return QByteArray(data, sqlite3_column_bytes(m_stmt, column));
}

Transaction::Transaction(Database &db)
    : m_db(db) {
    // The busy timeout covers ordinary waiting; a few cases skip the busy handler (another
    // process recovering the write-ahead log of one that was killed), so retry those here.
    QElapsedTimer waited;
    waited.start();
    for (;;) {
        const int rc = sqlite3_exec(m_db.handle(), "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
        if (rc == SQLITE_OK)
            return;
        if ((rc & 0xFF) != SQLITE_BUSY || waited.elapsed() > Database::kBusyTimeoutMs)
            throw StoreError(
                QStringLiteral("%1: cannot start writing: %2")
                    .arg(m_db.file(), QString::fromUtf8(sqlite3_errmsg(m_db.handle()))));
        QThread::msleep(20);
    }
}

Transaction::~Transaction() {
    if (m_open)
        sqlite3_exec(m_db.handle(), "ROLLBACK", nullptr, nullptr, nullptr);
}

void Transaction::commit() {
    m_db.execute(QStringLiteral("COMMIT"));
    m_open = false;
}

} // namespace winnow::core

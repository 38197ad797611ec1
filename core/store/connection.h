#pragma once

// The two database engines behind a project, as core/store sees them: SQLite for a project
// folder, PostgreSQL for a team project on a server. Repositories never meet this header; they
// use Database, Statement and Transaction, which hand every call to a Connection and its Cursors.

#include "core/store/statement.h"

#include <QByteArray>
#include <QString>
#include <memory>

namespace winnow::core {

// One prepared statement: parameters are 1-based (unbound ones are NULL), columns 0-based.
// Every method throws StoreError.
class Cursor {
public:
    virtual ~Cursor() = default;
    virtual int columnCount() const = 0;
    virtual QString columnName(int column) const = 0;
    // The type of a column's value in the current row.
    virtual ValueType type(int column) const = 0;
    virtual void bindInt(int index, qint64 value) = 0;
    virtual void bindReal(int index, double value) = 0;
    virtual void bindText(int index, const QString &value) = 0;
    virtual void bindBlob(int index, const QByteArray &value) = 0;
    virtual void bindNull(int index) = 0;
    virtual bool step() = 0;
    virtual void reset() = 0;
    virtual bool isNull(int column) const = 0;
    virtual qint64 int64(int column) const = 0;
    virtual double real(int column) const = 0;
    virtual QString text(int column) const = 0;
    virtual QByteArray blob(int column) const = 0;
};

class Connection {
public:
    virtual ~Connection() = default;

    // Where the project lives, for messages: a file path, or a server URI without password.
    virtual const QString &location() const = 0;
    virtual std::unique_ptr<Cursor> prepare(const char *sql) = 0;
    // SQL text without parameters; may hold several statements (migrations).
    virtual void execute(const QString &sql) = 0;
    // Writers queue one at a time, across processes and machines, as SQLite does.
    virtual void begin() = 0;
    virtual void commit() = 0;
    virtual void rollback() noexcept = 0;
    // Rows changed by the last INSERT, UPDATE or DELETE.
    virtual int changes() const = 0;
    // False once a server connection broke; the next statement tries to reconnect.
    virtual bool isConnected() const = 0;

    // 0 for a fresh, empty database; throws when it holds something that is not Winnow's.
    virtual int schemaVersion() = 0;
    virtual void setSchemaVersion(int version) = 0;
    // A migration written in SQLite's words, in this engine's.
    virtual QString dialect(const QString &migration) const = 0;
    virtual void setForeignKeyChecks(bool on) = 0;
    // Bulk load of `rows` (PostgreSQL's COPY text format: tab-separated, \N for NULL, one row
    // per line) into `target`, "table (column, ...)". False where the engine has no such path.
    virtual bool copyIn(const QString &target, const QByteArray &rows) = 0;
    virtual QString libraryVersion() const = 0;
    // The server's hash of a login's password (SCRAM), so the password never reaches it.
    virtual QString encryptPassword(const QString &user, const QString &password) = 0;
};

std::unique_ptr<Connection> openSqlite(const QString &file, bool create, bool readOnly);
std::unique_ptr<Connection> openPostgres(const QString &uri);

} // namespace winnow::core

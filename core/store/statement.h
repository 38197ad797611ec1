#pragma once

#include <QByteArray>
#include <QString>
#include <cstdint>
#include <memory>

namespace winnow::core {

class Cursor;
class Database;

enum class ValueType { Null, Integer, Real, Text, Blob };

// Short-lived RAII wrapper of one prepared statement; parameters are 1-based (?N or ?), columns
// 0-based. The same SQL runs on SQLite and PostgreSQL. Every method throws StoreError with the
// database's error message.
class Statement {
public:
    Statement(const Database &db, const char *sql);
    ~Statement();
    Statement(const Statement &) = delete;
    Statement &operator=(const Statement &) = delete;

    Statement &bind(int index, qint64 value);
    Statement &bind(int index, int value) { return bind(index, qint64(value)); }
    Statement &bind(int index, double value);
    Statement &bind(int index, const QString &value);
    Statement &bind(int index, const QByteArray &blob);
    Statement &bindNull(int index);

    // Steps once: true while a row is available, false when done.
    bool step();
    // Steps to completion, for statements that return no rows.
    void run();
    // For INSERT ... RETURNING id: runs it and returns the id (0 when nothing was inserted).
    qint64 insert();
    void reset();

    int columnCount() const;
    // The type of a column's value in the current row.
    ValueType type(int column) const;
    QString columnName(int column) const;
    // Binds column `column` of `row` (another statement's current row) as parameter `index`,
    // keeping its type: for copying rows between databases.
    Statement &bindValue(int index, const Statement &row, int column);

    bool isNull(int column) const;
    qint64 int64(int column) const;
    double real(int column) const;
    QString text(int column) const;
    QByteArray blob(int column) const;

private:
    std::unique_ptr<Cursor> m_cursor;
};

// Rolls back unless committed. Writers take the write lock at once, so that two processes (or
// machines) on one project queue for it instead of failing mid-transaction.
class Transaction {
public:
    explicit Transaction(Database &db);
    ~Transaction();
    Transaction(const Transaction &) = delete;
    Transaction &operator=(const Transaction &) = delete;

    void commit();

private:
    Database &m_db;
    bool m_open = true;
};

} // namespace winnow::core

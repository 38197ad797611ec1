#include "core/store/statement.h"

#include "core/store/connection.h"
#include "core/store/database.h"

namespace winnow::core {

Statement::Statement(const Database &db, const char *sql)
    : m_cursor(db.connection().prepare(sql)) {
}

Statement::~Statement() = default;

Statement &Statement::bind(int index, qint64 value) {
    m_cursor->bindInt(index, value);
    return *this;
}

Statement &Statement::bind(int index, double value) {
    m_cursor->bindReal(index, value);
    return *this;
}

Statement &Statement::bind(int index, const QString &value) {
    m_cursor->bindText(index, value);
    return *this;
}

Statement &Statement::bind(int index, const QByteArray &blob) {
    m_cursor->bindBlob(index, blob);
    return *this;
}

Statement &Statement::bindNull(int index) {
    m_cursor->bindNull(index);
    return *this;
}

bool Statement::step() {
    return m_cursor->step();
}

void Statement::run() {
    while (step()) {
    }
    reset();
}

qint64 Statement::insert() {
    if (!step()) {
        reset();
        return 0;
    }
    const qint64 id = int64(0);
    run();
    return id;
}

void Statement::reset() {
    m_cursor->reset();
}

ValueType Statement::type(int column) const {
    return m_cursor->type(column);
}

int Statement::columnCount() const {
    return m_cursor->columnCount();
}

QString Statement::columnName(int column) const {
    return m_cursor->columnName(column);
}

Statement &Statement::bindValue(int index, const Statement &row, int column) {
    switch (row.m_cursor->type(column)) {
    case ValueType::Null:
        return bindNull(index);
    case ValueType::Integer:
        return bind(index, row.int64(column));
    case ValueType::Real:
        return bind(index, row.real(column));
    case ValueType::Blob:
        return bind(index, row.blob(column));
    case ValueType::Text:
        break;
    }
    return bind(index, row.text(column));
}

bool Statement::isNull(int column) const {
    return m_cursor->isNull(column);
}

qint64 Statement::int64(int column) const {
    return m_cursor->int64(column);
}

double Statement::real(int column) const {
    return m_cursor->real(column);
}

QString Statement::text(int column) const {
    return m_cursor->text(column);
}

QByteArray Statement::blob(int column) const {
    return m_cursor->blob(column);
}

Transaction::Transaction(Database &db)
    : m_db(db) {
    m_db.connection().begin();
}

Transaction::~Transaction() {
    if (m_open)
        m_db.connection().rollback();
}

void Transaction::commit() {
    m_db.connection().commit();
    m_open = false;
}

} // namespace winnow::core

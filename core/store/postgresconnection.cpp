#include "core/store/connection.h"
#include "core/store/database.h"
#include "core/store/storeerror.h"

#include <QHash>
#include <QRegularExpression>
#include <cmath>
#include <cstdlib>
#include <libpq-fe.h>
#include <vector>

namespace winnow::core {
namespace {

constexpr Oid kByteaOid = 17;
constexpr Oid kInt8Oid = 20;
constexpr Oid kFloat8Oid = 701;
// Every writer holds this advisory lock until it commits: one writer at a time per project
// database, across processes and machines, as with SQLite's BEGIN IMMEDIATE.
constexpr auto kBeginWriting = "BEGIN; SELECT pg_advisory_xact_lock(1464421966)";

// SQLite's ?N and ? placeholders as PostgreSQL's $N, outside quoted text. A bare ? takes the
// number after the largest so far, as SQLite numbers it.
QByteArray numberedPlaceholders(const char *sql, int *parameters) {
    QByteArray out;
    int largest = 0;
    char quote = 0;
    for (const char *p = sql; *p; ++p) {
        const char c = *p;
        if (quote) {
            if (c == quote)
                quote = 0;
            out.append(c);
            continue;
        }
        if (c == '\'' || c == '"') {
            quote = c;
            out.append(c);
            continue;
        }
        if (c == ';') { // nothing but blanks may follow, as SQLite's Statement checks
            for (const char *rest = p + 1; *rest; ++rest)
                if (*rest != ' ' && *rest != '\n' && *rest != '\t' && *rest != '\r' && *rest != ';')
                    throw StoreError(QStringLiteral("more than one SQL statement in: %1")
                                         .arg(QString::fromUtf8(sql)));
            break;
        }
        if (c != '?') {
            out.append(c);
            continue;
        }
        int number = 0;
        while (p[1] >= '0' && p[1] <= '9')
            number = number * 10 + (*++p - '0');
        if (number == 0)
            number = largest + 1;
        largest = std::max(largest, number);
        out.append('$').append(QByteArray::number(number));
    }
    *parameters = largest;
    return out;
}

QString trimmedMessage(const char *message) {
    return QString::fromUtf8(message).trimmed();
}

class PostgresConnection;

class PostgresCursor final : public Cursor {
public:
    PostgresCursor(PostgresConnection &connection, const char *sql)
        : m_connection(connection) {
        int parameters = 0;
        m_sql = numberedPlaceholders(sql, &parameters);
        m_values.resize(size_t(parameters));
        m_null.assign(size_t(parameters), true);
        m_formats.assign(size_t(parameters), 0);
        m_types.assign(size_t(parameters), 0);
    }
    ~PostgresCursor() override { PQclear(m_result); }

    int columnCount() const override { return PQnfields(m_result); }
    QString columnName(int column) const override {
        return QString::fromUtf8(PQfname(m_result, column));
    }
    ValueType type(int column) const override {
        if (PQgetisnull(m_result, m_row, column))
            return ValueType::Null;
        switch (PQftype(m_result, column)) {
        case 16: // bool
        case 20: // int8
        case 21: // int2
        case 23: // int4
            return ValueType::Integer;
        case 700:  // float4
        case 701:  // float8
        case 1700: // numeric
            return ValueType::Real;
        case kByteaOid:
            return ValueType::Blob;
        default:
            return ValueType::Text;
        }
    }
    void bindInt(int index, qint64 value) override {
        set(index, QByteArray::number(value), 0, kInt8Oid);
    }
    void bindReal(int index, double value) override {
        if (std::isnan(value))
            set(index, "NaN", 0, kFloat8Oid);
        else if (std::isinf(value))
            set(index, value > 0 ? "Infinity" : "-Infinity", 0, kFloat8Oid);
        else
            set(index, QByteArray::number(value, 'g', 17), 0, kFloat8Oid);
    }
    void bindText(int index, const QString &value) override { set(index, value.toUtf8(), 0, 0); }
    void bindBlob(int index, const QByteArray &value) override { set(index, value, 1, kByteaOid); }
    void bindNull(int index) override {
        check(index);
        m_null[size_t(index - 1)] = true;
    }

    bool step() override;
    void reset() override {
        PQclear(m_result);
        m_result = nullptr;
        m_executed = false;
        std::fill(m_null.begin(), m_null.end(), true);
    }
    bool isNull(int column) const override { return PQgetisnull(m_result, m_row, column); }
    qint64 int64(int column) const override {
        const char *value = PQgetvalue(m_result, m_row, column);
        if (value[0] == 't' || value[0] == 'f') // a boolean expression
            return value[0] == 't';
        return std::strtoll(value, nullptr, 10);
    }
    double real(int column) const override {
        return std::strtod(PQgetvalue(m_result, m_row, column), nullptr);
    }
    QString text(int column) const override {
        return QString::fromUtf8(PQgetvalue(m_result, m_row, column),
                                 PQgetlength(m_result, m_row, column));
    }
    QByteArray blob(int column) const override {
        const char *value = PQgetvalue(m_result, m_row, column);
        const int length = PQgetlength(m_result, m_row, column);
        if (PQftype(m_result, column) == kByteaOid && length >= 2 && value[0] == '\\' &&
            value[1] == 'x')
            return QByteArray::fromHex(QByteArray::fromRawData(value + 2, length - 2));
        return QByteArray(value, length);
    }

private:
    void check(int index) const;
    // A parameter's type is declared when known (a NULL leaves it to the SQL around it).
    void set(int index, QByteArray value, int format, Oid type) {
        check(index);
        const auto i = size_t(index - 1);
        m_values[i] = std::move(value);
        m_null[i] = false;
        m_formats[i] = format;
        m_types[i] = type;
    }

    PostgresConnection &m_connection;
    QByteArray m_sql;
    std::vector<QByteArray> m_values;
    std::vector<bool> m_null;
    std::vector<int> m_formats;
    std::vector<Oid> m_types;
    PGresult *m_result = nullptr;
    bool m_executed = false;
    int m_row = -1;
    int m_rows = 0;
};

class PostgresConnection final : public Connection {
public:
    explicit PostgresConnection(const QString &uri)
        : m_location(uri) {
        const QByteArray utf8 = uri.toUtf8();
        char *parseError = nullptr;
        PQconninfoOption *options = PQconninfoParse(utf8.constData(), &parseError);
        if (!options) {
            const QString reason =
                parseError ? trimmedMessage(parseError) : QStringLiteral("out of memory");
            PQfreemem(parseError);
            throw StoreError(QStringLiteral("%1: not a server address: %2").arg(uri, reason));
        }
        bool hasPassword = false;
        for (PQconninfoOption *o = options; o->keyword; ++o)
            hasPassword |= qstrcmp(o->keyword, "password") == 0 && o->val && *o->val;
        PQconninfoFree(options);
        if (hasPassword)
            throw StoreError(QStringLiteral(
                "a server address must not hold a password: put it in ~/.pgpass or PGPASSWORD"));

        const char *keywords[] = {"dbname", "application_name", "connect_timeout", nullptr};
        const char *values[] = {utf8.constData(), "winnow", "10", nullptr};
        m_conn = PQconnectdbParams(keywords, values, 1);
        if (PQstatus(m_conn) != CONNECTION_OK) {
            const QString reason = trimmedMessage(PQerrorMessage(m_conn));
            PQfinish(m_conn);
            m_conn = nullptr;
            throw StoreError(QStringLiteral("%1: cannot connect: %2").arg(uri, reason));
        }
        PQsetNoticeProcessor(
            m_conn, [](void *, const char *) {}, nullptr);
        execute(QStringLiteral("SET client_min_messages = warning"));
    }
    ~PostgresConnection() override { PQfinish(m_conn); }

    const QString &location() const override { return m_location; }
    std::unique_ptr<Cursor> prepare(const char *sql) override {
        return std::make_unique<PostgresCursor>(*this, sql);
    }

    void execute(const QString &sql) override {
        ensureConnected();
        PGresult *result = PQexec(m_conn, sql.toUtf8().constData());
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const QString reason = trimmedMessage(PQresultErrorMessage(result));
            noteFailure(result);
            PQclear(result);
            fail(reason);
        }
        if (qstrcmp(PQcmdStatus(result), "ROLLBACK") == 0 && sql.startsWith(u"COMMIT")) {
            PQclear(result);
            fail(QStringLiteral("the transaction failed and was rolled back"));
        }
        PQclear(result);
    }

    void begin() override { execute(QString::fromLatin1(kBeginWriting)); }
    void commit() override { execute(QStringLiteral("COMMIT")); }
    void rollback() noexcept override {
        if (isConnected())
            PQclear(PQexec(m_conn, "ROLLBACK"));
    }
    int changes() const override { return m_changes; }
    bool isConnected() const override { return !m_lost && PQstatus(m_conn) == CONNECTION_OK; }

    int schemaVersion() override {
        PostgresCursor probe(*this, "SELECT to_regclass('winnow_schema') IS NOT NULL,"
                                    " (SELECT COUNT(*) FROM pg_catalog.pg_tables"
                                    "  WHERE schemaname = current_schema())");
        probe.step();
        if (!probe.int64(0)) {
            if (probe.int64(1) > 0)
                fail(QStringLiteral("not a Winnow project (the database holds other tables)"));
            return 0;
        }
        PostgresCursor version(*this, "SELECT application_id, version FROM winnow_schema");
        if (!version.step())
            return 0;
        if (version.int64(0) != Database::kApplicationId)
            fail(QStringLiteral("not a Winnow project (application id %1)").arg(version.int64(0)));
        return int(version.int64(1));
    }
    void setSchemaVersion(int version) override {
        execute(QStringLiteral("CREATE TABLE IF NOT EXISTS winnow_schema"
                               " (application_id BIGINT NOT NULL, version INTEGER NOT NULL);"
                               "DELETE FROM winnow_schema;"
                               "INSERT INTO winnow_schema VALUES (%1, %2);"
                               "GRANT SELECT ON winnow_schema TO PUBLIC")
                    .arg(Database::kApplicationId)
                    .arg(version));
    }

    QString dialect(const QString &migration) const override {
        static const std::pair<QRegularExpression, QString> rules[] = {
            {QRegularExpression(QStringLiteral("\\bid(\\s+)INTEGER PRIMARY KEY\\b")),
             QStringLiteral("id\\1BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY")},
            {QRegularExpression(QStringLiteral("\\bINTEGER\\b")), QStringLiteral("BIGINT")},
            {QRegularExpression(QStringLiteral("\\bREAL\\b")), QStringLiteral("DOUBLE PRECISION")},
            {QRegularExpression(QStringLiteral("\\bBLOB\\b")), QStringLiteral("BYTEA")},
            {QRegularExpression(QStringLiteral("\\)\\s*WITHOUT ROWID")), QStringLiteral(")")},
            // Views read with the privileges of whoever reads them, so row security holds.
            {QRegularExpression(QStringLiteral("\\bCREATE VIEW (\\w+) AS\\b")),
             QStringLiteral("CREATE VIEW \\1 WITH (security_invoker = true) AS")},
        };
        QString sql = migration;
        for (const auto &[pattern, replacement] : rules)
            sql.replace(pattern, replacement);
        return sql;
    }
    // PostgreSQL checks foreign keys in bulk well enough; they stay on.
    void setForeignKeyChecks(bool) override {}
    bool copyIn(const QString &target, const QByteArray &rows) override {
        ensureConnected();
        PGresult *started =
            PQexec(m_conn, QStringLiteral("COPY %1 FROM STDIN").arg(target).toUtf8());
        const bool ready = PQresultStatus(started) == PGRES_COPY_IN;
        if (!ready) {
            const QString reason = trimmedMessage(PQresultErrorMessage(started));
            noteFailure(started);
            PQclear(started);
            fail(reason);
        }
        PQclear(started);
        constexpr qsizetype kChunk = 1 << 20;
        bool sent = true;
        for (qsizetype at = 0; sent && at < rows.size(); at += kChunk)
            sent = PQputCopyData(m_conn, rows.constData() + at,
                                 int(std::min(kChunk, rows.size() - at))) == 1;
        sent = PQputCopyEnd(m_conn, sent ? nullptr : "cannot send the rows") == 1 && sent;
        QString reason;
        while (PGresult *result = PQgetResult(m_conn)) {
            if (PQresultStatus(result) != PGRES_COMMAND_OK) {
                reason = trimmedMessage(PQresultErrorMessage(result));
                noteFailure(result);
            }
            PQclear(result);
        }
        if (!sent || !reason.isEmpty())
            fail(reason.isEmpty() ? QStringLiteral("COPY into %1 failed").arg(target) : reason);
        return true;
    }
    QString encryptPassword(const QString &user, const QString &password) override {
        ensureConnected();
        char *hash = PQencryptPasswordConn(m_conn, password.toUtf8().constData(),
                                           user.toUtf8().constData(), nullptr);
        if (!hash)
            fail(QStringLiteral("cannot hash the password: %1")
                     .arg(trimmedMessage(PQerrorMessage(m_conn))));
        const QString result = QString::fromUtf8(hash);
        PQfreemem(hash);
        return result;
    }
    QString libraryVersion() const override {
        const int server = PQserverVersion(m_conn);
        return QStringLiteral("PostgreSQL %1.%2 (libpq %3.%4)")
            .arg(server / 10000)
            .arg(server % 10000)
            .arg(PQlibVersion() / 10000)
            .arg(PQlibVersion() % 10000);
    }

    // Runs a cursor's SQL, preparing it once per connection; the caller owns the result.
    PGresult *run(const QByteArray &sql, const std::vector<QByteArray> &values,
                  const std::vector<bool> &null, const std::vector<int> &formats,
                  const std::vector<Oid> &types) {
        ensureConnected();
        QByteArray key = sql;
        for (Oid type : types)
            key.append(type == kByteaOid    ? 'b'
                       : type == kInt8Oid   ? 'i'
                       : type == kFloat8Oid ? 'f'
                                            : '-');
        auto it = m_prepared.constFind(key);
        if (it == m_prepared.constEnd()) {
            const QByteArray name = "w" + QByteArray::number(m_prepared.size());
            PGresult *prepared = PQprepare(m_conn, name.constData(), sql.constData(),
                                           int(types.size()), types.data());
            const bool ok = PQresultStatus(prepared) == PGRES_COMMAND_OK;
            const QString reason = trimmedMessage(PQresultErrorMessage(prepared));
            if (!ok)
                noteFailure(prepared);
            PQclear(prepared);
            if (!ok)
                fail(QStringLiteral("%1 (in: %2)").arg(reason, QString::fromUtf8(sql)));
            it = m_prepared.insert(key, name);
        }
        std::vector<const char *> pointers(values.size());
        std::vector<int> lengths(values.size());
        for (size_t i = 0; i < values.size(); ++i) {
            pointers[i] = null[i] ? nullptr : values[i].constData();
            lengths[i] = int(values[i].size());
        }
        PGresult *result = PQexecPrepared(m_conn, it->constData(), int(values.size()),
                                          pointers.data(), lengths.data(), formats.data(), 0);
        const ExecStatusType status = PQresultStatus(result);
        if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
            const QString reason = trimmedMessage(PQresultErrorMessage(result));
            noteFailure(result);
            PQclear(result);
            fail(QStringLiteral("%1 (in: %2)").arg(reason, QString::fromUtf8(sql)));
        }
        const char *command = PQcmdStatus(result);
        if (qstrncmp(command, "INSERT", 6) == 0 || qstrncmp(command, "UPDATE", 6) == 0 ||
            qstrncmp(command, "DELETE", 6) == 0)
            m_changes = std::atoi(PQcmdTuples(result));
        return result;
    }

    [[noreturn]] void fail(const QString &reason) const {
        if (!isConnected())
            throw StoreError(QStringLiteral("%1: the connection to the server was lost: %2")
                                 .arg(m_location, trimmedMessage(PQerrorMessage(m_conn))));
        throw StoreError(QStringLiteral("%1: %2").arg(m_location, reason));
    }

private:
    // After an outage the next statement reconnects; statements prepared before are gone.
    // A failure the server did not answer (no SQLSTATE: the socket closed), or a connection
    // exception or shutdown (SQLSTATE 08..., 57P...), means the connection is gone.
    void noteFailure(const PGresult *result) {
        const char *state = PQresultErrorField(result, PG_DIAG_SQLSTATE);
        if (!state || qstrncmp(state, "08", 2) == 0 || qstrncmp(state, "57P", 3) == 0 ||
            PQstatus(m_conn) != CONNECTION_OK)
            m_lost = true;
    }

    void ensureConnected() {
        if (isConnected())
            return;
        PQreset(m_conn);
        m_prepared.clear();
        m_lost = PQstatus(m_conn) != CONNECTION_OK;
        if (PQstatus(m_conn) != CONNECTION_OK)
            throw StoreError(QStringLiteral("%1: cannot reach the server: %2")
                                 .arg(m_location, trimmedMessage(PQerrorMessage(m_conn))));
        PQclear(PQexec(m_conn, "SET client_min_messages = warning"));
    }

    PGconn *m_conn = nullptr;
    QString m_location;
    QHash<QByteArray, QByteArray> m_prepared; // SQL and parameter types -> statement name
    int m_changes = 0;
    bool m_lost = false;
};

void PostgresCursor::check(int index) const {
    if (index < 1 || index > int(m_values.size()))
        m_connection.fail(QStringLiteral("parameter %1 out of range (in: %2)")
                              .arg(index)
                              .arg(QString::fromUtf8(m_sql)));
}

bool PostgresCursor::step() {
    if (m_executed && m_row >= m_rows) { // SQLite runs a finished statement again
        PQclear(m_result);
        m_result = nullptr;
        m_executed = false;
    }
    if (!m_executed) {
        m_result = m_connection.run(m_sql, m_values, m_null, m_formats, m_types);
        m_executed = true;
        m_rows = PQntuples(m_result);
        m_row = -1;
    }
    ++m_row;
    return m_row < m_rows;
}

} // namespace

std::unique_ptr<Connection> openPostgres(const QString &uri) {
    return std::make_unique<PostgresConnection>(uri);
}

} // namespace winnow::core

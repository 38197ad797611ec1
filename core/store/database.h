#pragma once

#include <QString>
#include <memory>

namespace winnow::core {

class Connection;

// One connection to a Winnow project's database: a SQLite file in a project folder, or a
// PostgreSQL database named by a server address (postgresql://USER@HOST[:PORT]/DBNAME). Opens it,
// checks that it is Winnow's and brings the schema up to date from one numbered list of
// migrations. One Database per thread; move-only.
class Database {
public:
    enum class Mode { ReadWrite, Create, ReadOnly };
    enum class Backend { Sqlite, Postgres };

    static constexpr int kApplicationId = 0x57494E4E; // "WINN"
    static constexpr int kBusyTimeoutMs = 10000;

    // `location` is a file path or a server address. Throws StoreError naming it and the reason.
    Database(const QString &location, Mode mode);
    ~Database();
    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    // True for postgresql:// and postgres:// addresses.
    static bool isServerAddress(const QString &location);

    Backend backend() const { return m_backend; }
    Connection &connection() const { return *m_connection; }
    // The file or server address, for messages.
    const QString &location() const;

    // Runs SQL text without parameters (migrations, settings). Throws StoreError.
    void execute(const QString &sql);
    int schemaVersion();
    // Rows changed by the last INSERT, UPDATE or DELETE.
    int changes() const;
    // SQLite checks foreign keys row by row; bulk writes of ids just read switch that off.
    void setForeignKeyChecks(bool on);
    // See Connection::copyIn: false when the engine has no bulk path (then insert row by row).
    bool copyIn(const QString &target, const QByteArray &rows);

    // The database engine this connection runs on, with its version.
    QString libraryVersion() const;
    // The SQLite library this build links.
    static QString sqliteVersion();
    // The PostgreSQL client library this build links.
    static QString postgresClientVersion();
    // Schema version this build writes; migrations 1..latest live in resources/migrations.
    static int latestSchemaVersion();
    // Applies migrations above the database's version up to `target` (tests use lower targets).
    void migrate(int target);
    // Whether opening it applied migrations to an existing project (so a team's grants must
    // cover new tables).
    bool upgraded() const { return m_upgraded; }

private:
    void configure(Mode mode);

    std::unique_ptr<Connection> m_connection;
    Backend m_backend = Backend::Sqlite;
    bool m_upgraded = false;
};

} // namespace winnow::core

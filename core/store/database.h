#pragma once

#include <QString>

struct sqlite3;

namespace winnow::core {

// Owns one SQLite connection to a Winnow project file: opens it with the project's pragmas
// (WAL, foreign keys, busy timeout), checks the application id and brings the schema up to
// date. One Database per thread; move-only.
class Database {
public:
    enum class Mode { ReadWrite, Create, ReadOnly };

    static constexpr int kApplicationId = 0x57494E4E; // "WINN"
    static constexpr int kBusyTimeoutMs = 10000;

    // Throws StoreError with the file name and the reason.
    Database(const QString &file, Mode mode);
    ~Database();
    Database(Database &&other) noexcept;
    Database &operator=(Database &&other) noexcept;
    Database(const Database &) = delete;
    Database &operator=(const Database &) = delete;

    sqlite3 *handle() const { return m_db; }
    const QString &file() const { return m_file; }

    // Runs SQL text without parameters (pragmas, migrations). Throws StoreError.
    void execute(const QString &sql);
    int userVersion();
    qint64 lastInsertId() const;
    int changes() const;

    // The version of the database library this build runs on.
    static QString libraryVersion();
    // Schema version this build writes; migrations 1..kSchemaVersion live in resources/.
    static int latestSchemaVersion();
    // Applies migrations above the file's version up to `target` (tests use lower targets).
    void migrate(int target);

private:
    void configure(Mode mode);
    [[noreturn]] void fail(const QString &what) const;

    sqlite3 *m_db = nullptr;
    QString m_file;
};

} // namespace winnow::core

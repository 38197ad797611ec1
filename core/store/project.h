#pragma once

#include "core/store/database.h"
#include "core/util/result.h"

#include <QByteArray>
#include <QHash>
#include <QString>
#include <QStringList>
#include <memory>
#include <optional>
#include <vector>

namespace winnow::core {

enum class Split { Train, Val, Test, Unassigned };
QString splitName(Split split);
std::optional<Split> parseSplit(const QString &name);

struct ClassInfo {
    qint64 id = 0;
    QString name;
    QString color;
    QString shortcut;
    int position = 0;
};

struct AnnotatorInfo {
    qint64 id = 0;
    QString name;
    QString kind;
};

struct BatchInfo {
    qint64 id = 0;
    QString kind;
    QString source;
    QString split;
    QString createdAt;
    qint64 imported = 0;
    qint64 skipped = 0;
};

// One decoded image ready to be stored; `label` is the answer its importer read with it.
struct NewItem {
    QString path; // absolute
    QByteArray contentHash;
    QByteArray pixelHash;
    quint64 perceptualHash = 0;
    quint64 mirroredHash = 0; // of the horizontally mirrored image
    int width = 0;
    int height = 0;
    int channels = 0;
    QByteArray thumbnail; // empty when the image itself is small enough to show
    QString thumbnailFormat;
    QString label;
};

struct ItemRecord {
    qint64 id = 0;
    QString path; // absolute
    int width = 0;
    int height = 0;
    int channels = 0;
    Split split = Split::Unassigned;
    qint64 batchId = 0;
    qint64 classId = 0; // most frequent live answer, 0 when unlabelled
};

struct ItemFilter {
    static constexpr qint64 kUnlabelled = -1;
    std::optional<qint64> classId; // or kUnlabelled
    std::optional<Split> split;
    std::optional<qint64> batchId;
};

struct CountRow {
    QString name;
    qint64 count = 0;
};

struct ProjectSummary {
    qint64 items = 0;
    qint64 answers = 0;
    std::vector<CountRow> perSplit;
    std::vector<CountRow> perClass;     // items whose most frequent answer is that class
    std::vector<CountRow> perAnnotator; // live answers
};

// A project and its database: the one narrow interface the rest of Winnow uses to read and write
// project data. A project is a folder holding a SQLite file, or a team project on a PostgreSQL
// server named by its address (postgresql://USER@HOST[:PORT]/DBNAME). Methods return Result and
// never throw. One Project per thread.
class Project {
public:
    static constexpr auto kDatabaseName = "project.winnow";

    // `location` is a folder or a server address; on a server, the database must exist and be
    // empty (winnow-cli init).
    static Result<std::unique_ptr<Project>> create(const QString &location);
    static Result<std::unique_ptr<Project>> open(const QString &location,
                                                 Database::Mode mode = Database::Mode::ReadWrite);
    static bool exists(const QString &location);

    // The folder or server address that opens this project again (on another thread, say).
    const QString &directory() const { return m_directory; }
    bool isOnServer() const;
    // False while the server of a team project cannot be reached (always true for a folder).
    bool isConnected() const;
    // Where this machine keeps the project's files (tensor caches, checkpoints, decoded IDX
    // images): the project folder, or a folder in the user's cache for a server project.
    QString workFolder() const;
    QString absolutePath(const QString &storedPath) const;
    QString storedPath(const QString &absolutePath) const;

    Result<std::vector<ClassInfo>> classes();
    Result<std::vector<AnnotatorInfo>> annotators();
    Result<std::vector<BatchInfo>> batches();
    Result<qint64> ensureClass(const QString &name);
    Result<qint64> ensureAnnotator(const QString &name, const QString &kind);
    // Many at once, in one transaction: name -> id.
    Result<QHash<QString, qint64>> ensureClasses(const QStringList &names);
    Result<QHash<QString, qint64>> ensureAnnotators(const QStringList &names, const QString &kind);

    // Renaming keeps every answer; retiring hides from pickers and queues but keeps history.
    Result<void> renameClass(qint64 classId, const QString &name);
    Result<void> setClassShortcut(qint64 classId, const QString &shortcut);
    Result<void> setClassColor(qint64 classId, const QString &color);
    Result<void> retireClass(qint64 classId);
    Result<void> renameAnnotator(qint64 annotatorId, const QString &name);
    Result<void> retireAnnotator(qint64 annotatorId);

    Result<qint64> createBatch(const QString &kind, const QString &source,
                               std::optional<Split> split);
    Result<void> finishBatch(qint64 batchId, qint64 imported, qint64 skipped);
    Result<QHash<QString, qint64>> itemIdsByPath();
    // Stores items and their labels (answers of `labelAnnotatorId`) in one transaction;
    // items whose path is already present are left alone. Returns how many were new.
    Result<qint64> addItems(qint64 batchId, std::optional<Split> split,
                            const std::vector<NewItem> &items, qint64 labelAnnotatorId);

    Result<qint64> countItems(const ItemFilter &filter);
    // Keyset page: up to `limit` items with id > afterId, in id order.
    Result<std::vector<ItemRecord>> items(const ItemFilter &filter, qint64 afterId, int limit);
    Result<QByteArray> thumbnail(qint64 itemId);
    Result<QString> itemPath(qint64 itemId); // absolute
    Result<ProjectSummary> summary();

    Result<QString> setting(const QString &key, const QString &fallback = {});
    Result<void> setSetting(const QString &key, const QString &value);

    Project(Database db, QString directory);

private:
    friend Database &databaseOf(Project &project);
    qint64 ensureClassUnlocked(const QString &name);

    Database m_db;
    QString m_directory;
    QString m_workFolder;
    QHash<QString, qint64> m_classIds;
};

QString nowIso();

} // namespace winnow::core

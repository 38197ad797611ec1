#include "core/store/project.h"

#include "core/store/answerlog.h"
#include "core/store/connection.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"
#include "core/store/teamrepository.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QStringList>
#include <QVariant>
#include <array>

namespace winnow::core {
namespace {

// The class an item shows in the browser before any consolidation: its most frequent live
// (not undone) answer; ties go to the class answered first.
#define WINNOW_LIVE_LABEL                                                                          \
    "(SELECT a.class_id FROM live_answers a WHERE a.item_id = i.id"                                \
    " GROUP BY a.class_id ORDER BY COUNT(*) DESC, MIN(a.id) LIMIT 1)"

#define WINNOW_ITEM_FILTER                                                                         \
    " (CAST(?2 AS TEXT) IS NULL OR split = ?2) AND (CAST(?3 AS BIGINT) IS NULL OR batch_id = ?3)"  \
    " AND (CAST(?4 AS BIGINT) IS NULL OR label = ?4) AND (?5 = 0 OR label IS NULL)"

constexpr auto kSelectItemsPage =
    "SELECT id, path, width, height, channels, split, batch_id, label FROM ("
    " SELECT i.id, i.path, i.width, i.height, i.channels, i.split, i.batch_id, " WINNOW_LIVE_LABEL
    " AS label FROM items i WHERE i.id > ?1) page"
    " WHERE" WINNOW_ITEM_FILTER " ORDER BY id LIMIT ?6";

constexpr auto kCountItems =
    "SELECT COUNT(*) FROM ("
    " SELECT i.split, i.batch_id, CASE WHEN CAST(?4 AS BIGINT) IS NULL AND ?5 = 0 THEN NULL "
    "ELSE " WINNOW_LIVE_LABEL " END AS label FROM items i WHERE i.id > ?1) counted"
    " WHERE" WINNOW_ITEM_FILTER;

constexpr auto kCountPerClass =
    "SELECT c.name, COUNT(*) FROM (SELECT " WINNOW_LIVE_LABEL " AS label FROM items i) l"
    " JOIN classes c ON c.id = l.label GROUP BY c.id ORDER BY c.position, c.id";

constexpr auto kSelectClasses = "SELECT id, name, color, shortcut, position FROM classes"
                                " WHERE retired_at IS NULL ORDER BY position, id";
constexpr auto kInsertClass =
    "INSERT INTO classes (name, color, shortcut, position, created_at) VALUES (?, ?, ?, ?, ?)"
    " RETURNING id";
constexpr auto kSelectAnnotators =
    "SELECT id, name, kind FROM annotators WHERE retired_at IS NULL ORDER BY name, id";
constexpr auto kSelectAnnotatorByName = "SELECT id FROM annotators WHERE name = ?";
constexpr auto kInsertAnnotator =
    "INSERT INTO annotators (name, kind, created_at) VALUES (?, ?, ?) RETURNING id";
constexpr auto kSelectBatches =
    "SELECT id, kind, source, COALESCE(split, ''), created_at, imported, skipped"
    " FROM import_batches ORDER BY id";
constexpr auto kInsertBatch =
    "INSERT INTO import_batches (kind, source, split, created_at) VALUES (?, ?, ?, ?)"
    " RETURNING id";
constexpr auto kFinishBatch = "UPDATE import_batches SET imported = ?, skipped = ? WHERE id = ?";
constexpr auto kSelectItemPaths = "SELECT path, id FROM items ORDER BY id";
constexpr auto kInsertItem =
    "INSERT INTO items (path, content_hash, pixel_hash, perceptual_hash, width, height,"
    " channels, split, batch_id, created_at, mirrored_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
    "?)"
    " ON CONFLICT (path) DO NOTHING RETURNING id";
constexpr auto kInsertThumbnail = "INSERT INTO thumbnails (item_id, format, data) VALUES (?, ?, ?)";
constexpr auto kSelectThumbnail = "SELECT data FROM thumbnails WHERE item_id = ?";
constexpr auto kCountAllItems = "SELECT COUNT(*) FROM items";
constexpr auto kCountLiveAnswers = "SELECT COUNT(*) FROM live_answers";
constexpr auto kCountPerSplit = "SELECT split, COUNT(*) FROM items GROUP BY split ORDER BY split";
constexpr auto kCountPerAnnotator =
    "SELECT n.name, COUNT(a.id) FROM annotators n LEFT JOIN live_answers a ON a.annotator_id = n.id"
    " GROUP BY n.id ORDER BY n.name";
constexpr auto kSelectSetting = "SELECT value FROM settings WHERE key = ?";
constexpr auto kUpsertSetting = "INSERT INTO settings (key, value) VALUES (?, ?)"
                                " ON CONFLICT (key) DO UPDATE SET value = excluded.value";

// Distinct, readable on light and dark backgrounds (Tableau 20 order).
constexpr std::array kPalette = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                 "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
                                 "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
                                 "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5"};
constexpr auto kShortcutOrder = "1234567890abcdefghijklmnopqrstuvwxyz";

QString databaseFile(const QString &directory) {
    return QDir(directory).filePath(QString::fromLatin1(Project::kDatabaseName));
}

void bindFilter(Statement &query, const ItemFilter &filter) {
    if (filter.split)
        query.bind(2, splitName(*filter.split));
    if (filter.batchId)
        query.bind(3, *filter.batchId);
    if (filter.classId && *filter.classId != ItemFilter::kUnlabelled)
        query.bind(4, *filter.classId);
    query.bind(5, qint64(filter.classId && *filter.classId == ItemFilter::kUnlabelled));
}

std::vector<CountRow> countRows(Database &db, const char *sql) {
    std::vector<CountRow> rows;
    Statement query(db, sql);
    while (query.step())
        rows.push_back({query.text(0), query.int64(1)});
    return rows;
}

} // namespace

QString nowIso() {
    return QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs);
}

QString splitName(Split split) {
    switch (split) {
    case Split::Train:
        return QStringLiteral("train");
    case Split::Val:
        return QStringLiteral("val");
    case Split::Test:
        return QStringLiteral("test");
    case Split::Unassigned:
        break;
    }
    return QStringLiteral("unassigned");
}

std::optional<Split> parseSplit(const QString &name) {
    for (Split split : {Split::Train, Split::Val, Split::Test, Split::Unassigned}) {
        if (name.compare(splitName(split), Qt::CaseInsensitive) == 0)
            return split;
    }
    return std::nullopt;
}

Project::Project(Database db, QString directory)
    : m_db(std::move(db))
    , m_directory(std::move(directory))
    , m_workFolder(m_directory) {
    if (isOnServer()) {
        const QByteArray key =
            QCryptographicHash::hash(m_directory.toUtf8(), QCryptographicHash::Sha1)
                .toHex()
                .left(16);
        m_workFolder = QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
                       QStringLiteral("/winnow/server-") + QString::fromLatin1(key);
        QDir().mkpath(m_workFolder);
    }
}

bool Project::exists(const QString &location) {
    return Database::isServerAddress(location) || QFileInfo::exists(databaseFile(location));
}

bool Project::isOnServer() const {
    return m_db.backend() == Database::Backend::Postgres;
}

bool Project::isConnected() const {
    return m_db.connection().isConnected();
}

QString Project::workFolder() const {
    return m_workFolder;
}

Result<std::unique_ptr<Project>> Project::create(const QString &directory) {
    return attempt([&] {
        if (Database::isServerAddress(directory))
            return std::make_unique<Project>(Database(directory, Database::Mode::Create),
                                             directory);
        if (directory.trimmed().isEmpty())
            throw StoreError(QStringLiteral("no folder given for the new project"));
        if (exists(directory))
            throw StoreError(QStringLiteral("%1: a project already exists here").arg(directory));
        // A project gets a folder of its own: never a checkout, a home folder or a folder of
        // images that happens to be chosen.
        if (const QStringList entries = QDir(directory).entryList(
                QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
            !entries.isEmpty())
            throw StoreError(QStringLiteral("%1: the folder is not empty (%2 entries, such as "
                                            "'%3'); choose an empty or a new folder")
                                 .arg(directory)
                                 .arg(entries.size())
                                 .arg(entries.first()));
        if (!QDir().mkpath(directory))
            throw StoreError(QStringLiteral("%1: cannot create the folder").arg(directory));
        const QString dir = QFileInfo(directory).canonicalFilePath();
        return std::make_unique<Project>(Database(databaseFile(dir), Database::Mode::Create), dir);
    });
}

Result<std::unique_ptr<Project>> Project::open(const QString &directory, Database::Mode mode) {
    return attempt([&] {
        if (Database::isServerAddress(directory)) {
            auto project = std::make_unique<Project>(Database(directory, mode), directory);
            // Tables a newer schema added need the team's grants, or annotators could not read
            // what their queue reads.
            if (project->m_db.upgraded()) {
                Statement team(project->m_db,
                               "SELECT 1 FROM pg_roles WHERE rolname = current_database() || "
                               "'_annotator'");
                if (team.step())
                    TeamRepository(*project).setUp();
            }
            return project;
        }
        QFileInfo info(directory);
        // Accept the database file itself as well as its folder.
        const QString dir = info.isFile() ? info.canonicalPath() : info.canonicalFilePath();
        if (dir.isEmpty() || !exists(dir))
            throw StoreError(QStringLiteral("%1: no Winnow project here (no %2)")
                                 .arg(directory, QString::fromLatin1(kDatabaseName)));
        return std::make_unique<Project>(Database(databaseFile(dir), mode), dir);
    });
}

Database &databaseOf(Project &project) {
    return project.m_db;
}

QString Project::absolutePath(const QString &storedPath) const {
    return QDir::isAbsolutePath(storedPath) ? storedPath : QDir(m_workFolder).filePath(storedPath);
}

QString Project::storedPath(const QString &absolutePath) const {
    // Files inside the project folder are stored relative to it, so the folder can move.
    if (isOnServer())
        return absolutePath;
    const QString relative = QDir(m_directory).relativeFilePath(absolutePath);
    return relative.startsWith(QLatin1String("..")) ? absolutePath : relative;
}

Result<std::vector<ClassInfo>> Project::classes() {
    return attempt([&] {
        std::vector<ClassInfo> result;
        Statement query(m_db, kSelectClasses);
        while (query.step())
            result.push_back(
                {query.int64(0), query.text(1), query.text(2), query.text(3), int(query.int64(4))});
        return result;
    });
}

Result<std::vector<AnnotatorInfo>> Project::annotators() {
    return attempt([&] {
        std::vector<AnnotatorInfo> result;
        Statement query(m_db, kSelectAnnotators);
        while (query.step())
            result.push_back({query.int64(0), query.text(1), query.text(2)});
        return result;
    });
}

Result<std::vector<BatchInfo>> Project::batches() {
    return attempt([&] {
        std::vector<BatchInfo> result;
        Statement query(m_db, kSelectBatches);
        while (query.step())
            result.push_back({query.int64(0), query.text(1), query.text(2), query.text(3),
                              query.text(4), query.int64(5), query.int64(6)});
        return result;
    });
}

qint64 Project::ensureClassUnlocked(const QString &name) {
    if (const auto it = m_classIds.constFind(name); it != m_classIds.constEnd())
        return *it;
    {
        Statement find(m_db, "SELECT id FROM classes WHERE name = ?");
        find.bind(1, name);
        if (find.step()) {
            const qint64 id = find.int64(0);
            m_classIds.insert(name, id);
            return id;
        }
    }
    qint64 position = 0;
    {
        Statement count(m_db, "SELECT COUNT(*) FROM classes");
        count.step();
        position = count.int64(0);
    }
    // The first key of 1-9, 0, a-z that no live class uses yet.
    QString shortcut;
    {
        QString used;
        Statement keys(m_db, "SELECT shortcut FROM classes WHERE retired_at IS NULL ORDER BY id");
        while (keys.step())
            used += keys.text(0);
        for (const QChar key : QString::fromLatin1(kShortcutOrder)) {
            if (!used.contains(key)) {
                shortcut = key;
                break;
            }
        }
    }
    Statement insert(m_db, kInsertClass);
    insert.bind(1, name)
        .bind(2, QString::fromLatin1(kPalette[size_t(position) % kPalette.size()]))
        .bind(3, shortcut)
        .bind(4, position)
        .bind(5, nowIso());
    const qint64 id = insert.insert();
    m_classIds.insert(name, id);
    return id;
}

Result<qint64> Project::ensureClass(const QString &name) {
    return attempt([&] {
        if (name.trimmed().isEmpty())
            throw StoreError(QStringLiteral("a class needs a name"));
        Transaction transaction(m_db);
        const qint64 id = ensureClassUnlocked(name.trimmed());
        transaction.commit();
        return id;
    });
}

Result<qint64> Project::ensureAnnotator(const QString &name, const QString &kind) {
    return attempt([&] {
        Transaction transaction(m_db);
        Statement find(m_db, kSelectAnnotatorByName);
        find.bind(1, name);
        if (find.step())
            return find.int64(0);
        Statement insert(m_db, kInsertAnnotator);
        insert.bind(1, name).bind(2, kind).bind(3, nowIso());
        const qint64 id = insert.insert();
        transaction.commit();
        return id;
    });
}

namespace {

void updateOne(Database &db, const char *sql, const QVariant &value, qint64 id,
               const QString &what) {
    Statement update(db, sql);
    if (value.isNull())
        update.bindNull(1);
    else
        update.bind(1, value.toString());
    update.bind(2, id);
    update.run();
    if (db.changes() != 1)
        throw StoreError(QStringLiteral("no %1 with id %2").arg(what).arg(id));
}

void requireUnusedName(Database &db, const char *sql, const QString &name, qint64 id,
                       const QString &what) {
    Statement taken(db, sql);
    taken.bind(1, name).bind(2, id);
    if (taken.step())
        throw StoreError(QStringLiteral("another %1 is already named '%2'").arg(what, name));
}

} // namespace

Result<void> Project::renameClass(qint64 classId, const QString &name) {
    return attempt([&] {
        const QString trimmed = name.trimmed();
        if (trimmed.isEmpty())
            throw StoreError(QStringLiteral("a class needs a name"));
        Transaction transaction(m_db);
        requireUnusedName(m_db, "SELECT 1 FROM classes WHERE name = ? AND id <> ?", trimmed,
                          classId, QStringLiteral("class"));
        updateOne(m_db, "UPDATE classes SET name = ? WHERE id = ?", trimmed, classId,
                  QStringLiteral("class"));
        transaction.commit();
        m_classIds.clear();
    });
}

Result<void> Project::setClassShortcut(qint64 classId, const QString &shortcut) {
    return attempt([&] {
        const QString key = shortcut.trimmed().toLower();
        if (key.size() > 1)
            throw StoreError(QStringLiteral("a shortcut is one key, not '%1'").arg(shortcut));
        Transaction transaction(m_db);
        if (!key.isEmpty()) {
            Statement taken(
                m_db,
                "SELECT name FROM classes WHERE shortcut = ? AND id <> ? AND retired_at IS NULL");
            taken.bind(1, key).bind(2, classId);
            if (taken.step())
                throw StoreError(
                    QStringLiteral("the key '%1' already labels '%2'").arg(key, taken.text(0)));
        }
        updateOne(m_db, "UPDATE classes SET shortcut = ? WHERE id = ?", key, classId,
                  QStringLiteral("class"));
        transaction.commit();
    });
}

Result<void> Project::setClassColor(qint64 classId, const QString &color) {
    return attempt([&] {
        updateOne(m_db, "UPDATE classes SET color = ? WHERE id = ?", color, classId,
                  QStringLiteral("class"));
    });
}

Result<void> Project::retireClass(qint64 classId) {
    return attempt([&] {
        m_classIds.clear();
        updateOne(m_db, "UPDATE classes SET retired_at = ?, shortcut = '' WHERE id = ?", nowIso(),
                  classId, QStringLiteral("class"));
    });
}

Result<void> Project::renameAnnotator(qint64 annotatorId, const QString &name) {
    return attempt([&] {
        const QString trimmed = name.trimmed();
        if (trimmed.isEmpty())
            throw StoreError(QStringLiteral("an annotator needs a name"));
        Transaction transaction(m_db);
        requireUnusedName(m_db, "SELECT 1 FROM annotators WHERE name = ? AND id <> ?", trimmed,
                          annotatorId, QStringLiteral("annotator"));
        updateOne(m_db, "UPDATE annotators SET name = ? WHERE id = ?", trimmed, annotatorId,
                  QStringLiteral("annotator"));
        transaction.commit();
    });
}

Result<void> Project::retireAnnotator(qint64 annotatorId) {
    return attempt([&] {
        updateOne(m_db, "UPDATE annotators SET retired_at = ? WHERE id = ?", nowIso(), annotatorId,
                  QStringLiteral("annotator"));
    });
}

Result<QHash<QString, qint64>> Project::ensureClasses(const QStringList &names) {
    return attempt([&] {
        QHash<QString, qint64> ids;
        Transaction transaction(m_db);
        for (const QString &name : names) {
            if (name.trimmed().isEmpty())
                throw StoreError(QStringLiteral("a class needs a name"));
            ids.insert(name, ensureClassUnlocked(name.trimmed()));
        }
        transaction.commit();
        return ids;
    });
}

Result<QHash<QString, qint64>> Project::ensureAnnotators(const QStringList &names,
                                                         const QString &kind) {
    return attempt([&] {
        QHash<QString, qint64> ids;
        Transaction transaction(m_db);
        Statement find(m_db, kSelectAnnotatorByName);
        Statement insert(m_db, kInsertAnnotator);
        const QString now = nowIso();
        for (const QString &name : names) {
            find.bind(1, name);
            if (find.step()) {
                ids.insert(name, find.int64(0));
                find.reset();
                continue;
            }
            find.reset();
            insert.bind(1, name).bind(2, kind).bind(3, now);
            ids.insert(name, insert.insert());
        }
        transaction.commit();
        return ids;
    });
}

Result<qint64> Project::createBatch(const QString &kind, const QString &source,
                                    std::optional<Split> split) {
    return attempt([&] {
        Statement insert(m_db, kInsertBatch);
        insert.bind(1, kind).bind(2, source).bind(4, nowIso());
        if (split)
            insert.bind(3, splitName(*split));
        return insert.insert();
    });
}

Result<void> Project::finishBatch(qint64 batchId, qint64 imported, qint64 skipped) {
    return attempt([&] {
        Statement update(m_db, kFinishBatch);
        update.bind(1, imported).bind(2, skipped).bind(3, batchId);
        update.run();
    });
}

Result<QHash<QString, qint64>> Project::itemIdsByPath() {
    return attempt([&] {
        QHash<QString, qint64> ids;
        Statement query(m_db, kSelectItemPaths);
        while (query.step())
            ids.insert(absolutePath(query.text(0)), query.int64(1));
        return ids;
    });
}

Result<qint64> Project::addItems(qint64 batchId, std::optional<Split> split,
                                 const std::vector<NewItem> &items, qint64 labelAnnotatorId) {
    return attempt([&] {
        Transaction transaction(m_db);
        Statement insertItem(m_db, kInsertItem);
        Statement insertThumbnail(m_db, kInsertThumbnail);
        AnswerLog answers(m_db, QStringLiteral("import"));
        const QString now = nowIso();
        const QString splitText = splitName(split.value_or(Split::Unassigned));
        qint64 added = 0;
        for (const NewItem &item : items) {
            insertItem.bind(1, storedPath(item.path))
                .bind(2, item.contentHash)
                .bind(3, item.pixelHash)
                .bind(4, qint64(item.perceptualHash))
                .bind(5, item.width)
                .bind(6, item.height)
                .bind(7, item.channels)
                .bind(8, splitText)
                .bind(9, batchId)
                .bind(10, now)
                .bind(11, qint64(item.mirroredHash));
            const qint64 itemId = insertItem.insert();
            if (itemId == 0)
                continue; // already in the project
            ++added;
            if (!item.thumbnail.isEmpty()) {
                insertThumbnail.bind(1, itemId)
                    .bind(2, item.thumbnailFormat)
                    .bind(3, item.thumbnail);
                insertThumbnail.run();
            }
            if (!item.label.isEmpty() && labelAnnotatorId > 0)
                answers.append({itemId, labelAnnotatorId, ensureClassUnlocked(item.label)}, now);
        }
        answers.flush();
        transaction.commit();
        return added;
    });
}

Result<qint64> Project::countItems(const ItemFilter &filter) {
    return attempt([&] {
        Statement query(m_db, kCountItems);
        query.bind(1, qint64(0));
        bindFilter(query, filter);
        query.step();
        return query.int64(0);
    });
}

Result<std::vector<ItemRecord>> Project::items(const ItemFilter &filter, qint64 afterId,
                                               int limit) {
    return attempt([&] {
        std::vector<ItemRecord> page;
        page.reserve(size_t(limit));
        Statement query(m_db, kSelectItemsPage);
        query.bind(1, afterId);
        bindFilter(query, filter);
        query.bind(6, limit);
        while (query.step()) {
            page.push_back({query.int64(0), absolutePath(query.text(1)), int(query.int64(2)),
                            int(query.int64(3)), int(query.int64(4)),
                            parseSplit(query.text(5)).value_or(Split::Unassigned), query.int64(6),
                            query.int64(7)});
        }
        return page;
    });
}

Result<QByteArray> Project::thumbnail(qint64 itemId) {
    return attempt([&] {
        Statement query(m_db, kSelectThumbnail);
        query.bind(1, itemId);
        return query.step() ? query.blob(0) : QByteArray();
    });
}

Result<QString> Project::itemPath(qint64 itemId) {
    return attempt([&] {
        Statement query(m_db, "SELECT path FROM items WHERE id = ?");
        query.bind(1, itemId);
        if (!query.step())
            throw StoreError(QStringLiteral("no item with id %1").arg(itemId));
        return absolutePath(query.text(0));
    });
}

Result<ProjectSummary> Project::summary() {
    return attempt([&] {
        ProjectSummary result;
        {
            Statement count(m_db, kCountAllItems);
            count.step();
            result.items = count.int64(0);
        }
        {
            Statement count(m_db, kCountLiveAnswers);
            count.step();
            result.answers = count.int64(0);
        }
        result.perSplit = countRows(m_db, kCountPerSplit);
        result.perClass = countRows(m_db, kCountPerClass);
        result.perAnnotator = countRows(m_db, kCountPerAnnotator);
        return result;
    });
}

Result<QString> Project::setting(const QString &key, const QString &fallback) {
    return attempt([&] {
        Statement query(m_db, kSelectSetting);
        query.bind(1, key);
        return query.step() ? query.text(0) : fallback;
    });
}

Result<void> Project::setSetting(const QString &key, const QString &value) {
    return attempt([&] {
        Statement upsert(m_db, kUpsertSetting);
        upsert.bind(1, key).bind(2, value);
        upsert.run();
    });
}

} // namespace winnow::core

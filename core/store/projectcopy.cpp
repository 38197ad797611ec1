#include "core/store/projectcopy.h"

#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>

namespace winnow::core {
namespace {

// Tables whose id the target's engine numbers: after a copy their numbering continues above the
// copied ids.
constexpr const char *kNumberedTables[] = {
    "classes",        "import_batches", "items", "annotators", "answers",
    "consolidations", "reviews",        "flags", "exclusions", "runs"};

qint64 countRows(Database &db, const QString &table) {
    Statement count(db, QStringLiteral("SELECT COUNT(*) FROM %1").arg(table).toUtf8().constData());
    count.step();
    return count.int64(0);
}

void continueNumbering(Database &db, const char *table) {
    if (db.backend() != Database::Backend::Postgres)
        return; // SQLite numbers from the largest id
    db.execute(QStringLiteral("SELECT setval(pg_get_serial_sequence('%1', 'id'),"
                              " COALESCE((SELECT MAX(id) FROM %1), 0) + 1, false)")
                   .arg(QString::fromLatin1(table)));
}

} // namespace

const std::vector<const char *> &projectTables() {
    static const std::vector<const char *> tables = {"classes",
                                                     "import_batches",
                                                     "items",
                                                     "thumbnails",
                                                     "image_copies",
                                                     "annotators",
                                                     "answers",
                                                     "item_progress",
                                                     "assignments",
                                                     "item_overlap",
                                                     "settings",
                                                     "consolidations",
                                                     "consolidated_labels",
                                                     "annotator_estimates",
                                                     "reviews",
                                                     "flags",
                                                     "exclusions",
                                                     "runs",
                                                     "run_items",
                                                     "run_epochs",
                                                     "run_selections",
                                                     "prediction_sets",
                                                     "predictions",
                                                     "autolabel_rounds",
                                                     "machine_labels",
                                                     "autolabeled_items",
                                                     "queue_priority",
                                                     "reference_labels"};
    return tables;
}

Result<CopySummary> copyProject(Project &source, Project &target, const ProgressFn &progress,
                                const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        Database &from = databaseOf(source);
        Database &to = databaseOf(target);
        if (from.schemaVersion() != to.schemaVersion())
            throw StoreError(QStringLiteral("%1 and %2 have different schema versions")
                                 .arg(source.directory(), target.directory()));
        for (const char *table : {"items", "classes", "annotators"})
            if (countRows(to, QString::fromLatin1(table)) > 0)
                throw StoreError(QStringLiteral("%1: not empty (it has %2): copy into a new "
                                                "project")
                                     .arg(target.directory(), QString::fromLatin1(table)));
        qint64 total = 0;
        for (const char *table : projectTables())
            total += countRows(from, QString::fromLatin1(table));

        CopySummary summary;
        Transaction transaction(to);
        for (const char *name : projectTables()) {
            const QString table = QString::fromLatin1(name);
            Statement rows(
                from,
                QStringLiteral("SELECT * FROM %1 ORDER BY 1").arg(table).toUtf8().constData());
            std::unique_ptr<Statement> insert;
            int pathColumn = -1;
            while (rows.step()) {
                if (!insert) {
                    QStringList columns, marks;
                    for (int c = 0; c < rows.columnCount(); ++c) {
                        columns << rows.columnName(c);
                        marks << QStringLiteral("?%1").arg(c + 1);
                        if (table == u"items" && rows.columnName(c) == u"path")
                            pathColumn = c;
                    }
                    insert = std::make_unique<Statement>(
                        to, QStringLiteral("INSERT INTO %1 (%2) VALUES (%3)")
                                .arg(table, columns.join(QStringLiteral(", ")),
                                     marks.join(QStringLiteral(", ")))
                                .toUtf8()
                                .constData());
                }
                for (int c = 0; c < rows.columnCount(); ++c) {
                    if (c == pathColumn)
                        insert->bind(c + 1, target.storedPath(source.absolutePath(rows.text(c))));
                    else
                        insert->bindValue(c + 1, rows, c);
                }
                insert->run();
                ++summary.rows;
                if (summary.rows % 4096 == 0) {
                    if (cancel && cancel->isCancelled()) {
                        summary.cancelled = true;
                        summary.seconds = timer.elapsed() / 1000.0;
                        return summary; // the transaction rolls back
                    }
                    if (progress)
                        progress(summary.rows, total, table);
                }
            }
            ++summary.tables;
        }
        for (const char *table : kNumberedTables)
            continueNumbering(to, table);
        transaction.commit();
        if (progress)
            progress(summary.rows, total, QStringLiteral("done"));
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

} // namespace winnow::core

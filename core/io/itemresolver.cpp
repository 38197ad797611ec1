#include "core/io/itemresolver.h"

#include "core/store/project.h"
#include "core/store/statement.h"

#include <QDir>

namespace winnow::core {
namespace {

constexpr auto kSelectItemsWithRoots =
    "SELECT i.id, i.path, b.kind, b.source FROM items i JOIN import_batches b ON b.id = i.batch_id"
    " ORDER BY i.id";

} // namespace

ItemResolver::ItemResolver(Project &project)
{
    Statement query(project.database(), kSelectItemsWithRoots);
    while (query.step()) {
        const qint64 id = query.int64(0);
        const QString stored = query.text(1);
        const QString absolute = project.absolutePath(stored);
        // Folder imports are named relative to the folder, IDX images relative to the project.
        const QString relative = query.text(2) == QLatin1String("folder")
                                     ? QDir(query.text(3)).relativeFilePath(absolute)
                                     : QDir(project.directory()).relativeFilePath(absolute);
        m_exact.insert(stored, id);
        m_exact.insert(absolute, id);
        m_names.insert(id, relative);
        qsizetype from = 0;
        for (;;) {
            const QString tail = relative.mid(from);
            auto it = m_tails.find(tail);
            if (it == m_tails.end())
                m_tails.insert(tail, id);
            else if (*it != id)
                *it = kAmbiguous;
            const qsizetype slash = relative.indexOf(u'/', from);
            if (slash < 0)
                break;
            from = slash + 1;
        }
    }
}

qint64 ItemResolver::find(const QString &name) const
{
    QString key = name.trimmed();
    if (const auto it = m_exact.constFind(key); it != m_exact.constEnd())
        return *it;
    if (key.startsWith(QLatin1String("file://")))
        key = key.mid(7);
    else if (const qsizetype scheme = key.indexOf(QLatin1String("://")); scheme > 0)
        key = key.mid(scheme + 3); // s3://bucket/key: the bucket is the first segment
    while (key.startsWith(QLatin1String("./")))
        key = key.mid(2);
    // The longest tail of the name that names an item decides.
    qsizetype from = 0;
    for (;;) {
        if (const auto it = m_tails.constFind(key.mid(from)); it != m_tails.constEnd())
            return *it;
        const qsizetype slash = key.indexOf(u'/', from);
        if (slash < 0)
            return 0;
        from = slash + 1;
    }
}

QString ItemResolver::exportName(qint64 itemId) const
{
    return m_names.value(itemId);
}

} // namespace winnow::core

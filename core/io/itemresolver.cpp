#include "core/io/itemresolver.h"

#include "core/store/itemrepository.h"
#include "core/store/project.h"

#include <QDir>
#include <QFileInfo>

namespace winnow::core {

ItemResolver::ItemResolver(Project &project) {
    for (const ItemRepository::Origin &origin : ItemRepository(project).origins()) {
        const qint64 id = origin.id;
        const QString &stored = origin.storedPath;
        const QString absolute = project.absolutePath(stored);
        // Folder imports are named relative to the folder, IDX images relative to the project;
        // the tails start one level up, so the import folder's own name can tell two apart.
        const QString root = origin.importKind == QLatin1String("folder") ? origin.importSource
                                                                          : project.workFolder();
        const QString relative = QDir(root).relativeFilePath(absolute);
        const QString rooted = QFileInfo(root).fileName() + u'/' + relative;
        m_exact.insert(stored, id);
        m_exact.insert(absolute, id);
        m_names.insert(id, {relative, rooted});
        qsizetype from = 0;
        for (;;) {
            const QString tail = rooted.mid(from);
            auto it = m_tails.find(tail);
            if (it == m_tails.end())
                m_tails.insert(tail, id);
            else if (*it != id)
                *it = kAmbiguous;
            const qsizetype slash = rooted.indexOf(u'/', from);
            if (slash < 0)
                break;
            from = slash + 1;
        }
    }
}

qint64 ItemResolver::find(const QString &name) const {
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

QString ItemResolver::exportName(qint64 itemId) const {
    // Relative to the import folder, unless another item has that path under another folder.
    const auto names = m_names.value(itemId);
    return m_tails.value(names.first) == itemId ? names.first : names.second;
}

} // namespace winnow::core

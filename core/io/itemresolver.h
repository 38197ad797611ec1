#pragma once

#include <QHash>
#include <QString>
#include <utility>

namespace winnow::core {

class Project;

// Finds a project item from how an answer file names it: its stored or absolute path, its path
// relative to the folder it was imported from (or any shorter tail of it), an s3:// or file://
// URI ending in such a path, or its file name when that is unique.
class ItemResolver {
public:
    // Throws StoreError.
    explicit ItemResolver(Project &project);

    // The item id, or 0 when unknown, or -1 when the name fits several items.
    qint64 find(const QString &name) const;
    // The path other tools will know the item by: relative to its import folder.
    QString exportName(qint64 itemId) const;

    static constexpr qint64 kAmbiguous = -1;

private:
    QHash<QString, qint64> m_exact;
    QHash<QString, qint64> m_tails; // every tail of a relative path; kAmbiguous when shared
    QHash<qint64, std::pair<QString, QString>>
        m_names; // relative to the import folder; with its name
};

} // namespace winnow::core

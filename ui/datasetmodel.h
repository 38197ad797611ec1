#pragma once

#include "core/store/project.h"

#include <QAbstractListModel>
#include <QHash>
#include <optional>
#include <vector>

namespace winnow::ui {

// The project's items as a flat list, paged from SQLite in id order (keyset pagination):
// rows arrive through fetchMore as the view scrolls, so a large project opens at once.
class DatasetModel final : public QAbstractListModel {
    Q_OBJECT
public:
    enum Role {
        ItemIdRole = Qt::UserRole + 1,
        PathRole,
        ClassIdRole,
        ClassNameRole,
        ClassColorRole,
        SplitRole,
        SizeRole,
    };
    static constexpr int kPageSize = 1024;

    explicit DatasetModel(QObject *parent = nullptr);

    // The model reads through `project` (owned by the caller, GUI thread); nullptr clears it.
    void setProject(core::Project *project);
    void setFilter(const core::ItemFilter &filter);
    const core::ItemFilter &filter() const { return m_filter; }
    // Re-reads classes and items, e.g. after an import.
    void reload();

    // Loads every remaining page now (before selecting everything in the filter).
    void fetchAll();
    // Re-reads the labels of the rows already loaded (after answers were added).
    void refreshLabels();

    // Items matching the filter, including rows not fetched yet.
    qint64 totalCount() const { return m_total; }
    const core::ItemRecord *record(int row) const;
    // The row of an item (fetching pages up to it); -1 when the filter leaves it out.
    int rowOfItem(qint64 itemId);
    QString className(qint64 classId) const;

    int rowCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    bool canFetchMore(const QModelIndex &parent) const override;
    void fetchMore(const QModelIndex &parent) override;

Q_SIGNALS:
    void loadFailed(const QString &message);

private:
    std::optional<std::vector<core::ItemRecord>> loadPage();
    void appendPage();

    core::Project *m_project = nullptr;
    core::ItemFilter m_filter;
    std::vector<core::ItemRecord> m_rows;
    QHash<qint64, core::ClassInfo> m_classes;
    qint64 m_total = 0;
    bool m_atEnd = true;
    bool m_fetchQueued = false;
};

} // namespace winnow::ui

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
        MachineRole, // the label is a machine label (automated labeling), not a person's
    };
    static constexpr int kPageSize = 1024;

    explicit DatasetModel(QObject *parent = nullptr);

    // The model reads through `project` (owned by the caller, GUI thread); nullptr clears it.
    void setProject(core::Project *project);
    void setFilter(const core::ItemFilter &filter);
    const core::ItemFilter &filter() const { return m_filter; }
    // Re-reads classes and items, e.g. after an import.
    void reload();
    // Whether items without an answer show their machine label (not for annotators, who may
    // not read what the model said).
    void setMachineLabelsShown(bool shown) { m_machineShown = shown; }

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
    void loadMachineLabels();
    // The class shown: the item's answer, else its machine label.
    qint64 shownClass(const core::ItemRecord &item) const;
    void appendPage();

    core::Project *m_project = nullptr;
    core::ItemFilter m_filter;
    std::vector<core::ItemRecord> m_rows;
    QHash<qint64, core::ClassInfo> m_classes;
    QHash<qint64, qint64> m_machine; // item -> class of its live machine label
    bool m_machineShown = true;
    qint64 m_total = 0;
    bool m_atEnd = true;
    bool m_fetchQueued = false;
};

} // namespace winnow::ui

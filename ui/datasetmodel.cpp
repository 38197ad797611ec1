#include "ui/datasetmodel.h"

#include "core/store/predictionrepository.h"

#include <QColor>
#include <QFileInfo>
#include <QSize>

namespace winnow::ui {

DatasetModel::DatasetModel(QObject *parent)
    : QAbstractListModel(parent) {
}

void DatasetModel::setProject(core::Project *project) {
    m_project = project;
    m_filter = {};
    reload();
}

void DatasetModel::setFilter(const core::ItemFilter &filter) {
    m_filter = filter;
    reload();
}

void DatasetModel::reload() {
    beginResetModel();
    m_rows.clear();
    m_classes.clear();
    m_total = 0;
    m_atEnd = m_project == nullptr;
    m_fetchQueued = false;
    if (m_project) {
        if (const auto classes = m_project->classes()) {
            for (const core::ClassInfo &info : *classes)
                m_classes.insert(info.id, info);
        }
        loadMachineLabels();
        const auto total = m_project->countItems(m_filter);
        if (total)
            m_total = *total;
        else
            Q_EMIT loadFailed(total.error().message);
        // The first page comes with the reset, so the first screen does not wait for a fetch.
        if (auto page = loadPage())
            m_rows = std::move(*page);
    }
    endResetModel();
}

std::optional<std::vector<core::ItemRecord>> DatasetModel::loadPage() {
    const qint64 after = m_rows.empty() ? 0 : m_rows.back().id;
    auto page = m_project->items(m_filter, after, kPageSize);
    if (!page) {
        m_atEnd = true;
        Q_EMIT loadFailed(page.error().message);
        return std::nullopt;
    }
    m_atEnd = int(page->size()) < kPageSize;
    return std::move(page).value();
}

const core::ItemRecord *DatasetModel::record(int row) const {
    return row >= 0 && row < int(m_rows.size()) ? &m_rows[size_t(row)] : nullptr;
}

QString DatasetModel::className(qint64 classId) const {
    const auto it = m_classes.constFind(classId);
    return it == m_classes.constEnd() ? QString() : it->name;
}

void DatasetModel::loadMachineLabels() {
    m_machine.clear();
    if (!m_project || !m_machineShown)
        return;
    if (auto labels = core::attempt(
            [&] { return core::PredictionRepository(*m_project).liveMachineLabels(); }))
        m_machine = std::move(labels).value();
}

qint64 DatasetModel::shownClass(const core::ItemRecord &item) const {
    return item.classId ? item.classId : m_machine.value(item.id, 0);
}

int DatasetModel::rowCount(const QModelIndex &parent) const {
    return parent.isValid() ? 0 : int(m_rows.size());
}

QVariant DatasetModel::data(const QModelIndex &index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const core::ItemRecord &item = m_rows[size_t(index.row())];
    switch (role) {
    case Qt::DisplayRole:
        return QFileInfo(item.path).fileName();
    case Qt::ToolTipRole:
        return tr("%1\n%2 x %3, %4 channel(s)\nsplit: %5\nlabel: %6")
            .arg(item.path)
            .arg(item.width)
            .arg(item.height)
            .arg(item.channels)
            .arg(core::splitName(item.split),
                 item.classId ? className(item.classId)
                 : m_machine.contains(item.id)
                     ? tr("%1 (machine label)").arg(className(m_machine.value(item.id)))
                     : tr("(none)"));
    case ItemIdRole:
        return item.id;
    case PathRole:
        return item.path;
    case ClassIdRole:
        return shownClass(item);
    case ClassNameRole:
        return item.classId || !m_machine.contains(item.id)
                   ? className(shownClass(item))
                   : tr("%1 (machine)").arg(className(shownClass(item)));
    case MachineRole:
        return item.classId == 0 && m_machine.contains(item.id);
    case ClassColorRole: {
        const auto it = m_classes.constFind(shownClass(item));
        return it == m_classes.constEnd() ? QVariant() : QVariant(QColor(it->color));
    }
    case SplitRole:
        return core::splitName(item.split);
    case SizeRole:
        return QSize(item.width, item.height);
    default:
        return {};
    }
}

int DatasetModel::rowOfItem(qint64 itemId) {
    // Rows come in id order: load pages now until the item's id is reached.
    while ((m_rows.empty() || m_rows.back().id < itemId) && !m_atEnd && m_project) {
        m_fetchQueued = true;
        const int before = rowCount();
        appendPage();
        if (rowCount() == before)
            break;
    }
    const auto at =
        std::lower_bound(m_rows.begin(), m_rows.end(), itemId,
                         [](const core::ItemRecord &r, qint64 id) { return r.id < id; });
    return at != m_rows.end() && at->id == itemId ? int(at - m_rows.begin()) : -1;
}

void DatasetModel::fetchAll() {
    m_fetchQueued = false;
    while (!m_atEnd && m_project) {
        m_fetchQueued = true;
        const int before = rowCount();
        appendPage();
        if (rowCount() == before)
            break;
    }
}

void DatasetModel::refreshLabels() {
    if (!m_project || m_rows.empty())
        return;
    if (m_filter.classId) {
        reload(); // rows may have left or joined the class
        return;
    }
    auto fresh = m_project->items(m_filter, 0, int(m_rows.size()));
    if (!fresh || fresh->size() != m_rows.size()) {
        reload();
        return;
    }
    loadMachineLabels();
    for (size_t i = 0; i < m_rows.size(); ++i)
        m_rows[i].classId = (*fresh)[i].classId;
    Q_EMIT dataChanged(index(0), index(rowCount() - 1),
                       {ClassIdRole, ClassNameRole, ClassColorRole, Qt::ToolTipRole, MachineRole});
}

bool DatasetModel::canFetchMore(const QModelIndex &parent) const {
    return !parent.isValid() && !m_atEnd && !m_fetchQueued;
}

void DatasetModel::fetchMore(const QModelIndex &parent) {
    if (!canFetchMore(parent) || !m_project)
        return;
    // Rows are appended from the event loop, never from inside whatever signal asked for them
    // (views ask while handling a reset or a scroll).
    m_fetchQueued = true;
    QMetaObject::invokeMethod(this, &DatasetModel::appendPage, Qt::QueuedConnection);
}

void DatasetModel::appendPage() {
    if (!m_fetchQueued || !m_project)
        return;
    m_fetchQueued = false;
    auto page = loadPage();
    if (!page || page->empty())
        return;
    const int first = int(m_rows.size());
    beginInsertRows({}, first, first + int(page->size()) - 1);
    m_rows.insert(m_rows.end(), std::make_move_iterator(page->begin()),
                  std::make_move_iterator(page->end()));
    endInsertRows();
}

} // namespace winnow::ui

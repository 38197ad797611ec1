#include "ui/recentprojects.h"

#include <QFileInfo>
#include <QListWidget>
#include <QMenu>
#include <QSettings>

namespace winnow::ui {
namespace {

constexpr auto kSettingsKey = "recentProjects";

} // namespace

RecentProjects::RecentProjects(QMenu *menu, QListWidget *list, QObject *parent)
    : QObject(parent)
    , m_menu(menu)
    , m_list(list) {
    connect(m_list, &QListWidget::itemActivated, this, [this](QListWidgetItem *item) {
        Q_EMIT openRequested(item->data(Qt::UserRole).toString());
    });
    refresh();
}

QStringList RecentProjects::directories() {
    return QSettings().value(QLatin1String(kSettingsKey)).toStringList();
}

void RecentProjects::remember(const QString &directory) {
    QStringList recent = directories();
    recent.removeAll(directory);
    recent.prepend(directory);
    while (recent.size() > kMaxRemembered)
        recent.removeLast();
    QSettings().setValue(QLatin1String(kSettingsKey), recent);
    refresh();
}

void RecentProjects::refresh() {
    m_menu->clear();
    m_list->clear();
    const QStringList recent = directories();
    for (const QString &dir : recent) {
        m_menu->addAction(dir, this, [this, dir] { Q_EMIT openRequested(dir); });
        auto *item = new QListWidgetItem(
            QStringLiteral("%1 — %2").arg(QFileInfo(dir).fileName(), dir), m_list);
        item->setData(Qt::UserRole, dir);
    }
    m_menu->setEnabled(!recent.isEmpty());
}

} // namespace winnow::ui

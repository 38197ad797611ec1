#pragma once

#include <QObject>
#include <QStringList>

class QListWidget;
class QMenu;

namespace winnow::ui {

// The projects opened lately, newest first, remembered per machine (QSettings), shown in the
// File menu and on the welcome page; choosing one asks to open it.
class RecentProjects final : public QObject {
    Q_OBJECT

public:
    static constexpr int kMaxRemembered = 8;

    RecentProjects(QMenu *menu, QListWidget *list, QObject *parent = nullptr);

    static QStringList directories();
    void remember(const QString &directory);
    void refresh();

Q_SIGNALS:
    void openRequested(const QString &directory);

private:
    QMenu *m_menu;
    QListWidget *m_list;
};

} // namespace winnow::ui

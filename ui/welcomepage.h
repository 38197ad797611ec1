#pragma once

#include <QWidget>

class QLabel;
class QListWidget;
class QProcess;
class QPushButton;

namespace winnow::ui {

// What the window shows with no project open, and on the first start: the demo project (made on
// first use from Debian's Fashion-MNIST package), a new or existing folder, a team project on a
// server, and the recent projects.
class WelcomePage final : public QWidget {
    Q_OBJECT

public:
    explicit WelcomePage(QWidget *parent = nullptr);

    QListWidget *recentList() const { return m_recent; }
    // Where the demo project lives: the same folder `make run` uses.
    static QString demoDirectory();
    // Opens the demo, making it first when it is not there yet (winnow-cli demo, in a process;
    // the page says how far it got and Esc or Cancel stops it).
    void openDemo();

protected:
    void showEvent(QShowEvent *event) override;

Q_SIGNALS:
    void newProjectRequested();
    void openProjectRequested();
    void openTeamProjectRequested();
    void openRequested(const QString &directory);

private:
    QPushButton *m_demo = nullptr;
    QLabel *m_demoStatus = nullptr;
    QLabel *m_recentTitle = nullptr;
    QListWidget *m_recent = nullptr;
    QProcess *m_making = nullptr;
};

} // namespace winnow::ui

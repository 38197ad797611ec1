#include "ui/welcomepage.h"

#include "core/store/project.h"
#include "ui/trainingprocess.h"

#include <QDir>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QMessageBox>
#include <QProcess>
#include <QPushButton>
#include <QStandardPaths>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

QPushButton *bigButton(const QString &text, const QString &tip, const char *name) {
    auto *button = new QPushButton(text);
    button->setObjectName(QLatin1String(name));
    button->setToolTip(tip);
    button->setMinimumSize(200, 48);
    return button;
}

} // namespace

WelcomePage::WelcomePage(QWidget *parent)
    : QWidget(parent) {
    setObjectName(QStringLiteral("welcome"));
    auto *layout = new QVBoxLayout(this);
    layout->addStretch();
    auto *title = new QLabel(
        tr("<h1>Winnow</h1><p>Label images with a team, consolidate the answers, curate the "
           "dataset and train on the part that matters.</p><p>Start with the demo, or with "
           "a folder of your own.</p>"));
    title->setAlignment(Qt::AlignCenter);
    title->setWordWrap(true);
    layout->addWidget(title);

    auto *buttons = new QHBoxLayout;
    buttons->addStretch();
    m_demo = bigButton(tr("Open the &Demo Project"),
                       tr("Fashion-MNIST with five simulated annotators: 6,000 training and "
                          "1,000 test images, made on first use"),
                       "openDemo");
    auto *create =
        bigButton(tr("&New Project…"),
                  tr("Create an empty project in a new or empty folder (Ctrl+N)"), "newProject");
    auto *open = bigButton(tr("&Open Project…"), tr("Open an existing project folder (Ctrl+O)"),
                           "openProject");
    auto *team = bigButton(tr("Open &Team Project…"),
                           tr("Join a project a team shares on a PostgreSQL server "
                              "(Ctrl+Shift+O)"),
                           "openTeamProject");
    for (QPushButton *button : {m_demo, create, open, team})
        buttons->addWidget(button);
    buttons->addStretch();
    layout->addLayout(buttons);
    connect(m_demo, &QPushButton::clicked, this, &WelcomePage::openDemo);
    connect(create, &QPushButton::clicked, this, &WelcomePage::newProjectRequested);
    connect(open, &QPushButton::clicked, this, &WelcomePage::openProjectRequested);
    connect(team, &QPushButton::clicked, this, &WelcomePage::openTeamProjectRequested);

    m_demoStatus = new QLabel;
    m_demoStatus->setObjectName(QStringLiteral("demoStatus"));
    m_demoStatus->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_demoStatus);

    auto *hint = new QLabel(tr("Help › User Guide (F1) walks through the workflow; "
                               "Help › Keyboard Shortcuts (Ctrl+/) lists every key."));
    hint->setAlignment(Qt::AlignCenter);
    hint->setEnabled(false);
    layout->addWidget(hint);

    m_recentTitle = new QLabel(tr("<b>Recent projects</b>"));
    m_recentTitle->setAlignment(Qt::AlignCenter);
    layout->addWidget(m_recentTitle);
    m_recent = new QListWidget;
    m_recent->setMinimumWidth(560);
    m_recent->setMaximumWidth(640);
    m_recent->setMaximumHeight(180);
    m_recent->setToolTip(tr("Enter or double-click to open"));
    layout->addWidget(m_recent, 0, Qt::AlignHCenter);
    layout->addStretch();
}

void WelcomePage::showEvent(QShowEvent *event) {
    QWidget::showEvent(event);
    // The first start has no recent projects: no empty box.
    m_recentTitle->setVisible(m_recent->count() > 0);
    m_recent->setVisible(m_recent->count() > 0);
}

QString WelcomePage::demoDirectory() {
    return QDir(QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation))
        .filePath(QStringLiteral("winnow/demo-fashion-mnist"));
}

void WelcomePage::openDemo() {
    const QString dir = demoDirectory();
    if (core::Project::exists(dir)) {
        Q_EMIT openRequested(dir);
        return;
    }
    if (m_making)
        return;
    m_making = new QProcess(this);
    m_making->setProcessChannelMode(QProcess::MergedChannels);
    m_demo->setEnabled(false);
    m_demoStatus->setText(tr("Making the demo project in %1…").arg(dir));
    connect(m_making, &QProcess::finished, this, [this, dir](int code, QProcess::ExitStatus) {
        const QString output = QString::fromUtf8(m_making->readAll()).trimmed();
        m_making->deleteLater();
        m_making = nullptr;
        m_demo->setEnabled(true);
        m_demoStatus->clear();
        if (code == 0 && core::Project::exists(dir)) {
            Q_EMIT openRequested(dir);
            return;
        }
        QDir(dir).removeRecursively(); // a half-made demo is made again next time
        QMessageBox::warning(
            this, tr("No demo project"),
            tr("The demo could not be made in %1:\n%2").arg(dir, output.section(u'\n', -1)));
    });
    connect(m_making, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error != QProcess::FailedToStart)
            return;
        m_making->deleteLater();
        m_making = nullptr;
        m_demo->setEnabled(true);
        m_demoStatus->clear();
        QMessageBox::warning(this, tr("No demo project"),
                             tr("winnow-cli was not found beside this program or on the PATH."));
    });
    QDir().mkpath(QFileInfo(dir).path());
    m_making->start(TrainingProcess::defaultCliPath(), {QStringLiteral("demo"), dir});
}

} // namespace winnow::ui

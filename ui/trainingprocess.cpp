#include "ui/trainingprocess.h"

#include "core/train/runprotocol.h"

#include <QCoreApplication>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>

namespace winnow::ui {

TrainingProcess::TrainingProcess(QObject *parent)
    : QObject(parent) {
}

TrainingProcess::~TrainingProcess() {
    if (m_process) {
        m_process->disconnect(this);
        m_process->terminate();
        if (!m_process->waitForFinished(30000))
            m_process->kill();
    }
}

void TrainingProcess::start(const QString &projectDirectory, std::vector<core::TrainOptions> plan) {
    m_directory = projectDirectory;
    m_cancelled = false;
    m_total = int(plan.size());
    m_pending = std::move(plan);
    startNext();
}

void TrainingProcess::resume(const QString &projectDirectory, qint64 runId) {
    m_directory = projectDirectory;
    m_cancelled = false;
    m_total = 1;
    m_pending.clear();
    launch({QStringLiteral("train"), projectDirectory, QStringLiteral("--resume"),
            QString::number(runId), QStringLiteral("--json")});
}

void TrainingProcess::runCommand(const QString &projectDirectory, const QStringList &arguments) {
    m_directory = projectDirectory;
    m_cancelled = false;
    m_total = 1;
    m_pending.clear();
    launch(arguments);
}

void TrainingProcess::cancel() {
    if (!m_process)
        return;
    m_cancelled = true;
    m_pending.clear();
    m_process->terminate(); // SIGTERM: winnow-cli stops between mini-batches
}

void TrainingProcess::startNext() {
    const core::TrainOptions next = m_pending.front();
    m_pending.erase(m_pending.begin());
    launch(QStringList{QStringLiteral("train"), m_directory} + core::trainArguments(next));
}

QString TrainingProcess::defaultCliPath() {
    const QString beside = QCoreApplication::applicationDirPath() + QStringLiteral("/winnow-cli");
    return QFileInfo::exists(beside) ? beside
                                     : QStandardPaths::findExecutable(QStringLiteral("winnow-cli"));
}

void TrainingProcess::launch(const QStringList &arguments) {
    if (m_cliPath.isEmpty())
        m_cliPath = defaultCliPath();
    m_errors.clear();
    m_process = new QProcess(this);
    connect(m_process, &QProcess::readyReadStandardOutput, this, &TrainingProcess::readOutput);
    connect(m_process, &QProcess::readyReadStandardError, this, [this] {
        const QString text = QString::fromUtf8(m_process->readAllStandardError());
        m_errors += text;
        const QStringList lines = text.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        if (!lines.isEmpty())
            Q_EMIT message(lines.last().trimmed());
    });
    connect(m_process, &QProcess::finished, this,
            [this](int exitCode) { processFinished(exitCode); });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            m_errors = tr("cannot start %1: %2")
                           .arg(m_cliPath.isEmpty() ? QStringLiteral("winnow-cli") : m_cliPath,
                                m_process->errorString());
            processFinished(-1);
        }
    });
    m_process->start(m_cliPath, arguments);
}

void TrainingProcess::readOutput() {
    while (m_process && m_process->canReadLine()) {
        const core::RunEvent event = core::parseRunEvent(m_process->readLine());
        switch (event.kind) {
        case core::RunEvent::Kind::Progress:
            Q_EMIT progress(event.done, event.total, event.stage);
            break;
        case core::RunEvent::Kind::Epoch:
            Q_EMIT epochDone(event.runId, event.metrics);
            break;
        case core::RunEvent::Kind::Started:
            Q_EMIT runStarted(event.runId);
            break;
        case core::RunEvent::Kind::Other:
            break;
        }
    }
}

void TrainingProcess::processFinished(int exitCode) {
    if (!m_process)
        return;
    readOutput();
    m_process->deleteLater();
    m_process = nullptr;
    if (!m_cancelled && exitCode == 0 && !m_pending.empty()) {
        startNext();
        return;
    }
    QString error;
    if (!m_cancelled && exitCode != 0) {
        const QStringList lines = m_errors.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        error = lines.isEmpty() ? tr("training stopped with exit code %1").arg(exitCode)
                                : lines.last().trimmed();
        if (error.startsWith(QLatin1String("error: ")))
            error = error.mid(7);
    }
    m_pending.clear();
    Q_EMIT finished(error);
}

} // namespace winnow::ui

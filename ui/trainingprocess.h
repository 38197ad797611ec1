#pragma once

#include "core/train/runs.h"

#include <QObject>
#include <QString>
#include <vector>

class QProcess;

namespace winnow::ui {

// Runs a plan of training runs, one `winnow-cli train --json` process after another: the GUI
// stays responsive, a crash in native training code cannot take the labeling work down with it,
// and the memory is returned after every run. Cancelling stops between mini-batches (SIGTERM);
// the run stays resumable.
class TrainingProcess final : public QObject {
    Q_OBJECT

public:
    explicit TrainingProcess(QObject *parent = nullptr);
    ~TrainingProcess() override;

    // The winnow-cli that trains; by default the one beside this executable, else on the PATH.
    void setCliPath(const QString &path) { m_cliPath = path; }
    // winnow-cli beside this program, else the one on the PATH (empty when there is none).
    static QString defaultCliPath();
    bool isRunning() const { return m_process != nullptr; }
    bool wasCancelled() const { return m_cancelled; }
    int total() const { return m_total; }
    int current() const { return m_total - int(m_pending.size()); } // from 1

    void start(const QString &projectDirectory, std::vector<core::TrainOptions> plan);
    void resume(const QString &projectDirectory, qint64 runId);
    // Any other command that trains runs in one process (tune): `winnow-cli ARGUMENTS`.
    void runCommand(const QString &projectDirectory, const QStringList &arguments);
    void cancel();

Q_SIGNALS:
    void runStarted(qint64 runId);
    void progress(qint64 done, qint64 total, const QString &stage);
    void epochDone(qint64 runId, const core::EpochMetrics &metrics);
    void message(const QString &line); // the last line the process wrote to standard error
    // The plan ended: every run finished, it was cancelled (empty error), or a run failed.
    void finished(const QString &error);

private:
    void launch(const QStringList &arguments);
    void startNext();
    void readOutput();
    void processFinished(int exitCode);

    QString m_cliPath;
    QString m_directory;
    QProcess *m_process = nullptr;
    std::vector<core::TrainOptions> m_pending; // runs still to start after the current one
    int m_total = 0;
    bool m_cancelled = false;
    QString m_errors; // the current process's standard error
};

} // namespace winnow::ui

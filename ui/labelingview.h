#pragma once

#include "core/label/labelingsession.h"
#include "core/store/project.h"

#include <QElapsedTimer>
#include <QFuture>
#include <QHash>
#include <QImage>
#include <QWidget>
#include <deque>
#include <memory>

class QLabel;
class QTimer;
class QPushButton;
class QSpinBox;
class QTextBrowser;
class QVBoxLayout;

namespace winnow::ui {

class ImageView;

// Where an annotator spends the day: one large image, one key per class that records the
// answer and shows the next image at once (the next images are decoded ahead), Backspace or
// Ctrl+Z to undo, Space to skip. Blind: it never shows other annotators' answers.
class LabelingView final : public QWidget {
    Q_OBJECT
public:
    static constexpr int kClaimBatch = 25;
    static constexpr int kMaxImageSide = 2048;

    explicit LabelingView(QWidget *parent = nullptr);
    ~LabelingView() override;

    // Starts labeling `project` (owned by the caller, GUI thread) as `annotatorId`; 0 stops.
    void start(core::Project *project, qint64 annotatorId);
    void stop();
    // The overlap and the instructions belong to the project's owner.
    void setMayEditProject(bool may);
    // Re-reads classes and instructions (after they were edited).
    void reloadClasses();
    // How many images are decoded ahead of the one shown (Preferences).
    void setPrefetch(int images) { m_prefetch = std::max(1, images); }

    qint64 currentItemId() const { return m_current ? m_current->itemId : 0; }
    // Answers given while the server was unreachable, not saved yet (they are retried).
    int unsavedAnswers() const { return int(m_unsaved.size()); }
    const core::LabelingStats &stats() const { return m_stats; }
    ImageView *imageView() const { return m_imageView; }
    QString lastSavedText() const;

    // The same as pressing the class's key.
    void answerCurrent(qint64 classId);
    void undo();
    void skip();

Q_SIGNALS:
    void answerSaved(qint64 itemId, qint64 classId);
    void imageShown(qint64 itemId);
    void failed(const QString &message);

protected:
    void keyPressEvent(QKeyEvent *event) override;
    void showEvent(QShowEvent *event) override;

private:
    void buildClassPanel();
    void showNext();
    void showEntry(const core::QueueEntry &entry);
    void refill();
    void prefetch();
    QFuture<QImage> decode(const core::QueueEntry &entry);
    void updateProgress();
    void refreshStats();
    void editInstructions();
    void keepUnsaved(qint64 itemId, qint64 classId, qint64 durationMs, const QString &path);
    void retryUnsaved();
    void showUnsaved(const QString &reason);
    QString className(qint64 classId) const;

    core::Project *m_project = nullptr;
    std::unique_ptr<core::LabelingSession> m_session;
    std::vector<core::ClassInfo> m_classes;
    std::deque<core::QueueEntry> m_queue;
    std::optional<core::QueueEntry> m_current;
    QHash<qint64, QFuture<QImage>> m_decoded;
    core::LabelingStats m_stats;
    QElapsedTimer m_shownFor;
    bool m_refilling = false;
    int m_prefetch = 4; // images decoded ahead
    struct Unsaved {
        qint64 itemId = 0;
        qint64 classId = 0;
        qint64 durationMs = -1;
        QString path;
    };
    std::deque<Unsaved> m_unsaved; // in the order given; saved in that order
    QTimer *m_retry = nullptr;

    ImageView *m_imageView = nullptr;
    QLabel *m_progress = nullptr;
    QLabel *m_saved = nullptr;
    QSpinBox *m_wanted = nullptr;
    QString m_wantedTip;
    QPushButton *m_editInstructions = nullptr;
    QTextBrowser *m_instructions = nullptr;
    QWidget *m_classPanel = nullptr;
    QVBoxLayout *m_classLayout = nullptr;
};

} // namespace winnow::ui

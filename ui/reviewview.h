#pragma once

#include "core/consensus/consolidation.h"
#include "core/consensus/review.h"
#include "core/store/project.h"

#include <QFutureWatcher>
#include <QImage>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace winnow::ui {

class ImageView;

// The review queue: the items of a consolidation, least confident (or most disputed) first.
// Beside the image: every annotator's answer with that annotator's estimated accuracy, the
// consolidated label and its confidence, and what the other methods say. Enter accepts, a
// class key overrides (with the note typed in the note field), M sends the item back for more
// answers.
class Job;

class ReviewView final : public QWidget {
    Q_OBJECT
public:
    explicit ReviewView(QWidget *parent = nullptr);
    // The method the Consolidate button uses (Preferences).
    void setMethod(const QString &method);
    ~ReviewView() override;

    void setProject(core::Project *project, qint64 reviewerId);
    // Re-reads consolidations and the queue (after a consolidation finished).
    void reload();
    // Re-reads the answers of the item under review (others may have answered meanwhile).
    void refreshAnswers();
    // Runs a consolidation method over the project in the background.
    void consolidate(const QString &method);
    // Marks the consolidation under review as the one training takes its labels from.
    void markCurrent();

    qint64 consolidationId() const;
    qint64 currentItemId() const;
    int queueSize() const;
    QTableWidget *queue() const { return m_queue; }

Q_SIGNALS:
    void decided(qint64 itemId, const QString &decision);
    void consolidated(const winnow::core::ConsolidationInfo &info);
    void failed(const QString &message);
    void trainingLabelsChanged();

protected:
    void keyPressEvent(QKeyEvent *event) override;
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    void loadQueue();
    void showCurrent();
    // The consolidated label, every answer and the other methods' opinions of the current item.
    void showDetails();
    void decide(core::ReviewDecision decision, std::optional<qint64> classId);
    bool handleKey(QKeyEvent *event);
    QString className(qint64 classId) const;

    core::Project *m_project = nullptr;
    qint64 m_reviewerId = 0;
    std::vector<core::ClassInfo> m_classes;
    std::vector<core::ReviewRow> m_rows;
    Job *m_consolidation = nullptr;
    core::ConsolidationInfo m_consolidated; // written by the job, read when it finished
    QFutureWatcher<QImage> m_image;

    QComboBox *m_method = nullptr;
    QPushButton *m_run = nullptr;
    QComboBox *m_consolidations = nullptr;
    QPushButton *m_useForTraining = nullptr;
    QComboBox *m_order = nullptr;
    QComboBox *m_classFilter = nullptr;
    QDoubleSpinBox *m_minConfidence = nullptr;
    QDoubleSpinBox *m_maxConfidence = nullptr;
    QCheckBox *m_disagreement = nullptr;
    QCheckBox *m_modelDisagrees = nullptr;
    QTableWidget *m_queue = nullptr;
    ImageView *m_imageView = nullptr;
    QLabel *m_details = nullptr;
    QLineEdit *m_note = nullptr;
};

} // namespace winnow::ui

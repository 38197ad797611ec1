#pragma once

#include "core/store/records.h"
#include "core/train/subsetreport.h"

#include <QHash>
#include <QWidget>
#include <vector>

class QComboBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class ThumbnailCache;

// The images one selection round of a run kept, with how many of each class and how the round
// treats doubtful items (low-confidence labels, divergent, duplicates, likely label errors,
// quality flags: their share of the round against their share of the training set), and the
// images every round kept or none did. Thumbnails come from the thumbnail cache's worker
// thread, never decoded on the GUI thread.
class SubsetView final : public QWidget {
    Q_OBJECT

public:
    static constexpr int kShown = 160;

    explicit SubsetView(QWidget *parent = nullptr);

    void setProject(core::Project *project);
    // Shows the run's latest round (0: none).
    void showRun(qint64 runId);

private:
    // Entries of the round box after the rounds themselves.
    enum Special { AlwaysChosen = -1, NeverChosen = -2 };

    void showRound();
    void showItems(const std::vector<qint64> &itemIds);
    QString sharesText(const core::SelectionRound &round) const;
    void thumbnailReady(qint64 itemId);

    core::Project *m_project = nullptr;
    qint64 m_runId = 0;
    std::vector<core::SelectionRound> m_rounds; // of m_runId
    core::SubsetReport m_report;                // of m_runId
    QComboBox *m_round = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_summary = nullptr;
    QLabel *m_shares = nullptr;
    QListWidget *m_list = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QHash<qint64, QListWidgetItem *> m_waiting; // item id -> its entry, until its thumbnail comes
};

} // namespace winnow::ui

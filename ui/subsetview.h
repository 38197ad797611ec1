#pragma once

#include "core/store/records.h"

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

// The images one selection round of a run kept, with how many of each class; thumbnails come
// from the thumbnail cache's worker thread, never decoded on the GUI thread.
class SubsetView final : public QWidget {
    Q_OBJECT

public:
    static constexpr int kShown = 160;

    explicit SubsetView(QWidget *parent = nullptr);

    void setProject(core::Project *project);
    // Shows the run's latest round (0: none).
    void showRun(qint64 runId);

private:
    void showRound();
    void thumbnailReady(qint64 itemId);

    core::Project *m_project = nullptr;
    qint64 m_runId = 0;
    std::vector<core::SelectionRound> m_rounds; // of m_runId
    QComboBox *m_round = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_summary = nullptr;
    QListWidget *m_list = nullptr;
    ThumbnailCache *m_thumbnails = nullptr;
    QHash<qint64, QListWidgetItem *> m_waiting; // item id -> its entry, until its thumbnail comes
};

} // namespace winnow::ui

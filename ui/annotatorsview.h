#pragma once

#include "core/consensus/review.h"

#include <QWidget>

class QComboBox;
class QTableWidget;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

class ConfusionHeatMap;

// Annotators as a consolidation sees them: answers, estimated accuracy, agreement, median time
// per answer; the selected annotator's confusion matrix as a heat map; and every annotator's
// accuracy against the number of answers in one chart.
class AnnotatorsView final : public QWidget {
    Q_OBJECT
public:
    explicit AnnotatorsView(QWidget *parent = nullptr);

    void setProject(core::Project *project);
    void reload();
    int rowCount() const;

private:
    void load();
    void showMatrix();

    core::Project *m_project = nullptr;
    std::vector<core::AnnotatorStats> m_stats;
    QStringList m_classNames;
    QComboBox *m_consolidations = nullptr;
    QTableWidget *m_table = nullptr;
    ConfusionHeatMap *m_heatMap = nullptr;
    QWidget *m_chart = nullptr;
};

} // namespace winnow::ui

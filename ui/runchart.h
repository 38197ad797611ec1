#pragma once

#include "core/train/runs.h"

#include <QHash>
#include <QWidget>
#include <vector>

class QChartView;
class QComboBox;

namespace winnow::ui {

// Every recent run's curve of a chosen metric (validation or test accuracy, training or
// validation loss) against training time or epoch, one colour family per strategy.
class RunChart final : public QWidget {
    Q_OBJECT

public:
    static constexpr int kRunsCharted = 8;

    explicit RunChart(QWidget *parent = nullptr);

    // Draws `runs` (the newest kRunsCharted) with their epochs in `curves`.
    void draw(const std::vector<core::RunRecord> &runs,
              const QHash<qint64, std::vector<core::EpochMetrics>> &curves);

Q_SIGNALS:
    void settingsChanged(); // metric or axis: draw again

private:
    QComboBox *m_metric = nullptr;
    QComboBox *m_axis = nullptr;
    QChartView *m_view = nullptr;
};

// "#4 glister 30 %", the name a run has in charts and lists.
QString runLabel(const core::RunRecord &run);

} // namespace winnow::ui

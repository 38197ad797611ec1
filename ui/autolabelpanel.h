#pragma once

#include "core/loop/loopactions.h"

#include <QGroupBox>

class QChartView;
class QDoubleSpinBox;
class QLabel;
class QPushButton;
class QTableWidget;
class QTableWidgetItem;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

// Automated labeling on one prediction set, a part of the Model tab: the target accuracy, the
// threshold it buys with the accuracy-coverage curve, applying the machine labels, and the
// rounds applied, each revertible.
class AutolabelPanel final : public QGroupBox {
    Q_OBJECT

public:
    explicit AutolabelPanel(QWidget *parent = nullptr);

    // Plans on prediction set `setId` of `project` (0 or nullptr: nothing to plan).
    void show(core::Project *project, qint64 setId);
    void setTargetAccuracy(double target);
    // Applies the proposal shown; returns the round (0: nothing applied).
    qint64 apply();
    // Reverts the round selected in the rounds table.
    bool revertSelected();

Q_SIGNALS:
    void failed(const QString &message);
    void said(const QString &status); // what an action did, for the tab's status line
    void labelsChanged();             // machine labels applied or reverted

private:
    void plan();
    void drawCurve(const core::AutolabelPlan &plan);
    void loadRounds();

    core::Project *m_project = nullptr;
    qint64 m_setId = 0;
    core::AutolabelProposal m_proposal;
    bool m_hasProposal = false;

    QDoubleSpinBox *m_target = nullptr;
    QChartView *m_curve = nullptr;
    QLabel *m_plan = nullptr;
    QPushButton *m_apply = nullptr;
    QTableWidget *m_rounds = nullptr;
    QPushButton *m_revert = nullptr;
};

// Shared by the Model tab's tables: a right-aligned (or `align`ed) read-only cell, and a share
// as "12.3 %".
QTableWidgetItem *numberCell(const QString &text, Qt::Alignment align = Qt::AlignRight);
QString percentText(double share);

} // namespace winnow::ui

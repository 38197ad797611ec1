#include "ui/autolabelpanel.h"

#include "core/store/predictionrepository.h"
#include "core/store/project.h"

#include <QChart>
#include <QChartView>
#include <QDoubleSpinBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineSeries>
#include <QPushButton>
#include <QScatterSeries>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

namespace winnow::ui {

QTableWidgetItem *numberCell(const QString &text, Qt::Alignment align) {
    auto *item = new QTableWidgetItem(text);
    item->setTextAlignment(align | Qt::AlignVCenter);
    return item;
}

QString percentText(double share) {
    return QStringLiteral("%1 %").arg(100 * share, 0, 'f', 1);
}

AutolabelPanel::AutolabelPanel(QWidget *parent)
    : QGroupBox(tr("Automated labeling"), parent) {
    auto *autoLayout = new QHBoxLayout(this);
    auto *controls = new QVBoxLayout;
    auto *targetRow = new QHBoxLayout;
    targetRow->addWidget(new QLabel(tr("&Target accuracy")));
    m_target = new QDoubleSpinBox;
    m_target->setObjectName(QStringLiteral("targetAccuracy"));
    m_target->setRange(0.5, 0.999);
    m_target->setDecimals(3);
    m_target->setSingleStep(0.01);
    m_target->setValue(0.95);
    m_target->setToolTip(tr("The accuracy machine labels must reach on held-out images, by a "
                            "one-sided 95 % lower bound (Ground Truth uses 0.95)"));
    qobject_cast<QLabel *>(targetRow->itemAt(0)->widget())->setBuddy(m_target);
    targetRow->addWidget(m_target);
    controls->addLayout(targetRow);
    m_plan = new QLabel;
    m_plan->setObjectName(QStringLiteral("autolabelPlan"));
    m_plan->setWordWrap(true);
    controls->addWidget(m_plan);
    m_apply = new QPushButton(tr("&Apply Machine Labels"));
    m_apply->setObjectName(QStringLiteral("applyAutolabel"));
    m_apply->setToolTip(tr("Give the unlabeled images at or above the threshold the model's "
                           "label: shown as machine labels, never counted as answers, and "
                           "taken out of the labeling queue until reverted"));
    controls->addWidget(m_apply);
    m_rounds = new QTableWidget(0, 7);
    m_rounds->setObjectName(QStringLiteral("autolabelRounds"));
    m_rounds->setHorizontalHeaderLabels({tr("Round"), tr("Target"), tr("Threshold"),
                                         tr("Estimated"), tr("Coverage"), tr("Labels"),
                                         tr("State")});
    m_rounds->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_rounds->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_rounds->setSelectionMode(QAbstractItemView::SingleSelection);
    m_rounds->verticalHeader()->hide();
    m_rounds->setMaximumHeight(110);
    m_rounds->setToolTip(tr("Automated labeling rounds: estimated is the lower bound of the "
                            "machine labels' accuracy, coverage the share of held-out images "
                            "at or above the threshold"));
    controls->addWidget(m_rounds);
    m_revert = new QPushButton(tr("&Revert Round"));
    m_revert->setObjectName(QStringLiteral("revertRound"));
    m_revert->setToolTip(tr("Take the selected round's machine labels back: its images are "
                            "unlabeled and in the labeling queue again"));
    controls->addWidget(m_revert);
    autoLayout->addLayout(controls, 2);
    m_curve = new QChartView;
    m_curve->setObjectName(QStringLiteral("coverageCurve"));
    m_curve->setRenderHint(QPainter::Antialiasing);
    m_curve->setMinimumSize(360, 220);
    m_curve->setMaximumHeight(300);
    m_curve->setToolTip(tr("Accuracy of the held-out images the model is at least this sure "
                           "of, against their share; the dot is the chosen threshold"));
    autoLayout->addWidget(m_curve, 3);
    connect(m_target, &QDoubleSpinBox::valueChanged, this, &AutolabelPanel::plan);
    connect(m_apply, &QPushButton::clicked, this, [this] { apply(); });
    connect(m_revert, &QPushButton::clicked, this, [this] { revertSelected(); });
}

void AutolabelPanel::show(core::Project *project, qint64 setId) {
    m_project = project;
    m_setId = project ? setId : 0;
    plan();
    loadRounds();
}

void AutolabelPanel::setTargetAccuracy(double target) {
    m_target->setValue(target);
}

void AutolabelPanel::plan() {
    m_hasProposal = false;
    m_apply->setEnabled(false);
    if (!m_project || m_setId == 0) {
        m_plan->setText(tr("Predictions are needed first."));
        drawCurve({});
        return;
    }
    auto proposal = core::proposeAutolabel(*m_project, m_setId, m_target->value());
    if (!proposal) {
        m_plan->setText(proposal.error().message);
        drawCurve({});
        return;
    }
    m_proposal = std::move(proposal).value();
    m_hasProposal = true;
    const core::AutolabelPlan &plan = m_proposal.plan;
    drawCurve(plan);
    if (!plan.reachable) {
        m_plan->setText(tr("No threshold reaches %1 on the %2 held-out images with 95 % "
                           "confidence: label more, or train a better model.")
                            .arg(m_target->value())
                            .arg(plan.heldOut));
        return;
    }
    m_plan->setText(tr("Threshold <b>%1</b>: %2 of the %3 held-out images, accuracy %4 (at least "
                       "%5). <b>%Ln unlabeled images</b> would get a machine label.",
                       nullptr, int(m_proposal.labels.size()))
                        .arg(plan.threshold, 0, 'f', 3)
                        .arg(percentText(plan.coverage))
                        .arg(plan.heldOut)
                        .arg(plan.accuracy, 0, 'f', 3)
                        .arg(plan.lowerBound, 0, 'f', 3));
    m_apply->setEnabled(!m_proposal.labels.empty());
}

void AutolabelPanel::drawCurve(const core::AutolabelPlan &plan) {
    auto *chart = new QChart;
    chart->legend()->hide();
    auto *accuracy = new QLineSeries;
    auto *bound = new QLineSeries;
    for (const core::CoveragePoint &p : plan.curve) {
        accuracy->append(p.coverage, p.accuracy);
        bound->append(p.coverage, p.lowerBound);
    }
    QPen dashed = bound->pen();
    dashed.setStyle(Qt::DashLine);
    bound->setPen(dashed);
    auto *chosen = new QScatterSeries;
    chosen->setMarkerSize(11);
    if (plan.reachable)
        chosen->append(plan.coverage, plan.accuracy);
    for (QAbstractSeries *series :
         {static_cast<QAbstractSeries *>(accuracy), static_cast<QAbstractSeries *>(bound),
          static_cast<QAbstractSeries *>(chosen)})
        chart->addSeries(series);
    auto *x = new QValueAxis;
    x->setRange(0, 1);
    x->setTitleText(tr("coverage (share of held-out images labeled)"));
    auto *y = new QValueAxis;
    // The first points, of a handful of images, say little: the axis starts where 30 do.
    double low = 1;
    for (const core::CoveragePoint &p : plan.curve)
        if (p.items >= 30)
            low = std::min(low, p.lowerBound);
    y->setRange(std::max(0.0, std::floor(low * 20) / 20), 1);
    y->setTitleText(tr("accuracy (dashed: lower bound)"));
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(x);
        series->attachAxis(y);
    }
    QChart *old = m_curve->chart();
    m_curve->setChart(chart);
    delete old;
}

void AutolabelPanel::loadRounds() {
    m_rounds->setRowCount(0);
    if (!m_project)
        return;
    const auto rounds =
        core::attempt([&] { return core::PredictionRepository(*m_project).autolabelRounds(); });
    if (!rounds)
        return;
    m_rounds->setRowCount(int(rounds->size()));
    for (int r = 0; r < int(rounds->size()); ++r) {
        const core::AutolabelRound &round = (*rounds)[size_t(r)];
        const QString values[] = {QString::number(round.id),
                                  QString::number(round.targetAccuracy, 'f', 3),
                                  QString::number(round.threshold, 'f', 3),
                                  QString::number(round.estimatedAccuracy, 'f', 3),
                                  percentText(round.coverage),
                                  QString::number(round.labeled),
                                  round.revertedAt.isEmpty() ? tr("live") : tr("reverted")};
        for (int c = 0; c < 7; ++c) {
            auto *item = numberCell(values[c]);
            item->setData(Qt::UserRole, round.id);
            m_rounds->setItem(r, c, item);
        }
    }
    if (!rounds->empty())
        m_rounds->selectRow(int(rounds->size()) - 1);
}

qint64 AutolabelPanel::apply() {
    if (!m_project || !m_hasProposal || m_proposal.labels.empty())
        return 0;
    const auto round = core::applyAutolabel(*m_project, m_proposal, 0);
    if (!round) {
        Q_EMIT failed(round.error().message);
        return 0;
    }
    Q_EMIT said(tr("Round %1: %Ln machine labels applied", nullptr, int(m_proposal.labels.size()))
                    .arg(*round));
    loadRounds();
    plan();
    Q_EMIT labelsChanged();
    return *round;
}

bool AutolabelPanel::revertSelected() {
    const int row = m_rounds->currentRow();
    if (!m_project || row < 0)
        return false;
    const qint64 roundId = m_rounds->item(row, 0)->data(Qt::UserRole).toLongLong();
    const auto reverted = core::revertAutolabel(*m_project, roundId);
    if (!reverted) {
        Q_EMIT failed(reverted.error().message);
        return false;
    }
    if (!*reverted) {
        Q_EMIT said(tr("Round %1 was reverted already").arg(roundId));
        return false;
    }
    Q_EMIT said(tr("Round %1 reverted: its images are unlabeled again").arg(roundId));
    loadRounds();
    plan();
    Q_EMIT labelsChanged();
    return true;
}

} // namespace winnow::ui

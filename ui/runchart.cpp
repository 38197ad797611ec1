#include "ui/runchart.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QLineSeries>
#include <QPen>
#include <QVBoxLayout>
#include <QValueAxis>
#include <algorithm>

namespace winnow::ui {
namespace {

// Full data in black, GLISTER in oranges and random in blues, darker for larger fractions, so
// that a sweep reads at a glance.
QPen runPen(const core::RunRecord &run) {
    if (run.options.strategy == core::Strategy::Full)
        return QPen(QColor(40, 40, 40), 2.5);
    const int hue = run.options.strategy == core::Strategy::Glister ? 25 : 215;
    const int value = 255 - int(150 * run.options.fraction);
    return QPen(QColor::fromHsv(hue, 230, std::clamp(value, 90, 240)), 2);
}

} // namespace

QString runLabel(const core::RunRecord &run) {
    if (run.options.strategy == core::Strategy::Full)
        return QStringLiteral("#%1 full").arg(run.id);
    return QStringLiteral("#%1 %2 %3 %")
        .arg(run.id)
        .arg(core::strategyName(run.options.strategy))
        .arg(run.options.fraction * 100, 0, 'g', 3);
}

RunChart::RunChart(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    auto *controls = new QHBoxLayout;
    m_metric = new QComboBox;
    m_metric->addItems({tr("Validation accuracy"), tr("Test accuracy"), tr("Training loss"),
                        tr("Validation loss")});
    m_metric->setToolTip(tr("What the chart shows for every run"));
    m_axis = new QComboBox;
    m_axis->addItems({tr("against training time (s)"), tr("against epoch")});
    m_axis->setToolTip(
        tr("Time includes subset selection, as CORDS counts it; evaluation is not included"));
    controls->addWidget(m_metric);
    controls->addWidget(m_axis);
    controls->addStretch();
    layout->addLayout(controls);
    m_view = new QChartView(new QChart);
    m_view->setObjectName(QStringLiteral("chart"));
    m_view->setRenderHint(QPainter::Antialiasing);
    m_view->setMinimumHeight(220);
    layout->addWidget(m_view, 1);
    connect(m_metric, &QComboBox::currentIndexChanged, this, &RunChart::settingsChanged);
    connect(m_axis, &QComboBox::currentIndexChanged, this, &RunChart::settingsChanged);
}

void RunChart::draw(const std::vector<core::RunRecord> &runs,
                    const QHash<qint64, std::vector<core::EpochMetrics>> &curves) {
    auto *chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignRight);
    const int metric = m_metric->currentIndex();
    const bool byTime = m_axis->currentIndex() == 0;
    double maxX = 1, maxY = metric >= 2 ? 0.1 : 1;
    const size_t first = runs.size() > kRunsCharted ? runs.size() - kRunsCharted : 0;
    for (size_t i = first; i < runs.size(); ++i) {
        const core::RunRecord &run = runs[i];
        auto *series = new QLineSeries;
        series->setName(runLabel(run));
        series->setPen(runPen(run));
        double seconds = 0;
        for (const core::EpochMetrics &m : curves.value(run.id)) {
            seconds += m.epochSeconds;
            const std::optional<double> value = metric == 0   ? m.valAccuracy
                                                : metric == 1 ? m.testAccuracy
                                                : metric == 2 ? m.trainLoss
                                                              : m.valLoss;
            if (!value)
                continue;
            const double x = byTime ? seconds : m.epoch;
            series->append(x, *value);
            maxX = std::max(maxX, x);
            maxY = std::max(maxY, *value);
        }
        if (series->count() == 1) // a single point shows as a dot
            series->setPointsVisible(true);
        chart->addSeries(series);
    }
    auto *axisX = new QValueAxis;
    axisX->setTitleText(byTime ? tr("training time incl. selection (s)") : tr("epoch"));
    axisX->setRange(0, maxX);
    axisX->setLabelFormat(QStringLiteral("%.0f"));
    auto *axisY = new QValueAxis;
    axisY->setTitleText(m_metric->currentText());
    axisY->setRange(0, metric >= 2 ? maxY * 1.05 : 1);
    chart->addAxis(axisX, Qt::AlignBottom);
    chart->addAxis(axisY, Qt::AlignLeft);
    for (QAbstractSeries *series : chart->series()) {
        series->attachAxis(axisX);
        series->attachAxis(axisY);
    }
    if (runs.empty())
        chart->setTitle(tr("No runs yet: press Train"));
    QChart *old = m_view->chart();
    m_view->setChart(chart);
    delete old;
}

} // namespace winnow::ui

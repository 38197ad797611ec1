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
#include <cmath>

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

// A tick step of 1, 2 or 5 times a power of ten giving at most about eight ticks over `range`;
// at least 1 where only whole numbers make sense (epochs).
double niceStep(double range, bool whole) {
    const double raw = std::max(range / 8, whole ? 1.0 : 1e-9);
    const double power = std::pow(10, std::floor(std::log10(raw)));
    for (const double factor : {1.0, 2.0, 5.0, 10.0})
        if (raw <= factor * power)
            return factor * power;
    return 10 * power;
}

} // namespace

QString runLabel(const core::RunRecord &run) {
    // Runs started from trained weights say so: their curves start high for that reason.
    const QString start = run.options.initFrom.isEmpty() ? QString() : QStringLiteral(", tuned");
    const QString fold =
        run.options.cvFolds > 0
            ? QStringLiteral(", fold %1/%2").arg(run.options.cvFold + 1).arg(run.options.cvFolds)
            : QString();
    if (run.options.strategy == core::Strategy::Full)
        return QStringLiteral("#%1 full%2%3").arg(run.id).arg(start, fold);
    return QStringLiteral("#%1 %2 %3 %%4")
        .arg(run.id)
        .arg(core::strategyName(run.options.strategy))
        .arg(run.options.fraction * 100, 0, 'g', 3)
        .arg(start + fold);
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
    // Runs of one strategy and fraction share a colour: the second, third... are dashed, dotted.
    QHash<QString, int> seen;
    for (size_t i = first; i < runs.size(); ++i) {
        const core::RunRecord &run = runs[i];
        auto *series = new QLineSeries;
        series->setName(runLabel(run));
        QPen pen = runPen(run);
        const int repeat = seen[core::strategyName(run.options.strategy) +
                                QString::number(run.options.fraction)]++;
        constexpr Qt::PenStyle kStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine,
                                            Qt::DashDotLine, Qt::DashDotDotLine};
        pen.setStyle(kStyles[repeat % 5]);
        series->setPen(pen);
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
    // Ticks at whole epochs, or at round numbers of seconds, from 0.
    const double step = niceStep(maxX, true);
    axisX->setTickType(QValueAxis::TicksDynamic);
    axisX->setTickAnchor(0);
    axisX->setTickInterval(step);
    axisX->setRange(0, std::ceil(maxX / step) * step);
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

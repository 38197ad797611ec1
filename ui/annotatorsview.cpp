#include "ui/annotatorsview.h"

#include "core/consensus/consolidation.h"
#include "core/store/project.h"

#include <QChart>
#include <QChartView>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLogValueAxis>
#include <QPainter>
#include <QScatterSeries>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>
#include <QValueAxis>
#include <cmath>

namespace winnow::ui {

// Paints a K x K matrix of probabilities: rows are true classes, columns the answers.
class ConfusionHeatMap final : public QWidget {
public:
    explicit ConfusionHeatMap(QWidget *parent = nullptr)
        : QWidget(parent) {
        setMinimumSize(260, 260);
    }

    void setMatrix(const std::vector<double> &matrix, const QStringList &names,
                   const QString &title) {
        m_matrix = matrix;
        m_names = names;
        m_title = title;
        update();
    }

protected:
    void paintEvent(QPaintEvent *) override {
        QPainter painter(this);
        painter.fillRect(rect(), palette().base());
        const int k = int(m_names.size());
        if (k == 0 || m_matrix.size() != size_t(k) * size_t(k)) {
            painter.drawText(rect(), Qt::AlignCenter, tr("Select an annotator"));
            return;
        }
        const int labelWidth = 90, top = 40;
        const double cell =
            std::min((width() - labelWidth - 10) / double(k), (height() - top - 10) / double(k));
        painter.drawText(QRect(0, 0, width(), 20), Qt::AlignCenter, m_title);
        painter.drawText(QRect(labelWidth, 20, int(cell * k), 18), Qt::AlignCenter,
                         tr("answered →  (rows: true class)"));
        QFont small = font();
        small.setPointSizeF(std::max(6.0, std::min(9.0, cell / 4)));
        painter.setFont(small);
        for (int r = 0; r < k; ++r) {
            painter.setPen(palette().text().color());
            painter.drawText(
                QRect(0, int(top + r * cell), labelWidth - 4, int(cell)),
                Qt::AlignRight | Qt::AlignVCenter,
                painter.fontMetrics().elidedText(m_names[r], Qt::ElideRight, labelWidth - 6));
            for (int c = 0; c < k; ++c) {
                const double v = m_matrix[size_t(r) * size_t(k) + size_t(c)];
                const QRectF box(labelWidth + c * cell, top + r * cell, cell - 1, cell - 1);
                // White (0) to deep blue (1), so mistakes stand out as coloured cells off the
                // diagonal.
                painter.fillRect(box,
                                 QColor::fromRgbF(float(1 - 0.85 * v), float(1 - 0.6 * v), 1.0f));
                if (cell >= 22) {
                    painter.setPen(v > 0.55 ? Qt::white : Qt::black);
                    painter.drawText(box, Qt::AlignCenter, QString::number(v, 'f', 2));
                }
            }
        }
    }

private:
    std::vector<double> m_matrix;
    QStringList m_names;
    QString m_title;
};

AnnotatorsView::AnnotatorsView(QWidget *parent)
    : QWidget(parent) {
    auto *layout = new QVBoxLayout(this);
    auto *bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Estimates of")));
    m_consolidations = new QComboBox;
    m_consolidations->setToolTip(tr("The consolidation whose annotator estimates are shown"));
    bar->addWidget(m_consolidations, 1);
    layout->addLayout(bar);
    connect(m_consolidations, &QComboBox::currentIndexChanged, this, &AnnotatorsView::load);

    auto *splitter = new QSplitter;
    m_table = new QTableWidget(0, 6);
    m_table->setHorizontalHeaderLabels({tr("Annotator"), tr("Answers"), tr("Est. accuracy"),
                                        tr("Agreement"), tr("Median s/answer"),
                                        tr("Ref. accuracy")});
    m_table->horizontalHeaderItem(5)->setToolTip(
        tr("Share of the annotator's answers that match the project's reference labels (a gold "
           "set or a demo's ground truth, never shown to annotators): the truth the estimates "
           "try to guess"));
    m_table->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSortingEnabled(true);
    m_table->verticalHeader()->hide();
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int column = 1; column < m_table->columnCount(); ++column) // headers never cut off
        m_table->horizontalHeader()->setSectionResizeMode(column, QHeaderView::ResizeToContents);
    connect(m_table, &QTableWidget::currentCellChanged, this, &AnnotatorsView::showMatrix);
    splitter->addWidget(m_table);

    auto *right = new QSplitter(Qt::Vertical);
    m_heatMap = new ConfusionHeatMap;
    right->addWidget(m_heatMap);
    auto *chart = new QChart;
    chart->setTitle(tr("Estimated accuracy against answers given"));
    chart->legend()->hide();
    auto *view = new QChartView(chart);
    view->setRenderHint(QPainter::Antialiasing);
    view->setMinimumHeight(220);
    m_chart = view;
    right->addWidget(view);
    splitter->addWidget(right);
    splitter->setSizes({640, 560});
    layout->addWidget(splitter, 1);
}

void AnnotatorsView::setProject(core::Project *project) {
    m_project = project;
    reload();
}

void AnnotatorsView::reload() {
    const QSignalBlocker block(m_consolidations);
    m_consolidations->clear();
    if (m_project) {
        if (const auto list = core::listConsolidations(*m_project)) {
            for (const core::ConsolidationInfo &c : *list)
                m_consolidations->addItem(
                    tr("#%1 %2 — %3")
                        .arg(c.id)
                        .arg(c.method, c.createdAt.left(16).replace(u'T', u' ')),
                    c.id);
        }
    }
    load();
}

int AnnotatorsView::rowCount() const {
    return m_table->rowCount();
}

void AnnotatorsView::load() {
    m_stats.clear();
    m_table->setSortingEnabled(false);
    m_table->setRowCount(0);
    auto *chart = static_cast<QChartView *>(m_chart)->chart();
    chart->removeAllSeries();
    for (QAbstractAxis *axis : chart->axes())
        chart->removeAxis(axis);
    if (!m_project || !m_consolidations->currentData().isValid()) {
        m_heatMap->setMatrix({}, {}, {});
        return;
    }
    auto stats = core::annotatorStats(*m_project, m_consolidations->currentData().toLongLong(),
                                      m_classNames);
    if (!stats)
        return;
    m_stats = std::move(stats).value();
    m_table->setRowCount(int(m_stats.size()));
    auto *series = new QScatterSeries;
    series->setMarkerSize(8);
    QStringList names;
    qint64 most = 1;
    for (int r = 0; r < int(m_stats.size()); ++r) {
        const core::AnnotatorStats &s = m_stats[size_t(r)];
        auto *name = new QTableWidgetItem(s.name);
        name->setData(Qt::UserRole, r);
        m_table->setItem(r, 0, name);
        auto number = [](double value, int decimals) {
            auto *item = new QTableWidgetItem;
            item->setData(Qt::DisplayRole, decimals == 0
                                               ? QVariant(qint64(value))
                                               : QVariant(std::round(value * 1000) / 1000));
            return item;
        };
        m_table->setItem(r, 1, number(double(s.answers), 0));
        m_table->setItem(r, 2, number(s.accuracy, 3));
        m_table->setItem(r, 3, number(s.agreement, 3));
        m_table->setItem(
            r, 4, s.medianSeconds < 0 ? new QTableWidgetItem(tr("—")) : number(s.medianSeconds, 2));
        QTableWidgetItem *reference =
            s.referenceAccuracy ? number(*s.referenceAccuracy, 3) : new QTableWidgetItem(tr("—"));
        reference->setToolTip(
            s.referenceAccuracy
                ? tr("%L1 answers on images with a reference label").arg(s.referenceAnswers)
                : tr("No answers on images with a reference label"));
        m_table->setItem(r, 5, reference);
        series->append(double(std::max<qint64>(1, s.answers)), s.accuracy);
        names << s.name;
        most = std::max(most, s.answers);
    }
    m_table->setSortingEnabled(true);
    m_table->sortByColumn(2, Qt::DescendingOrder); // most reliable first
    chart->addSeries(series);
    auto *x = new QLogValueAxis;
    x->setTitleText(tr("answers (log scale)"));
    x->setLabelFormat(QStringLiteral("%g"));
    x->setRange(1, double(most) * 6); // room on the right for the names of the busiest
    auto *y = new QValueAxis;
    y->setTitleText(tr("estimated accuracy"));
    y->setRange(0, 1);
    chart->addAxis(x, Qt::AlignBottom);
    chart->addAxis(y, Qt::AlignLeft);
    series->attachAxis(x);
    series->attachAxis(y);
    // Each dot says whose it is: one labelled series per annotator (a series' label format is
    // its text; with a crowd too large to read, the dots stay unnamed).
    constexpr int kMaxNamedDots = 40;
    if (names.size() <= kMaxNamedDots) {
        const QList<QPointF> points = series->points();
        for (qsizetype i = 0; i < points.size(); ++i) {
            auto *named = new QScatterSeries;
            named->setMarkerSize(0);
            named->append(points[i]);
            named->setPointLabelsFormat(names[i]);
            named->setPointLabelsVisible(true);
            named->setPointLabelsClipping(false);
            chart->addSeries(named);
            named->attachAxis(x);
            named->attachAxis(y);
        }
    }
    if (!m_stats.empty())
        m_table->setCurrentCell(0, 0);
}

void AnnotatorsView::showMatrix() {
    const int row = m_table->currentRow();
    if (row < 0 || !m_table->item(row, 0)) {
        m_heatMap->setMatrix({}, {}, {});
        return;
    }
    const core::AnnotatorStats &s =
        m_stats[size_t(m_table->item(row, 0)->data(Qt::UserRole).toInt())];
    m_heatMap->setMatrix(s.confusion, m_classNames, tr("%1: estimated confusion").arg(s.name));
}

} // namespace winnow::ui

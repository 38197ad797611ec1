#include "ui/tunedialog.h"

#include "core/train/runs.h"
#include "core/train/tuning.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>

namespace winnow::ui {

TuneDialog::TuneDialog(QWidget *parent)
    : QDialog(parent) {
    setWindowTitle(tr("Tune"));
    auto *form = new QFormLayout(this);
    const core::TuneOptions defaults;
    m_trials = new QSpinBox;
    m_trials->setObjectName(QStringLiteral("trials"));
    m_trials->setRange(1, 500);
    m_trials->setValue(defaults.trials);
    m_trials->setToolTip(tr("Configurations to try, each a run of the tuning experiment"));
    form->addRow(tr("&Trials"), m_trials);
    const auto range = [&](const QString &text, const QString &tip) {
        auto *edit = new QLineEdit(text);
        edit->setToolTip(tip);
        return edit;
    };
    m_lr = range(QStringLiteral("0.01:0.3"),
                 tr("LOW:HIGH, sampled on a log scale, or values separated by commas"));
    form->addRow(tr("&Learning rate"), m_lr);
    m_wd = range(QStringLiteral("1e-05:0.001"),
                 tr("LOW:HIGH, sampled on a log scale, or values separated by commas"));
    form->addRow(tr("&Weight decay"), m_wd);
    m_momentum = range(QStringLiteral("0.8:0.95"), tr("LOW:HIGH, or values separated by commas"));
    form->addRow(tr("&Momentum"), m_momentum);
    m_batches = range(QStringLiteral("64,128,256"), tr("Batch sizes, taken in turn"));
    form->addRow(tr("&Batch sizes"), m_batches);
    m_halving = new QCheckBox(tr("Successive &halving"));
    m_halving->setChecked(true);
    m_halving->setToolTip(tr("Every trial trains a ninth of the epochs, the best third a third, "
                             "the best third of those all of them: more trials for the time"));
    form->addRow(QString(), m_halving);
    m_minutes = new QDoubleSpinBox;
    m_minutes->setRange(0, 10000);
    m_minutes->setSpecialValueText(tr("no limit"));
    m_minutes->setSuffix(tr(" min"));
    m_minutes->setToolTip(tr("No trial starts after this long"));
    form->addRow(tr("Time &budget"), m_minutes);
    m_metric = new QComboBox;
    for (const QString &name : core::runMetricNames())
        if (core::isEpochAggregate(name) || name.endsWith(QLatin1String("accuracy")))
            m_metric->addItem(name);
    m_metric->setCurrentText(defaults.metric);
    m_metric->setToolTip(tr("What ranks the trials; the best run is tagged \"best\""));
    form->addRow(tr("&Rank by"), m_metric);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    buttons->button(QDialogButtonBox::Ok)->setText(tr("Tune"));
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        for (QLineEdit *edit : {m_lr, m_wd, m_momentum, m_batches})
            if (!core::TuneDimension::parse(edit->text(),
                                            edit != m_momentum && edit != m_batches)) {
                edit->setFocus();
                edit->selectAll();
                return;
            }
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    form->addRow(buttons);
}

QStringList TuneDialog::arguments() const {
    QStringList arguments{QStringLiteral("--trials"),         QString::number(m_trials->value()),
                          QStringLiteral("--lr-range"),       m_lr->text().trimmed(),
                          QStringLiteral("--wd-range"),       m_wd->text().trimmed(),
                          QStringLiteral("--momentum-range"), m_momentum->text().trimmed(),
                          QStringLiteral("--batch-sizes"),    m_batches->text().trimmed(),
                          QStringLiteral("--minutes"),        QString::number(m_minutes->value()),
                          QStringLiteral("--metric"),         m_metric->currentText()};
    if (m_halving->isChecked())
        arguments << QStringLiteral("--halving");
    return arguments;
}

} // namespace winnow::ui

#pragma once

#include <QDialog>
#include <QStringList>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QSpinBox;

namespace winnow::ui {

// What a tuning run searches: the trials, the ranges of learning rate, weight decay and
// momentum, the batch sizes, successive halving, a time budget and the metric that ranks the
// trials. Its arguments() follow `winnow-cli tune DIR` and the Train tab's other options.
class TuneDialog final : public QDialog {
    Q_OBJECT

public:
    explicit TuneDialog(QWidget *parent = nullptr);
    QStringList arguments() const;

private:
    QSpinBox *m_trials = nullptr;
    QLineEdit *m_lr = nullptr, *m_wd = nullptr, *m_momentum = nullptr, *m_batches = nullptr;
    QCheckBox *m_halving = nullptr;
    QDoubleSpinBox *m_minutes = nullptr;
    QComboBox *m_metric = nullptr;
};

} // namespace winnow::ui

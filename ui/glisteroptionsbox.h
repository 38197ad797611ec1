#pragma once

#include <QGroupBox>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;

namespace winnow::core {
struct TrainOptions;
}

namespace winnow::ui {

// The Train tab's GLISTER box: the selection's knobs (selection type, gradients and their
// length, the virtual step, the greedy and its epsilon), the warm start and bfloat16, each with
// a tooltip, starting at TrainOptions' defaults.
class GlisterOptionsBox final : public QGroupBox {
    Q_OBJECT

public:
    explicit GlisterOptionsBox(QWidget *parent = nullptr);

    // Writes what the box shows into `options`.
    void apply(core::TrainOptions &options) const;

private:
    QComboBox *m_selectionType = nullptr, *m_gradients = nullptr, *m_gradientLength = nullptr;
    QComboBox *m_step = nullptr, *m_greedy = nullptr;
    QDoubleSpinBox *m_epsilon = nullptr, *m_kappa = nullptr;
    QCheckBox *m_bfloat16 = nullptr;
};

} // namespace winnow::ui

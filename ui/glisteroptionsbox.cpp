#include "ui/glisteroptionsbox.h"

#include "core/train/runs.h"
#include "core/train/trainer.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>

namespace winnow::ui {

GlisterOptionsBox::GlisterOptionsBox(QWidget *parent)
    : QGroupBox(tr("GLISTER"), parent) {
    auto *form = new QFormLayout(this);
    m_selectionType = new QComboBox;
    m_selectionType->addItems(
        {QStringLiteral("Supervised"), QStringLiteral("PerClass"), QStringLiteral("PerBatch")});
    m_selectionType->setObjectName(QStringLiteral("selectionType"));
    m_selectionType->setToolTip(
        tr("Supervised: one greedy over all images (CORDS's default); PerClass: a budget per "
           "class (the default); PerBatch: whole mini-batches are the units"));
    form->addRow(tr("Selection"), m_selectionType);
    const core::TrainOptions defaults;
    m_selectionType->setCurrentText(core::selectionTypeName(defaults.selectionType));
    m_gradients = new QComboBox;
    m_gradients->setObjectName(QStringLiteral("gradients"));
    m_gradients->addItem(tr("Centred weights and bias"), QStringLiteral("centered"));
    m_gradients->addItem(tr("Weights and bias"), QStringLiteral("weights"));
    m_gradients->addItem(tr("Bias (CORDS)"), QStringLiteral("bias"));
    m_gradients->setCurrentIndex(m_gradients->findData(core::glisterGradientsName(defaults)));
    m_gradients->setToolTip(
        tr("The last-layer gradients GLISTER compares with the validation set. Centred (the "
           "default): images count as alike when they look alike, which keeps mislabeled images "
           "out; Bias: CORDS's default, which favours them"));
    form->addRow(tr("Gradients"), m_gradients);
    m_gradientLength = new QComboBox;
    m_gradientLength->setObjectName(QStringLiteral("gradientLength"));
    m_gradientLength->addItem(tr("Raw (CORDS)"), false);
    m_gradientLength->addItem(tr("Unit length"), true);
    m_gradientLength->setCurrentIndex(defaults.unitGradients ? 1 : 0);
    m_gradientLength->setToolTip(
        tr("Raw: an image with a large loss has a large gradient and gains most, which favours "
           "hard and mislabeled images; Unit length: every image's gradient is scaled to length "
           "1, so only the direction it pushes the model counts"));
    form->addRow(tr("Gradient length"), m_gradientLength);
    m_step = new QComboBox;
    m_step->setObjectName(QStringLiteral("step"));
    m_step->addItem(tr("Mean of the picks"), true);
    m_step->addItem(tr("Sum of the picks (CORDS)"), false);
    m_step->setCurrentIndex(defaults.meanStep ? 0 : 1);
    m_step->setToolTip(tr("The virtual last-layer step after each pick: on the mean of the chosen "
                          "gradients (one SGD step's size, the default) or on their sum, which "
                          "grows with the budget"));
    form->addRow(tr("Step"), m_step);
    m_greedy = new QComboBox;
    m_greedy->addItems({QStringLiteral("Stochastic"), QStringLiteral("Naive")});
    m_greedy->setToolTip(
        tr("Stochastic picks the best of N/k·ln(1/ε) random candidates; Naive scores every "
           "image"));
    form->addRow(tr("Greedy"), m_greedy);
    m_epsilon = new QDoubleSpinBox;
    m_epsilon->setObjectName(QStringLiteral("epsilon"));
    m_epsilon->setRange(0.001, 0.99);
    m_epsilon->setDecimals(3);
    m_epsilon->setSingleStep(0.05);
    m_epsilon->setValue(defaults.epsilon);
    m_epsilon->setToolTip(tr("Stochastic greedy's ε: 0.5 (the default) picks the best of "
                             "0.69·N/k candidates (and of at least 2), which keeps subsets "
                             "varied; CORDS uses 0.01 (4.6·N/k)"));
    form->addRow(tr("Greedy ε"), m_epsilon);
    m_kappa = new QDoubleSpinBox;
    m_kappa->setRange(0, 0.95);
    m_kappa->setSingleStep(0.1);
    m_kappa->setToolTip(tr("Warm start: share of the epochs before the first selection (0 = off; "
                           "GLISTER-Warm uses 0.5)"));
    form->addRow(tr("Warm start κ"), m_kappa);
    m_bfloat16 = new QCheckBox(tr("bfloat16 autocast"));
    m_bfloat16->setObjectName(QStringLiteral("bfloat16"));
    m_bfloat16->setChecked(core::cpuHasBFloat16());
    m_bfloat16->setEnabled(core::cpuHasBFloat16());
    m_bfloat16->setToolTip(core::cpuHasBFloat16()
                               ? tr("About twice as fast on this CPU, which computes in bfloat16 "
                                    "natively; weights stay float32")
                               : tr("This CPU has no native bfloat16"));
    form->addRow(QString(), m_bfloat16);
}

void GlisterOptionsBox::apply(core::TrainOptions &base) const {
    base.selectionType = core::parseSelectionType(m_selectionType->currentText())
                             .value_or(core::SelectionType::PerClass);
    core::setGlisterGradients(base, m_gradients->currentData().toString());
    base.meanStep = m_step->currentData().toBool();
    base.epsilon = m_epsilon->value();
    base.greedy =
        m_greedy->currentIndex() == 1 ? core::GreedyKind::Naive : core::GreedyKind::Stochastic;
    base.kappa = m_kappa->value();
    base.bfloat16 = m_bfloat16->isChecked();
    base.unitGradients = m_gradientLength->currentData().toBool();
}

} // namespace winnow::ui

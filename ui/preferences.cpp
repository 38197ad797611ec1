#include "ui/preferences.h"

#include "core/consensus/consensus.h"
#include "core/io/importsummary.h"
#include "core/label/labelingsession.h"
#include "core/util/enumnames.h"

#include <QApplication>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QPalette>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStyle>
#include <QStyleFactory>
#include <QThread>

namespace winnow::ui {
namespace {

constexpr core::EnumName<Preferences::Theme> kThemes[] = {{Preferences::Theme::System, "system"},
                                                          {Preferences::Theme::Light, "light"},
                                                          {Preferences::Theme::Dark, "dark"}};

constexpr auto kPriceKey = "training/pricePerCoreHour";

QString key(const char *name) {
    return QStringLiteral("preferences/") + QLatin1String(name);
}

QPalette darkPalette() {
    QPalette palette;
    const QColor window(45, 45, 48), base(30, 30, 32), text(225, 225, 225), dim(130, 130, 130);
    palette.setColor(QPalette::Window, window);
    palette.setColor(QPalette::WindowText, text);
    palette.setColor(QPalette::Base, base);
    palette.setColor(QPalette::AlternateBase, window);
    palette.setColor(QPalette::ToolTipBase, base);
    palette.setColor(QPalette::ToolTipText, text);
    palette.setColor(QPalette::PlaceholderText, dim);
    palette.setColor(QPalette::Text, text);
    palette.setColor(QPalette::Button, window);
    palette.setColor(QPalette::ButtonText, text);
    palette.setColor(QPalette::BrightText, Qt::red);
    palette.setColor(QPalette::Link, QColor(100, 160, 255));
    palette.setColor(QPalette::Highlight, QColor(60, 110, 200));
    palette.setColor(QPalette::HighlightedText, Qt::white);
    palette.setColor(QPalette::Dark, QColor(20, 20, 22));
    for (const auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        palette.setColor(QPalette::Disabled, role, dim);
    return palette;
}

QSpinBox *spin(const char *name, int low, int high, const QString &tip,
               const QString &suffix = {}) {
    auto *box = new QSpinBox;
    box->setObjectName(QLatin1String(name));
    box->setRange(low, high);
    box->setSuffix(suffix);
    box->setToolTip(tip);
    return box;
}

} // namespace

Preferences Preferences::load() {
    const QSettings settings;
    const Preferences defaults;
    Preferences p;
    p.thumbnailSize = settings.value(key("thumbnailSize"), defaults.thumbnailSize).toInt();
    p.prefetch = settings.value(key("prefetch"), defaults.prefetch).toInt();
    p.maxMegapixels = settings.value(key("maxMegapixels"), defaults.maxMegapixels).toInt();
    p.defaultOverlap = settings.value(key("defaultOverlap"), defaults.defaultOverlap).toInt();
    p.consolidationMethod =
        settings.value(key("consolidationMethod"), defaults.consolidationMethod).toString();
    p.trainingWidth = settings.value(key("trainingWidth"), defaults.trainingWidth).toInt();
    p.trainingEpochs = settings.value(key("trainingEpochs"), defaults.trainingEpochs).toInt();
    p.trainingThreads = settings.value(key("trainingThreads"), defaults.trainingThreads).toInt();
    p.pricePerCoreHour =
        settings.value(QLatin1String(kPriceKey), defaults.pricePerCoreHour).toDouble();
    p.theme = core::parseEnumName(kThemes, settings.value(key("theme")).toString())
                  .value_or(defaults.theme);
    return p;
}

void Preferences::save() const {
    QSettings settings;
    settings.setValue(key("thumbnailSize"), thumbnailSize);
    settings.setValue(key("prefetch"), prefetch);
    settings.setValue(key("maxMegapixels"), maxMegapixels);
    settings.setValue(key("defaultOverlap"), defaultOverlap);
    settings.setValue(key("consolidationMethod"), consolidationMethod);
    settings.setValue(key("trainingWidth"), trainingWidth);
    settings.setValue(key("trainingEpochs"), trainingEpochs);
    settings.setValue(key("trainingThreads"), trainingThreads);
    settings.setValue(QLatin1String(kPriceKey), pricePerCoreHour);
    settings.setValue(key("theme"), themeName(theme));
}

QString themeName(Preferences::Theme theme) {
    return core::enumName(kThemes, theme);
}

void applyTheme(Preferences::Theme theme) {
    // The style the platform gave the application, kept for "follow the system".
    static const QString platformStyle = QApplication::style()->name();
    if (theme == Preferences::Theme::System) {
        QApplication::setStyle(QStyleFactory::create(platformStyle));
        QApplication::setPalette(QApplication::style()->standardPalette());
        return;
    }
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    QApplication::setPalette(theme == Preferences::Theme::Dark
                                 ? darkPalette()
                                 : QApplication::style()->standardPalette());
}

PreferencesDialog::PreferencesDialog(QWidget *parent)
    : QDialog(parent) {
    setWindowTitle(tr("Preferences"));
    setObjectName(QStringLiteral("preferences"));
    auto *form = new QFormLayout(this);

    m_thumbnailSize = spin("thumbnailSize", 48, 256,
                           tr("Side of a thumbnail in the browser (Ctrl++ and Ctrl+- change it "
                              "too)"),
                           tr(" px"));
    form->addRow(tr("&Thumbnail size"), m_thumbnailSize);
    m_prefetch = spin("prefetch", 1, 32,
                      tr("Images the Label tab decodes ahead, so the next one shows at once"));
    form->addRow(tr("Labeling &prefetch"), m_prefetch);
    m_maxMegapixels =
        spin("maxMegapixels", 1, 2000,
             tr("Images larger than this are refused at import, from their header, before "
                "decoding"),
             tr(" megapixels"));
    form->addRow(tr("Largest &image"), m_maxMegapixels);
    m_overlap = spin("overlap", 1, 50,
                     tr("How many annotators answer each image in a project created from now on "
                        "(the Label tab changes it for one project)"));
    form->addRow(tr("Default &overlap"), m_overlap);
    m_method = new QComboBox;
    m_method->setObjectName(QStringLiteral("method"));
    m_method->addItems(core::consensusMethodNames());
    m_method->setToolTip(tr("The consolidation method the Review tab starts with"));
    form->addRow(tr("&Consolidation method"), m_method);
    m_width = new QComboBox;
    m_width->setObjectName(QStringLiteral("width"));
    for (const int width : {8, 16, 32, 64})
        m_width->addItem(QString::number(width), width);
    m_width->setToolTip(tr("The Train tab's network width: 64 is the standard ResNet-18"));
    form->addRow(tr("Training &width"), m_width);
    m_epochs = spin("epochs", 1, 1000, tr("The Train tab's epochs per run"));
    form->addRow(tr("Training &epochs"), m_epochs);
    m_threads = spin("threads", 0, 256,
                     tr("Threads a training run uses; 0 uses one per core (%1 here)")
                         .arg(QThread::idealThreadCount()));
    m_threads->setSpecialValueText(tr("one per core"));
    form->addRow(tr("Training t&hreads"), m_threads);
    m_price = new QDoubleSpinBox;
    m_price->setObjectName(QStringLiteral("price"));
    m_price->setRange(0, 100);
    m_price->setDecimals(4);
    m_price->setSingleStep(0.005);
    m_price->setPrefix(QStringLiteral("$ "));
    m_price->setToolTip(tr("What a core-hour costs you: the runs table's cost column"));
    form->addRow(tr("P&rice per core-hour"), m_price);
    m_theme = new QComboBox;
    m_theme->setObjectName(QStringLiteral("theme"));
    m_theme->addItem(tr("Follow the system"), int(Preferences::Theme::System));
    m_theme->addItem(tr("Light"), int(Preferences::Theme::Light));
    m_theme->addItem(tr("Dark"), int(Preferences::Theme::Dark));
    m_theme->setToolTip(tr("Colours of the whole window"));
    form->addRow(tr("The&me"), m_theme);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel |
                                         QDialogButtonBox::RestoreDefaults);
    connect(buttons, &QDialogButtonBox::accepted, this, [this] {
        preferences().save();
        accept();
    });
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this,
            [this] { showValues(Preferences{}); });
    form->addRow(buttons);
    showValues(Preferences::load());
}

void PreferencesDialog::showValues(const Preferences &p) {
    m_thumbnailSize->setValue(p.thumbnailSize);
    m_prefetch->setValue(p.prefetch);
    m_maxMegapixels->setValue(p.maxMegapixels);
    m_overlap->setValue(p.defaultOverlap);
    m_method->setCurrentText(p.consolidationMethod);
    m_width->setCurrentIndex(std::max(0, m_width->findData(p.trainingWidth)));
    m_epochs->setValue(p.trainingEpochs);
    m_threads->setValue(p.trainingThreads);
    m_price->setValue(p.pricePerCoreHour);
    m_theme->setCurrentIndex(std::max(0, m_theme->findData(int(p.theme))));
}

Preferences PreferencesDialog::preferences() const {
    Preferences p;
    p.thumbnailSize = m_thumbnailSize->value();
    p.prefetch = m_prefetch->value();
    p.maxMegapixels = m_maxMegapixels->value();
    p.defaultOverlap = m_overlap->value();
    p.consolidationMethod = m_method->currentText();
    p.trainingWidth = m_width->currentData().toInt();
    p.trainingEpochs = m_epochs->value();
    p.trainingThreads = m_threads->value();
    p.pricePerCoreHour = m_price->value();
    p.theme = Preferences::Theme(m_theme->currentData().toInt());
    return p;
}

} // namespace winnow::ui

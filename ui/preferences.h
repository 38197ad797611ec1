#pragma once

#include "core/train/runs.h"

#include <QDialog>
#include <QString>

class QComboBox;
class QDoubleSpinBox;
class QSpinBox;

namespace winnow::ui {

// What a person sets once for every project on this machine (QSettings, under "preferences/"
// except the price per core-hour, which the runs table has always read from
// "training/pricePerCoreHour").
struct Preferences {
    enum class Theme { System, Light, Dark };

    int thumbnailSize = 112; // browser cells, pixels
    int prefetch = 4;        // images the Label tab loads ahead
    int maxMegapixels = 100; // larger images are refused at import
    int defaultOverlap = 3;  // answers wanted per image in a new project
    QString consolidationMethod = QStringLiteral("ground-truth"); // the Review tab's first
    int trainingWidth = 16;
    int trainingEpochs = 20;
    int trainingThreads = 0;                                  // 0: one per core
    double pricePerCoreHour = core::kDefaultPricePerCoreHour; // US dollars
    Theme theme = Theme::System;

    static Preferences load(); // defaults for what was never set
    void save() const;
    bool operator==(const Preferences &) const = default;
};

QString themeName(Preferences::Theme theme);
// Fusion with a light or dark palette, or the platform's own style and palette.
void applyTheme(Preferences::Theme theme);

// File > Preferences: every preference in one dialog; OK saves them.
class PreferencesDialog final : public QDialog {
    Q_OBJECT

public:
    explicit PreferencesDialog(QWidget *parent = nullptr);
    Preferences preferences() const; // as the dialog shows them now

private:
    void showValues(const Preferences &preferences);

    QSpinBox *m_thumbnailSize = nullptr;
    QSpinBox *m_prefetch = nullptr;
    QSpinBox *m_maxMegapixels = nullptr;
    QSpinBox *m_overlap = nullptr;
    QComboBox *m_method = nullptr;
    QComboBox *m_width = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_threads = nullptr;
    QDoubleSpinBox *m_price = nullptr;
    QComboBox *m_theme = nullptr;
};

} // namespace winnow::ui

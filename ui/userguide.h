#pragma once

class QWidget;

namespace winnow::ui {

// Help > User Guide: the workflow, from the guide built into the program (no network, no
// browser), in a window of its own.
void showUserGuide(QWidget *parent);

} // namespace winnow::ui

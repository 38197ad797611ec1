#pragma once

#include <QString>
#include <optional>

class QWidget;

namespace winnow::core {
class Project;
}

namespace winnow::ui {

// Add, rename, re-key, re-colour and retire classes; changes are saved as they are made.
void manageClasses(core::Project &project, QWidget *parent);
// Rename and retire annotators; their answers stay.
void manageAnnotators(core::Project &project, QWidget *parent);
// Asks who is labeling (an existing human annotator or a new name); empty when cancelled.
std::optional<QString> askAnnotator(core::Project &project, const QString &suggestion,
                                    QWidget *parent);

} // namespace winnow::ui

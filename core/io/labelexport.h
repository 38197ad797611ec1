#pragma once

#include "core/util/result.h"

#include <QString>

namespace winnow::core {

class Project;

enum class LabelFormat { Csv, GroundTruthManifest };

// Consolidated labels with review decisions applied: a reviewed item keeps the class its review
// pinned (confidence 1 unless it is an accepted label this consolidation still gives). Writes
// `file` whole or not at all; returns the rows written.
Result<qint64> exportConsolidatedLabels(Project &project, qint64 consolidationId,
                                        const QString &file, LabelFormat format,
                                        const QString &jobName = QStringLiteral("winnow"));

} // namespace winnow::core

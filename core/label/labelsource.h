#pragma once

// Which labels a training run learns from, named so that a run records it and a person chooses
// it. A source is written as
//   current            what the project trains on now: review decisions, then the consolidation
//                      marked current, then the most frequent answer, then the machine labels
//                      of live automated labeling rounds (fixed when a run starts)
//   consolidation:C    consolidation C's labels alone
//   reviews:C          review decisions, then consolidation C, then the most frequent answer of
//                      the items C has not seen, then machine labels
//   reviews:answers    review decisions, then the most frequent answer, then machine labels
//   import             the most frequent answer that came with the images (class folders,
//                      imported label files)
// where C is a consolidation's number, or a method's name for that method's newest.

#include "core/util/result.h"

#include <QHash>
#include <QString>

namespace winnow::core {

class Project;

struct LabelSource {
    enum class Kind { Current, Consolidation, Reviews, Import };
    Kind kind = Kind::Current;
    qint64 consolidationId = 0; // Consolidation and Reviews; 0 in Reviews: none

    QString spec() const; // as written above, with C a number
    bool operator==(const LabelSource &) const = default;
};

// Reads a written source; the error says what is wrong and what could be written instead.
Result<LabelSource> parseLabelSource(Project &project, const QString &spec);
// What `current` means now (reviews over the consolidation marked current, or over none);
// any other source is returned as it is.
Result<LabelSource> fixLabelSource(Project &project, const LabelSource &source);
// parseLabelSource, then fixLabelSource: what a run started now with `spec` trains on.
Result<LabelSource> fixedLabelSource(Project &project, const QString &spec);
// The labels a source gives, item -> class. Items it has no label for are absent.
Result<QHash<qint64, qint64>> labelsOf(Project &project, const LabelSource &source);
// The source in words, naming the consolidation's method: "review decisions, then consolidation
// 12 (dawid-skene), then the most frequent answer".
QString describeLabelSource(Project &project, const LabelSource &source);

// The label every item has now: labelsOf(current).
Result<QHash<qint64, qint64>> currentLabels(Project &project);

} // namespace winnow::core

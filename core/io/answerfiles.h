#pragma once

#include "core/util/progress.h"
#include "core/util/result.h"

#include <QString>
#include <vector>

namespace winnow::core {

class Project;

struct LineIssue {
    qint64 line = 0;
    QString reason;
};

// What an answer import did: every data row is imported, a duplicate of an answer already
// there, or rejected with its line number and the reason.
struct AnswerImportSummary {
    qint64 rows = 0;
    qint64 imported = 0;
    qint64 duplicates = 0;
    qint64 rejected = 0;
    double seconds = 0;
    bool cancelled = false; // the batches stored before the cancel stay
    std::vector<LineIssue> issues;
};

// `item,worker,label` rows (a header line is recognised and skipped). Unknown workers and
// classes are created; an answer already in the project (same item, worker and label, live)
// is not added again.
Result<AnswerImportSummary> importAnswersCsv(Project &project, const QString &file,
                                             const ProgressFn &progress = {},
                                             const CancelToken *cancel = nullptr);
// A SageMaker Ground Truth output manifest (JSON Lines): the label attribute and its
// -metadata; per-worker responses where the metadata carries them, else the consolidated
// label as the answer of the job.
Result<AnswerImportSummary> importGroundTruthManifest(Project &project, const QString &file,
                                                      const ProgressFn &progress = {},
                                                      const CancelToken *cancel = nullptr);
// Chooses by content: JSON Lines when the first non-blank character is '{', else CSV.
Result<AnswerImportSummary> importAnswers(Project &project, const QString &file,
                                          const ProgressFn &progress = {},
                                          const CancelToken *cancel = nullptr);
// A SageMaker Ground Truth labeling job's output folder, as Ground Truth lays it out:
// manifests/output/output.manifest (one line per data object, in data object id order, with the
// job's consolidated label) and annotations/worker-response/iteration-N/<data object id>/*.json
// (each worker's answer, under answerContent). Every worker's answer becomes an answer of that
// worker; the job's own consolidation is kept as a consolidation of method "ground-truth-job"
// beside Winnow's (not made current). Unreadable files are reported with their path.
struct GroundTruthJobSummary : AnswerImportSummary {
    QString job;
    qint64 consolidationId = 0; // 0 when the manifest gives no consolidated labels
    qint64 consolidated = 0;    // items the job's consolidation labels
};
Result<GroundTruthJobSummary> importGroundTruthJob(Project &project, const QString &folder,
                                                   const ProgressFn &progress = {},
                                                   const CancelToken *cancel = nullptr);
// Writes every live answer as `item,worker,label`; returns the number of rows.
Result<qint64> exportAnswersCsv(Project &project, const QString &file);

} // namespace winnow::core

#pragma once

// Predictions a project keeps (core/store/predictionrepository.h), made by trained models:
// out-of-sample probabilities for every labeled item by K-fold cross-fitting, and a finished
// run's predictions of every item. Free of LibTorch.

#include "core/train/modelexport.h"
#include "core/train/trainer.h"

#include <vector>

namespace winnow::core {

struct CrossFitOutcome {
    qint64 setId = 0; // the stored prediction set; 0 when cancelled
    std::vector<qint64> runIds;
    bool cancelled = false;
};

// Trains `folds` runs with `base`'s settings (the train and val items dealt to stratified folds,
// duplicate clusters whole; each run validates on its fold), then predicts each fold's items
// with the run that held them out, and every other item (test, unlabeled) with the mean of the
// runs. Stored as one 'cross-fit' prediction set. A cancel stops between runs or batches.
Result<CrossFitOutcome> crossFit(Project &project, const TrainOptions &base, int folds,
                                 const TrainEvents &events);

// Run `runId`'s predictions of every item, stored as a 'run' prediction set (held out: every
// item outside its train split). Returns the set; the predictions go to `made` when given.
Result<qint64> storeRunPredictions(Project &project, qint64 runId, const ProgressFn &progress = {},
                                   const CancelToken *cancel = nullptr,
                                   std::vector<Prediction> *made = nullptr);

} // namespace winnow::core

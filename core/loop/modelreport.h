#pragma once

// How a model does on items it never trained on, from a stored prediction set: the confusion
// matrix, per-class precision and recall, and its mistakes, surest first. Free of LibTorch.

#include "core/util/result.h"

#include <QString>
#include <QStringList>
#include <vector>

namespace winnow::core {

class Project;

struct ClassMetrics {
    qint64 support = 0;   // items labeled this class
    qint64 predicted = 0; // items the model puts in it
    qint64 correct = 0;
    double precision() const { return predicted > 0 ? double(correct) / double(predicted) : 0; }
    double recall() const { return support > 0 ? double(correct) / double(support) : 0; }
};

struct ModelMistake {
    qint64 itemId = 0;
    QString path;
    QString split;
    int given = 0;     // class index
    int predicted = 0; // class index
    double confidence = 0;
};

struct ModelReport {
    qint64 setId = 0;
    QString evaluatedOn; // in words: "the test split of run 12"
    QStringList classNames;
    std::vector<std::vector<qint64>> confusion; // [given][predicted], over the evaluated items
    std::vector<ClassMetrics> perClass;
    qint64 evaluated = 0, correct = 0;
    // Held-out labeled items the model gets wrong (a run's val and test splits, or every item of
    // a cross-fitting), most confident first.
    std::vector<ModelMistake> mistakes;

    double accuracy() const { return evaluated > 0 ? double(correct) / double(evaluated) : 0; }
};

// For a run's predictions the matrix covers its test split (its val split when it has no test);
// for a cross-fitting, every labeled item, each predicted by the run that held it out.
Result<ModelReport> modelReport(Project &project, qint64 setId);

} // namespace winnow::core

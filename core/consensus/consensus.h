#pragma once

#include "core/consensus/answertable.h"
#include "core/util/progress.h"

#include <QString>
#include <QStringList>
#include <cstdint>
#include <memory>
#include <vector>

namespace winnow::core {

struct ConsensusOptions {
    int maxIterations = 100;
    double tolerance = 1e-6; // relative change of the log-likelihood that ends EM
    std::uint64_t seed = 0;  // breaks ties that nothing else decides
    int threads = 0;         // 0: all cores
};

struct WorkerEstimate {
    std::int64_t answers = 0;
    double accuracy = 0;           // expected share of this worker's answers that are correct
    double agreement = 0;          // share of answers equal to the consolidated label
    std::vector<double> confusion; // classes x classes, row = true class, each row sums to 1
};

// Everything a method says: per item the label (-1 for an item without answers), the
// posterior probability of that label as confidence, the answer count and the full posterior;
// per worker the estimate above.
struct ConsensusResult {
    std::vector<std::int32_t> label;
    std::vector<float> confidence;
    std::vector<std::int32_t> answers;
    std::vector<float> posterior; // items x classes
    std::vector<double> classPrior;
    std::vector<WorkerEstimate> workers;
    int iterations = 0;
    double logLikelihood = 0;
    bool cancelled = false;
};

// One consolidation method. Deterministic for a given table and options.
class ConsensusMethod {
public:
    virtual ~ConsensusMethod() = default;
    virtual QString name() const = 0;
    virtual ConsensusResult run(const AnswerTable &table, const ConsensusOptions &options,
                                const ProgressFn &progress = {},
                                const CancelToken *cancel = nullptr) const = 0;
};

// majority, dawid-skene, ground-truth, one-coin, mace; nullptr for an unknown name.
std::unique_ptr<ConsensusMethod> makeConsensusMethod(const QString &name);
QStringList consensusMethodNames();

} // namespace winnow::core

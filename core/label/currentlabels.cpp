#include "core/label/currentlabels.h"

#include "core/store/consolidationrepository.h"

namespace winnow::core {

Result<QHash<qint64, qint64>> currentLabels(Project &project) {
    return attempt([&] {
        ConsolidationRepository store(project);
        QHash<qint64, qint64> labels = store.mostFrequentAnswers();
        for (const auto &layer : {store.currentConsolidationLabels(), store.pinnedReviewLabels()})
            for (auto it = layer.cbegin(); it != layer.cend(); ++it)
                labels.insert(it.key(), it.value());
        return labels;
    });
}

} // namespace winnow::core

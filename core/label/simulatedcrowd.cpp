#include "core/label/simulatedcrowd.h"

#include "core/store/answerrepository.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <numeric>
#include <random>

namespace winnow::core {

Result<qint64> simulateAnnotators(Project &project, const QString &referenceAnnotator,
                                  const std::vector<SimulatedAnnotator> &annotators, int items,
                                  int perItem, unsigned seed) {
    return attempt([&] {
        if (annotators.empty() || perItem < 1 || perItem > int(annotators.size()))
            throw StoreError(QStringLiteral("need at least %1 simulated annotators").arg(perItem));
        const auto classes = project.classes();
        if (!classes || classes->size() < 2)
            throw StoreError(QStringLiteral("simulated answers need at least two classes"));
        std::vector<qint64> ids;
        for (const SimulatedAnnotator &a : annotators) {
            const auto id = project.ensureAnnotator(a.name, QStringLiteral("simulated"));
            if (!id)
                throw StoreError(id.error().message);
            ids.push_back(*id);
        }
        // item, class
        const std::vector<std::pair<qint64, qint64>> reference =
            referenceAnnotator.isEmpty()
                ? ConsolidationRepository(project).referenceLabels(items)
                : AnswerRepository(project).answersOf(referenceAnnotator, items);
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> unit(0, 1);
        std::vector<NewAnswer> answers;
        qint64 added = 0;
        std::vector<int> order(annotators.size());
        for (const auto &[item, truth] : reference) {
            std::iota(order.begin(), order.end(), 0);
            std::shuffle(order.begin(), order.end(), rng);
            for (int n = 0; n < perItem; ++n) {
                const int a = order[size_t(n)];
                qint64 label = truth;
                if (unit(rng) > annotators[size_t(a)].accuracy) {
                    do
                        label = (*classes)[rng() % classes->size()].id;
                    while (label == truth);
                }
                answers.push_back({item, ids[size_t(a)], label, qint64(1500 + rng() % 4000)});
                ++added;
            }
        }
        AnswerRepository(project).append(answers, QStringLiteral("simulated"));
        return added;
    });
}

} // namespace winnow::core

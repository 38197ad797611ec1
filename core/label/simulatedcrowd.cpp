#include "core/label/simulatedcrowd.h"

#include "core/store/answerlog.h"
#include "core/store/project.h"
#include "core/store/statement.h"
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
        std::vector<std::pair<qint64, qint64>> reference; // item, class
        {
            Statement query(project.database(), "SELECT a.item_id, a.class_id FROM live_answers a "
                                                "JOIN annotators n ON n.id = a.annotator_id"
                                                " WHERE n.name = ? ORDER BY a.item_id LIMIT ?");
            query.bind(1, referenceAnnotator).bind(2, items);
            while (query.step())
                reference.emplace_back(query.int64(0), query.int64(1));
        }
        std::mt19937 rng(seed);
        std::uniform_real_distribution<double> unit(0, 1);
        Database &db = project.database();
        Transaction transaction(db);
        AnswerLog log(db, QStringLiteral("simulated"));
        const QString now = nowIso();
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
                log.append({item, ids[size_t(a)], label, qint64(1500 + rng() % 4000)}, now);
                ++added;
            }
        }
        log.flush();
        transaction.commit();
        return added;
    });
}

} // namespace winnow::core

#include "core/loop/modelreport.h"

#include "core/loop/loopactions.h"
#include "core/store/itemrepository.h"
#include "core/store/project.h"
#include "core/store/runrepository.h"
#include "core/store/storeerror.h"

#include <QHash>
#include <algorithm>

namespace winnow::core {

Result<ModelReport> modelReport(Project &project, qint64 setId) {
    return attempt([&] {
        const LoadedPredictions loaded = loadPredictions(project, setId);
        const PredictionSet *set = &loaded.set;
        ModelReport report;
        report.setId = setId;
        report.classNames = loaded.classNames;
        const QHash<qint64, int> &index = loaded.classIndex;
        const size_t k = set->classIds.size();
        report.confusion.assign(k, std::vector<qint64>(k, 0));
        report.perClass.assign(k, {});

        // Which split each labeled item had in the run (a run's own, not today's).
        QHash<qint64, QString> splitOf;
        QString evaluated = QStringLiteral("cross-fit");
        if (set->kind == PredictionKind::Run && !set->runIds.empty()) {
            bool hasTest = false;
            for (const RunItem &item : RunRepository(project).items(set->runIds.front())) {
                splitOf.insert(item.itemId, item.split);
                hasTest = hasTest || item.split == QLatin1String("test");
            }
            evaluated = hasTest ? QStringLiteral("test") : QStringLiteral("val");
            report.evaluatedOn =
                QStringLiteral("the %1 split of run %2").arg(evaluated).arg(set->runIds.front());
        } else {
            report.evaluatedOn =
                QStringLiteral("every labeled item, out of sample (%1-fold cross-fitting)")
                    .arg(set->runIds.size());
        }
        QHash<qint64, QString> paths;
        for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
            paths.insert(item.id, item.path);

        for (const ItemPrediction &p : loaded.predictions) {
            if (!p.heldOut || p.givenClassId == 0 || !index.contains(p.givenClassId))
                continue;
            const QString split = set->kind == PredictionKind::CrossFit
                                      ? QStringLiteral("cross-fit")
                                      : splitOf.value(p.itemId);
            if (split != QLatin1String("val") && split != QLatin1String("test") &&
                split != QLatin1String("cross-fit"))
                continue;
            const int given = index.value(p.givenClassId), predicted = index.value(p.classId);
            if (split == evaluated) {
                ++report.confusion[size_t(given)][size_t(predicted)];
                ++report.perClass[size_t(given)].support;
                ++report.perClass[size_t(predicted)].predicted;
                ++report.evaluated;
                if (given == predicted) {
                    ++report.perClass[size_t(given)].correct;
                    ++report.correct;
                }
            }
            if (given != predicted)
                report.mistakes.push_back(
                    {p.itemId, paths.value(p.itemId), split, given, predicted, p.confidence});
        }
        std::sort(report.mistakes.begin(), report.mistakes.end(), [](const auto &a, const auto &b) {
            return a.confidence != b.confidence ? a.confidence > b.confidence : a.itemId < b.itemId;
        });
        return report;
    });
}

} // namespace winnow::core

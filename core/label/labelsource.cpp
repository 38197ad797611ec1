#include "core/label/labelsource.h"

#include "core/store/consolidationrepository.h"
#include "core/store/predictionrepository.h"

namespace winnow::core {
namespace {

constexpr auto kConsolidationPrefix = QLatin1String("consolidation:");
constexpr auto kReviewsPrefix = QLatin1String("reviews:");
constexpr auto kAnswers = QLatin1String("answers");

// Later layers win.
QHash<qint64, qint64> layered(std::initializer_list<QHash<qint64, qint64>> layers) {
    QHash<qint64, qint64> labels;
    for (const auto &layer : layers)
        for (auto it = layer.cbegin(); it != layer.cend(); ++it)
            labels.insert(it.key(), it.value());
    return labels;
}

// A consolidation named by number or by method (its newest); throws when there is none.
qint64 consolidationNamed(ConsolidationRepository &store, const QString &name) {
    bool isNumber = false;
    const qint64 id = name.toLongLong(&isNumber);
    if (isNumber) {
        if (!store.find(id))
            throw std::runtime_error(
                QStringLiteral("there is no consolidation %1 (winnow-cli info DIR lists "
                               "them)")
                    .arg(id)
                    .toStdString());
        return id;
    }
    for (const StoredConsolidation &c : store.list()) // newest first
        if (c.method.compare(name, Qt::CaseInsensitive) == 0)
            return c.id;
    throw std::runtime_error(
        QStringLiteral("no consolidation of method '%1' exists: give a consolidation's number or "
                       "the method of one")
            .arg(name)
            .toStdString());
}

} // namespace

QString LabelSource::spec() const {
    switch (kind) {
    case Kind::Current:
        return QStringLiteral("current");
    case Kind::Consolidation:
        return kConsolidationPrefix + QString::number(consolidationId);
    case Kind::Reviews:
        return kReviewsPrefix +
               (consolidationId > 0 ? QString::number(consolidationId) : QString(kAnswers));
    case Kind::Import:
        return QStringLiteral("import");
    }
    return {};
}

Result<LabelSource> parseLabelSource(Project &project, const QString &text) {
    return attempt([&] {
        const QString spec = text.trimmed();
        if (spec == QLatin1String("current"))
            return LabelSource{};
        if (spec == QLatin1String("import"))
            return LabelSource{LabelSource::Kind::Import, 0};
        ConsolidationRepository store(project);
        if (spec.startsWith(kConsolidationPrefix)) {
            const QString name = spec.mid(kConsolidationPrefix.size());
            const qint64 id = name == QLatin1String("current") ? store.currentId()
                                                               : consolidationNamed(store, name);
            if (id == 0)
                throw std::runtime_error(
                    "no consolidation is marked current (Review tab, Use for Training; or "
                    "consolidate --make-current)");
            return LabelSource{LabelSource::Kind::Consolidation, id};
        }
        if (spec.startsWith(kReviewsPrefix)) {
            const QString name = spec.mid(kReviewsPrefix.size());
            return LabelSource{LabelSource::Kind::Reviews,
                               name == kAnswers ? 0 : consolidationNamed(store, name)};
        }
        throw std::runtime_error(
            QStringLiteral("unknown label source '%1': current, consolidation:C, reviews:C, "
                           "reviews:answers or import (C: a consolidation's number or method)")
                .arg(spec)
                .toStdString());
    });
}

Result<LabelSource> fixLabelSource(Project &project, const LabelSource &source) {
    if (source.kind != LabelSource::Kind::Current)
        return source;
    return attempt([&] {
        return LabelSource{LabelSource::Kind::Reviews,
                           ConsolidationRepository(project).currentId()};
    });
}

Result<LabelSource> fixedLabelSource(Project &project, const QString &spec) {
    const auto parsed = parseLabelSource(project, spec);
    return parsed ? fixLabelSource(project, *parsed) : parsed;
}

Result<QHash<qint64, qint64>> labelsOf(Project &project, const LabelSource &source) {
    return attempt([&] {
        ConsolidationRepository store(project);
        switch (source.kind) {
        case LabelSource::Kind::Current:
            return layered({PredictionRepository(project).liveMachineLabels(),
                            store.mostFrequentAnswers(), store.currentConsolidationLabels(),
                            store.pinnedReviewLabels()});
        case LabelSource::Kind::Consolidation:
            return store.consolidationLabels(source.consolidationId);
        case LabelSource::Kind::Reviews:
            return layered(
                {PredictionRepository(project).liveMachineLabels(), store.mostFrequentAnswers(),
                 source.consolidationId > 0 ? store.consolidationLabels(source.consolidationId)
                                            : QHash<qint64, qint64>{},
                 store.pinnedReviewLabels()});
        case LabelSource::Kind::Import:
            return store.mostFrequentImportedAnswers();
        }
        return QHash<qint64, qint64>{};
    });
}

QString describeLabelSource(Project &project, const LabelSource &source) {
    const auto named = [&](qint64 id) {
        const auto found = attempt([&] { return ConsolidationRepository(project).find(id); });
        return found && *found
                   ? QStringLiteral("consolidation %1 (%2)").arg(id).arg((*found)->method)
                   : QStringLiteral("consolidation %1").arg(id);
    };
    switch (source.kind) {
    case LabelSource::Kind::Current:
        return QStringLiteral("the current labels");
    case LabelSource::Kind::Consolidation:
        return named(source.consolidationId) + QStringLiteral(" alone");
    case LabelSource::Kind::Reviews: {
        const auto machine =
            attempt([&] { return PredictionRepository(project).liveMachineLabels().size(); });
        const QString then = machine && *machine > 0
                                 ? QStringLiteral(", then %1 machine labels").arg(*machine)
                                 : QString();
        return (source.consolidationId > 0
                    ? QStringLiteral("review decisions, then %1, then the most frequent answer")
                          .arg(named(source.consolidationId))
                    : QStringLiteral("review decisions, then the most frequent answer")) +
               then;
    }
    case LabelSource::Kind::Import:
        return QStringLiteral("the labels that came with the images");
    }
    return {};
}

Result<QHash<qint64, qint64>> currentLabels(Project &project) {
    return labelsOf(project, LabelSource{});
}

} // namespace winnow::core

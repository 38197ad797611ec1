#include "core/store/records.h"

#include "core/util/enumnames.h"

namespace winnow::core {
namespace {

constexpr EnumName<RunStatus> kRunStatuses[] = {{RunStatus::Running, "running"},
                                                {RunStatus::Cancelled, "cancelled"},
                                                {RunStatus::Failed, "failed"},
                                                {RunStatus::Finished, "finished"}};
constexpr EnumName<ReviewDecision> kReviewDecisions[] = {{ReviewDecision::Accept, "accept"},
                                                         {ReviewDecision::Override, "override"},
                                                         {ReviewDecision::More, "more"}};

constexpr EnumName<FlagKind> kFlagKinds[] = {{FlagKind::ExactDuplicate, "exact-duplicate"},
                                             {FlagKind::NearDuplicate, "near-duplicate"},
                                             {FlagKind::Leak, "leak"},
                                             {FlagKind::Divergent, "divergent"},
                                             {FlagKind::Dark, "dark"},
                                             {FlagKind::Bright, "bright"},
                                             {FlagKind::LowInformation, "low-information"},
                                             {FlagKind::OddSize, "odd-size"},
                                             {FlagKind::EmbeddingDuplicate, "embedding-duplicate"},
                                             {FlagKind::LabelConflict, "label-conflict"},
                                             {FlagKind::LabelError, "label-error"}};

} // namespace

QString runStatusName(RunStatus status) {
    return enumName(kRunStatuses, status);
}
std::optional<RunStatus> parseRunStatus(const QString &name) {
    return parseEnumName(kRunStatuses, name);
}
QString reviewDecisionName(ReviewDecision decision) {
    return enumName(kReviewDecisions, decision);
}
std::optional<ReviewDecision> parseReviewDecision(const QString &name) {
    return parseEnumName(kReviewDecisions, name);
}

QString flagKindName(FlagKind kind) {
    return enumName(kFlagKinds, kind);
}
std::optional<FlagKind> parseFlagKind(const QString &name) {
    return parseEnumName(kFlagKinds, name);
}
QStringList flagKindNames() {
    QStringList names;
    for (const auto &entry : kFlagKinds)
        names << QString::fromLatin1(entry.text);
    return names;
}

} // namespace winnow::core

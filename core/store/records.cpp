#include "core/store/records.h"

#include <iterator>

namespace winnow::core {
namespace {

template <typename Enum> struct Name {
    Enum value;
    const char *text;
};

constexpr Name<RunStatus> kRunStatuses[] = {{RunStatus::Running, "running"},
                                            {RunStatus::Cancelled, "cancelled"},
                                            {RunStatus::Failed, "failed"},
                                            {RunStatus::Finished, "finished"}};
constexpr Name<ReviewDecision> kReviewDecisions[] = {{ReviewDecision::Accept, "accept"},
                                                     {ReviewDecision::Override, "override"},
                                                     {ReviewDecision::More, "more"}};

constexpr Name<FlagKind> kFlagKinds[] = {{FlagKind::ExactDuplicate, "exact-duplicate"},
                                         {FlagKind::NearDuplicate, "near-duplicate"},
                                         {FlagKind::Leak, "leak"},
                                         {FlagKind::Divergent, "divergent"},
                                         {FlagKind::Dark, "dark"},
                                         {FlagKind::Bright, "bright"},
                                         {FlagKind::LowInformation, "low-information"},
                                         {FlagKind::OddSize, "odd-size"},
                                         {FlagKind::EmbeddingDuplicate, "embedding-duplicate"}};

template <typename Enum, size_t N> QString nameOf(const Name<Enum> (&table)[N], Enum value) {
    for (const auto &entry : table)
        if (entry.value == value)
            return QString::fromLatin1(entry.text);
    return {};
}

template <typename Enum, size_t N>
std::optional<Enum> parse(const Name<Enum> (&table)[N], const QString &text) {
    for (const auto &entry : table)
        if (text == QLatin1String(entry.text))
            return entry.value;
    return std::nullopt;
}

} // namespace

QString runStatusName(RunStatus status) {
    return nameOf(kRunStatuses, status);
}
std::optional<RunStatus> parseRunStatus(const QString &name) {
    return parse(kRunStatuses, name);
}
QString reviewDecisionName(ReviewDecision decision) {
    return nameOf(kReviewDecisions, decision);
}
std::optional<ReviewDecision> parseReviewDecision(const QString &name) {
    return parse(kReviewDecisions, name);
}

QString flagKindName(FlagKind kind) {
    return nameOf(kFlagKinds, kind);
}
std::optional<FlagKind> parseFlagKind(const QString &name) {
    return parse(kFlagKinds, name);
}
QStringList flagKindNames() {
    QStringList names;
    for (const auto &entry : kFlagKinds)
        names << QString::fromLatin1(entry.text);
    return names;
}

} // namespace winnow::core

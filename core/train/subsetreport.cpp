#include "core/train/subsetreport.h"

#include "core/io/csvreader.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/itemrepository.h"
#include "core/store/storeaccess.h"
#include "core/train/runs.h"
#include "core/train/trainingset.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <algorithm>

namespace winnow::core {

namespace {

struct Group {
    QString name;
    bool (*member)(const SubsetItem &);
};

bool hasFlag(const SubsetItem &item, std::initializer_list<FlagKind> kinds) {
    for (FlagKind kind : kinds)
        if (item.flags.contains(flagKindName(kind)))
            return true;
    return false;
}

const std::vector<Group> &groups() {
    static const std::vector<Group> all = {
        {QObject::tr("labels that differ from the reference"),
         [](const SubsetItem &item) { return item.matchesReference == false; }},
        {QObject::tr("low-confidence labels (< %1)").arg(kLowLabelConfidence),
         [](const SubsetItem &item) {
             return item.confidence && *item.confidence < kLowLabelConfidence;
         }},
        {QObject::tr("divergent"),
         [](const SubsetItem &item) { return hasFlag(item, {FlagKind::Divergent}); }},
        {QObject::tr("duplicates"),
         [](const SubsetItem &item) {
             return hasFlag(item, {FlagKind::ExactDuplicate, FlagKind::NearDuplicate,
                                   FlagKind::EmbeddingDuplicate, FlagKind::Leak,
                                   FlagKind::LabelConflict});
         }},
        {QObject::tr("likely label errors"),
         [](const SubsetItem &item) { return hasFlag(item, {FlagKind::LabelError}); }},
        {QObject::tr("image quality flags"),
         [](const SubsetItem &item) {
             return hasFlag(item, {FlagKind::Dark, FlagKind::Bright, FlagKind::LowInformation,
                                   FlagKind::OddSize});
         }},
    };
    return all;
}

bool counted(const SubsetReport &report, const SelectionRound &round) {
    return round.round > 0 || report.rounds.size() == 1;
}

} // namespace

std::vector<const SubsetItem *> SubsetReport::alwaysChosen() const {
    std::vector<const SubsetItem *> chosen;
    for (const SubsetItem &item : items)
        if (countedRounds > 0 && item.timesChosen == countedRounds)
            chosen.push_back(&item);
    return chosen;
}

std::vector<const SubsetItem *> SubsetReport::neverChosen() const {
    std::vector<const SubsetItem *> never;
    for (const SubsetItem &item : items)
        if (countedRounds > 0 && item.timesChosen == 0)
            never.push_back(&item);
    return never;
}

const SubsetItem *SubsetReport::item(qint64 itemId) const {
    const auto row = rowOf.constFind(itemId);
    return row == rowOf.cend() ? nullptr : &items[*row];
}

std::vector<GroupShare> SubsetReport::groupShares(const SelectionRound &round) const {
    const QSet<qint64> kept(round.itemIds.begin(), round.itemIds.end());
    std::vector<GroupShare> shares;
    for (const Group &group : groups()) {
        GroupShare share;
        share.group = group.name;
        for (const SubsetItem &item : items)
            if (group.member(item)) {
                ++share.inSet;
                share.kept += kept.contains(item.itemId) ? 1 : 0;
            }
        if (share.inSet == 0)
            continue;
        share.setShare = double(share.inSet) / double(items.size());
        share.keptShare = kept.isEmpty() ? 0 : double(share.kept) / double(kept.size());
        shares.push_back(share);
    }
    return shares;
}

Result<SubsetReport> subsetReport(Project &project, qint64 runId) {
    const auto snapshot = runSnapshot(project, runId);
    if (!snapshot)
        return snapshot.error();
    auto rounds = runSelections(project, runId);
    if (!rounds)
        return rounds.error();
    return attempt([&] {
        SubsetReport report;
        report.rounds = std::move(rounds).value();
        QHash<qint64, QString> paths;
        for (const ItemFacts &item : ItemRepository(project).all(ItemRepository::Order::ById))
            paths.insert(item.id, item.path);
        QHash<qint64, QStringList> flags;
        for (const FlagRow &flag : FlagRepository(project).list(std::nullopt)) {
            QStringList &kinds = flags[flag.itemId];
            if (!kinds.contains(flagKindName(flag.kind)))
                kinds << flagKindName(flag.kind);
        }
        const QHash<qint64, double> confidences =
            ConsolidationRepository(project).currentConsolidationConfidences();
        QHash<qint64, qint64> reference;
        for (const auto &[itemId, classId] : ConsolidationRepository(project).referenceLabels())
            reference.insert(itemId, classId);
        for (const SnapshotItem &item : snapshot->items) {
            if (item.split != Split::Train)
                continue;
            SubsetItem row;
            row.itemId = item.itemId;
            row.path = paths.value(item.itemId);
            row.label = snapshot->classNames.value(item.label);
            row.flags = flags.value(item.itemId);
            if (const auto found = confidences.constFind(item.itemId); found != confidences.cend())
                row.confidence = *found;
            if (const auto found = reference.constFind(item.itemId); found != reference.cend())
                row.matchesReference = *found == snapshot->classIds[size_t(item.label)];
            report.rowOf.insert(item.itemId, report.items.size());
            report.items.push_back(row);
        }
        for (const SelectionRound &round : report.rounds) {
            if (!counted(report, round))
                continue;
            ++report.countedRounds;
            for (qint64 id : round.itemIds)
                if (const auto row = report.rowOf.constFind(id); row != report.rowOf.cend())
                    ++report.items[*row].timesChosen;
        }
        // Round 0 is not counted when later rounds exist; it still names a last round.
        for (const SelectionRound &round : report.rounds)
            for (qint64 id : round.itemIds)
                if (const auto row = report.rowOf.constFind(id); row != report.rowOf.cend())
                    report.items[*row].lastRound =
                        std::max(report.items[*row].lastRound, round.round);
        return report;
    });
}

QString subsetCsv(const SubsetReport &report, std::optional<int> round) {
    QString csv = QStringLiteral("item,path,label,round,times_chosen,flags\n");
    QSet<qint64> kept;
    if (round)
        for (const SelectionRound &r : report.rounds)
            if (r.round == *round)
                kept = QSet<qint64>(r.itemIds.begin(), r.itemIds.end());
    for (const SubsetItem &item : report.items) {
        if (round && !kept.contains(item.itemId))
            continue;
        const int shownRound = round ? *round : item.lastRound;
        csv += QString::number(item.itemId) + u',' + CsvReader::quote(item.path) + u',' +
               CsvReader::quote(item.label) + u',' +
               (shownRound >= 0 ? QString::number(shownRound) : QString()) + u',' +
               QString::number(item.timesChosen) + u',' + CsvReader::quote(item.flags.join(u';')) +
               u'\n';
    }
    return csv;
}

} // namespace winnow::core

// dedup, flags and split: duplicates, leaks and other flags, and splits that keep clusters whole.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "core/curation/curation.h"
#include "core/curation/duplicates.h"
#include "core/curation/splits.h"
#include "core/io/csvreader.h"
#include "core/store/project.h"
#include "core/train/trainer.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTextStream>

namespace winnow::cli {
namespace {

using namespace winnow::core;

int maxDistanceOption(const QCommandLineParser &parser) {
    bool ok = false;
    const int distance = parser.value(QStringLiteral("max-distance")).toInt(&ok);
    if (!ok || distance < 0 || distance > 64)
        throw UsageError{QStringLiteral("--max-distance must be 0 to 64, not '%1'")
                             .arg(parser.value(QStringLiteral("max-distance")))};
    return distance;
}

// Project-free: cluster,path for every image under FOLDER that has at least one duplicate.
int dedupFolder(const QString &folder, int maxDistance, bool mirrors, bool followLinks,
                const QString &outFile, QTextStream &out, QTextStream &err) {
    QElapsedTimer timer;
    timer.start();
    const auto found = findFolderDuplicates(folder, maxDistance, mirrors, followLinks);
    if (!found)
        return fail(err, found.error());
    for (const ImportIssue &issue : found->skipped)
        err << "skipped " << issue.path << ": " << issue.reason << Qt::endl;
    QByteArray text = "cluster,path\n";
    for (const auto &[cluster, path] : found->members)
        text += QByteArray::number(cluster) + ',' + CsvReader::quote(path).toUtf8() + '\n';
    if (!saveFile(outFile, text, err))
        return kExitFailure;
    out << QStringLiteral("%1 images, %2 in %3 duplicate clusters (max distance %4), %5 s")
               .arg(found->images)
               .arg(found->members.size())
               .arg(found->clusters)
               .arg(maxDistance)
               .arg(timer.elapsed() / 1000.0, 0, 'f', 2)
        << Qt::endl;
    return kExitOk;
}

int cmdDedup(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const bool folderMode = parser.parse(QStringList{QStringLiteral("winnow-cli")} + args) &&
                            parser.isSet(QStringLiteral("images"));
    const QStringList positional = parse(parser, args, folderMode ? 0 : 1, folderMode ? 0 : 1);
    const int distance = maxDistanceOption(parser);
    if (folderMode) {
        if (!parser.isSet(QStringLiteral("out")))
            throw UsageError{QStringLiteral("--images needs --out CLUSTERS.csv")};
        return dedupFolder(parser.value(QStringLiteral("images")), distance,
                           parser.isSet(QStringLiteral("mirrors")),
                           parser.isSet(QStringLiteral("follow-links")),
                           parser.value(QStringLiteral("out")), out, err);
    }
#ifdef WINNOW_CLI_WITHOUT_TORCH
    if (parser.isSet(QStringLiteral("embeddings")))
        return runInTrainingProgram(out, err);
#endif
    auto project = openProject(positional.first(), err);
    if (!project)
        return kExitFailure;
#ifndef WINNOW_CLI_WITHOUT_TORCH
    if (parser.isSet(QStringLiteral("embeddings"))) {
        bool ok = false, similarityOk = false;
        const qint64 runId = parser.value(QStringLiteral("embeddings")).toLongLong(&ok);
        const double similarity =
            parser.value(QStringLiteral("min-similarity")).toDouble(&similarityOk);
        if (!ok || !similarityOk || similarity <= 0 || similarity > 1)
            throw UsageError{QStringLiteral(
                "--embeddings takes a run number and --min-similarity a number in (0, 1]")};
        const auto found =
            flagEmbeddingDuplicates(*project, runId, similarity, terminalProgress(err));
        endProgress(err);
        if (!found)
            return fail(err, found.error());
        out << QStringLiteral("%1 of %2 items in %3 clusters at cosine similarity >= %4 with run "
                              "%5's model (%6 pairs); "
                              "stored as embedding-duplicate flags")
                   .arg(found->flagged)
                   .arg(found->items)
                   .arg(found->clusters)
                   .arg(similarity)
                   .arg(runId)
                   .arg(found->pairs)
            << Qt::endl;
        return kExitOk;
    }
#endif
    const auto summary =
        flagDuplicates(*project, distance, parser.isSet(QStringLiteral("mirrors")));
    if (!summary)
        return fail(err, summary.error());
    out << duplicateSummaryLine(*summary, distance) << Qt::endl;
    return kExitOk;
}

int cmdFlags(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const int distance = maxDistanceOption(parser);
    bool ok = false;
    const double minConfidence = parser.value(QStringLiteral("min-confidence")).toDouble(&ok);
    if (!ok || minConfidence < 0 || minConfidence > 1)
        throw UsageError{QStringLiteral("--min-confidence must be between 0 and 1")};
    std::optional<FlagKind> kind;
    if (parser.isSet(QStringLiteral("kind"))) {
        kind = parseFlagKind(parser.value(QStringLiteral("kind")));
        if (!kind)
            throw UsageError{QStringLiteral("unknown flag kind '%1' (one of %2)")
                                 .arg(parser.value(QStringLiteral("kind")),
                                      flagKindNames().join(QStringLiteral(", ")))};
    }
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (!parser.isSet(QStringLiteral("no-refresh"))) {
        const auto duplicates = flagDuplicates(*project, distance);
        const auto quality = flagQuality(*project, {}, terminalProgress(err));
        const auto divergent = flagDivergent(*project, minConfidence);
        for (const QString &failure :
             {duplicates.errorMessage(), quality.errorMessage(), divergent.errorMessage()})
            if (!failure.isEmpty())
                return fail(err, failure);
        endProgress(err);
    }
    const auto rows = listFlags(*project, kind);
    if (!rows)
        return fail(err, rows.error());
    QMap<QString, qint64> counts;
    for (const FlagRow &row : *rows)
        ++counts[flagKindName(row.kind)];
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out << it.key() << '\t' << it.value() << Qt::endl;
    if (counts.isEmpty())
        out << "no flags" << Qt::endl;
    if (parser.isSet(QStringLiteral("out"))) {
        QByteArray text = "item,kind,cluster,value,detail,split,excluded\n";
        for (const FlagRow &row : *rows)
            text +=
                (CsvReader::quote(project->storedPath(row.path)) + u',' + flagKindName(row.kind) +
                 u',' + (row.cluster ? QString::number(row.cluster) : QString()) + u',' +
                 QString::number(row.value, 'g', 6) + u',' + CsvReader::quote(row.detail) + u',' +
                 row.split + u',' + (row.excluded ? QStringLiteral("yes") : QStringLiteral("no")) +
                 u'\n')
                    .toUtf8();
        if (!saveFile(parser.value(QStringLiteral("out")), text, err))
            return kExitFailure;
    }
    return kExitOk;
}

int cmdSplit(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const int distance = maxDistanceOption(parser);
    const unsigned seed = parser.value(QStringLiteral("seed")).toUInt();
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (parser.isSet(QStringLiteral("folds"))) {
        if (!parser.isSet(QStringLiteral("out")))
            throw UsageError{QStringLiteral("--folds needs --out FOLDS.csv")};
        const auto folds =
            groupKFold(*project, parser.value(QStringLiteral("folds")).toInt(), seed, distance);
        if (!folds)
            return fail(err, folds.error());
        const auto items = project->items({}, 0, INT_MAX);
        QByteArray text = "item,fold\n";
        for (const ItemRecord &item : *items)
            text += CsvReader::quote(project->storedPath(item.path)).toUtf8() + ',' +
                    QByteArray::number(folds->value(item.id)) + '\n';
        if (!saveFile(parser.value(QStringLiteral("out")), text, err))
            return kExitFailure;
        out << "assigned " << folds->size() << " items to " << parser.value(QStringLiteral("folds"))
            << " folds" << Qt::endl;
        return kExitOk;
    }
    SplitOptions options;
    options.train = parser.value(QStringLiteral("train")).toDouble();
    options.val = parser.value(QStringLiteral("val")).toDouble();
    options.test = parser.value(QStringLiteral("test")).toDouble();
    options.seed = seed;
    options.maxDistance = distance;
    const auto summary = resplitProject(*project, options);
    if (!summary)
        return fail(err, summary.error());
    out << QStringLiteral("train %1, val %2, test %3 (seed %4; %5 duplicate clusters kept whole)")
               .arg(summary->items[0])
               .arg(summary->items[1])
               .arg(summary->items[2])
               .arg(seed)
               .arg(summary->groupsKeptWhole)
        << Qt::endl;
    return kExitOk;
}

} // namespace

QString duplicateSummaryLine(const core::DuplicateSummary &summary, int maxDistance) {
    return QStringLiteral("%1 exact and %2 near-duplicate clusters (%3 items, max distance %4); %5 "
                          "clusters leak across splits (%6 items); the labels disagree in %7 "
                          "clusters")
        .arg(summary.exactClusters)
        .arg(summary.nearClusters)
        .arg(summary.duplicateItems)
        .arg(maxDistance)
        .arg(summary.leakClusters)
        .arg(summary.leakItems)
        .arg(summary.conflictClusters);
}

void addCurationCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("dedup"),
         {QStringLiteral("dedup DIR [--max-distance D] [--mirrors]\n       dedup DIR --embeddings "
                         "RUN [--min-similarity S]\n       dedup --images FOLDER --out "
                         "CLUSTERS.csv [--max-distance D] [--mirrors]"),
          QStringLiteral("exact and near duplicates (and leaks across splits in a project)"),
          cmdDedup,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("images"), QStringLiteral("folder of images (no project)"),
                   QStringLiteral("FOLDER")},
                  {QStringLiteral("out"), QStringLiteral("cluster,path CSV to write"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("mirrors"),
                   QStringLiteral("also find copies mirrored left to right")},
                  {QStringLiteral("follow-links"),
                   QStringLiteral("with --images: also read links that lead out of the folder")},
                  {QStringLiteral("embeddings"),
                   QStringLiteral("near duplicates by the embeddings of this training run's model"),
                   QStringLiteral("RUN")},
                  {QStringLiteral("min-similarity"),
                   QStringLiteral("cosine similarity of embedding duplicates"), QStringLiteral("S"),
                   QStringLiteral("0.98")},
                  {QStringLiteral("max-distance"),
                   QStringLiteral("perceptual-hash Hamming distance for near duplicates"),
                   QStringLiteral("D"), QString::number(kDefaultNearDuplicateDistance)},
              });
          }}},
        {QStringLiteral("flags"),
         {QStringLiteral("flags DIR [--kind K] [--out FILE.csv] [--no-refresh]"),
          QStringLiteral("compute and list duplicate, leak, divergent and image-quality flags"),
          cmdFlags,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("kind"), QStringLiteral("only this kind"), QStringLiteral("K")},
                  {QStringLiteral("out"), QStringLiteral("CSV to write"), QStringLiteral("FILE")},
                  {QStringLiteral("no-refresh"),
                   QStringLiteral("list the stored flags without computing them")},
                  {QStringLiteral("max-distance"), QStringLiteral("near-duplicate distance"),
                   QStringLiteral("D"), QString::number(kDefaultNearDuplicateDistance)},
                  {QStringLiteral("min-confidence"),
                   QStringLiteral("consolidated confidence under which an item is divergent"),
                   QStringLiteral("C"), QStringLiteral("0.7")},
              });
          }}},
        {QStringLiteral("split"),
         {QStringLiteral("split DIR --train 0.8 --val 0.1 --test 0.1 [--seed S]\n       split DIR "
                         "--folds K --out FOLDS.csv [--seed S]"),
          QStringLiteral("stratified, seeded splits that keep duplicate clusters whole"), cmdSplit,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("train"), QStringLiteral("fraction"), QStringLiteral("F"),
                   QStringLiteral("0.8")},
                  {QStringLiteral("val"), QStringLiteral("fraction"), QStringLiteral("F"),
                   QStringLiteral("0.1")},
                  {QStringLiteral("test"), QStringLiteral("fraction"), QStringLiteral("F"),
                   QStringLiteral("0.1")},
                  {QStringLiteral("seed"), QStringLiteral("seed"), QStringLiteral("S"),
                   QStringLiteral("0")},
                  {QStringLiteral("folds"), QStringLiteral("stratified group k-fold instead"),
                   QStringLiteral("K")},
                  {QStringLiteral("out"), QStringLiteral("item,fold CSV to write"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("max-distance"),
                   QStringLiteral("near-duplicate distance of the clusters kept whole"),
                   QStringLiteral("D"), QString::number(kDefaultNearDuplicateDistance)},
              });
          }}},
    });
}

} // namespace winnow::cli

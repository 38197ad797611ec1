// init, import, export, info, demo and version: making a project, filling it with images and
// taking the curated dataset out.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "core/consensus/consensus.h"
#include "core/consensus/consolidation.h"
#include "core/curation/curation.h"
#include "core/io/datasetexport.h"
#include "core/io/folderimporter.h"
#include "core/io/idximporter.h"
#include "core/io/imagecopies.h"
#include "core/label/simulatedcrowd.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/teamrepository.h"
#include "core/train/computeinfo.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QTextStream>

namespace winnow::cli {
namespace {

using namespace winnow::core;

constexpr auto kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

int reportImport(const Result<ImportSummary> &result, QTextStream &out, QTextStream &err) {
    if (!result)
        return fail(err, result.error());
    endProgress(err);
    const ImportSummary &s = *result;
    for (const ImportIssue &issue : s.issues)
        err << "skipped " << issue.path << ": " << issue.reason << Qt::endl;
    out << QStringLiteral(
               "imported %1, already present %2, skipped %3 of %4 files in %5 s (%6 images/s)%7")
               .arg(s.imported)
               .arg(s.alreadyPresent)
               .arg(s.skipped)
               .arg(s.found)
               .arg(s.seconds, 0, 'f', 2)
               .arg(s.seconds > 0 ? s.imported / s.seconds : 0.0, 0, 'f', 0)
               .arg(s.cancelled ? QStringLiteral(" (cancelled)") : QString())
        << Qt::endl;
    return kExitOk;
}

int cmdInit(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    auto project = Project::create(dir);
    if (!project)
        return fail(err, project.error());
    if ((*project)->isOnServer()) {
        // The team's roles, grants and row security come with the project.
        if (const auto team = attempt([&] { TeamRepository(**project).setUp(); }); !team)
            return fail(err, team.error());
    }
    out << "created project " << (*project)->directory() << Qt::endl;
    return kExitOk;
}

int cmdImport(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
              QTextStream &err) {
    const QStringList positional = parse(parser, args, 1, 3);
    const bool images = parser.isSet(QStringLiteral("images"));
    const bool idx = parser.isSet(QStringLiteral("idx"));
    if (images == idx)
        throw UsageError{QStringLiteral("give either --images FOLDER or --idx IMAGES LABELS")};
    if (idx && positional.size() != 2)
        throw UsageError{QStringLiteral("--idx needs two files: IMAGES LABELS")};
    if (images && positional.size() != 1)
        throw UsageError{QStringLiteral("unexpected argument '%1'").arg(positional.last())};
    const auto split = splitOption(parser);

    auto project = openProject(positional.first(), err);
    if (!project)
        return kExitFailure;
    if (images) {
        ImportOptions options{split, parser.isSet(QStringLiteral("labels-from-folders"))};
        options.followLinksOutside = parser.isSet(QStringLiteral("follow-links"));
        const double megapixels = numberOption(parser, QStringLiteral("max-megapixels"));
        if (!(megapixels > 0))
            throw UsageError{QStringLiteral("--max-megapixels must be positive")};
        options.maxPixels = qint64(megapixels * 1e6);
        const int code =
            reportImport(importImageFolder(*project, parser.value(QStringLiteral("images")),
                                           options, terminalProgress(err)),
                         out, err);
        // A team's annotators may not reach these files: the server keeps copies.
        return code == kExitOk && project->isOnServer()
                   ? reportImageCopies(*project, kDefaultImageCopySide, out, err)
                   : code;
    }
    IdxOptions options;
    options.split = split;
    if (parser.isSet(QStringLiteral("limit")))
        options.limit = parser.value(QStringLiteral("limit")).toLongLong();
    if (parser.isSet(QStringLiteral("class-names")))
        options.classNames = parser.value(QStringLiteral("class-names")).split(u',');
    const int code = reportImport(importIdx(*project, parser.value(QStringLiteral("idx")),
                                            positional[1], options, terminalProgress(err)),
                                  out, err);
    return code == kExitOk && project->isOnServer()
               ? reportImageCopies(*project, kDefaultImageCopySide, out, err)
               : code;
}

int cmdExport(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
              QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    DatasetExportOptions options;
    const auto format = parseExportFormat(parser.value(QStringLiteral("format")));
    if (!format)
        throw UsageError{QStringLiteral("--format must be imagefolder, csv or manifest, not '%1'")
                             .arg(parser.value(QStringLiteral("format")))};
    options.format = *format;
    options.folder = parser.value(QStringLiteral("out"));
    if (options.folder.isEmpty())
        throw UsageError{QStringLiteral("give the folder to write into: --out FOLDER")};
    options.copyImages = parser.isSet(QStringLiteral("copy"));
    if (parser.isSet(QStringLiteral("subset"))) {
        options.subset = parseSubsetRef(parser.value(QStringLiteral("subset")));
        if (!options.subset)
            throw UsageError{QStringLiteral("--subset must be RUN:ROUND, RUN:last or RUN, not '%1'")
                                 .arg(parser.value(QStringLiteral("subset")))};
    }
    auto project = openProject(dir, err, Database::Mode::ReadOnly);
    if (!project)
        return kExitFailure;
    const auto summary = exportDataset(*project, options, terminalProgress(err));
    if (!summary)
        return fail(err, summary.error());
    endProgress(err);
    for (const ImportIssue &issue : summary->issues)
        err << "left out " << issue.path << ": " << issue.reason << Qt::endl;
    QStringList splits;
    for (const CountRow &row : summary->perSplit)
        splits << QStringLiteral("%1 %2").arg(row.count).arg(row.name);
    out << QStringLiteral("exported %1 images (%2) to %3 as %4; left out %5 excluded, %6 "
                          "unlabeled, %7 unreadable")
               .arg(summary->written)
               .arg(splits.isEmpty() ? QStringLiteral("none") : splits.join(QLatin1String(", ")))
               .arg(QFileInfo(options.folder).absoluteFilePath(), exportFormatName(options.format))
               .arg(summary->excluded)
               .arg(summary->unlabeled)
               .arg(summary->issues.size())
        << Qt::endl;
    return summary->issues.empty() ? kExitOk : kExitFailure;
}

void printCounts(QTextStream &out, const QString &title, const std::vector<CountRow> &rows) {
    out << title << ":" << Qt::endl;
    if (rows.empty())
        out << "  (none)" << Qt::endl;
    for (const CountRow &row : rows)
        out << "  " << row.name << '\t' << row.count << Qt::endl;
}

int cmdInfo(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const auto summary = project->summary();
    if (!summary)
        return fail(err, summary.error());
    out << "project " << project->directory() << Qt::endl;
    out << "items\t" << summary->items << Qt::endl;
    out << "answers\t" << summary->answers << Qt::endl;
    printCounts(out, QStringLiteral("split"), summary->perSplit);
    printCounts(out, QStringLiteral("class"), summary->perClass);
    printCounts(out, QStringLiteral("annotator"), summary->perAnnotator);
    const auto reference = attempt([&] {
        ConsolidationRepository store(*project);
        return std::make_pair(store.referenceLabels().size(), store.referenceScores());
    });
    if (!reference)
        return fail(err, reference.error());
    if (reference->first > 0) {
        QHash<qint64, QString> names;
        if (const auto annotators = project->annotators())
            for (const AnnotatorInfo &a : *annotators)
                names.insert(a.id, a.name);
        out << "reference labels\t" << reference->first
            << " (hidden: they label no image, they score the annotators)" << Qt::endl;
        out << "accuracy against the reference:" << Qt::endl;
        for (const ReferenceScore &score : reference->second)
            out << "  " << names.value(score.annotatorId) << '\t'
                << QString::number(double(score.agreeing) / double(score.answers), 'f', 3) << '\t'
                << score.answers << " answers" << Qt::endl;
    }
    const auto consolidations = listConsolidations(*project);
    if (!consolidations)
        return fail(err, consolidations.error());
    for (const ConsolidationInfo &c : *consolidations)
        out << QStringLiteral("consolidation %1\t%2\t%3\t%4 items%5")
                   .arg(c.id)
                   .arg(c.method, c.createdAt)
                   .arg(c.items)
                   .arg(c.current ? QStringLiteral("\tcurrent") : QString())
            << Qt::endl;
    return kExitOk;
}

int cmdDemo(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const qint64 train = parser.value(QStringLiteral("train")).toLongLong();
    const qint64 test = parser.value(QStringLiteral("test")).toLongLong();
    const QDir source(parser.value(QStringLiteral("source")));
    if (train <= 0 || test <= 0)
        throw UsageError{QStringLiteral("--train and --test must be positive")};
    if (!source.exists(QStringLiteral("train-images-idx3-ubyte.gz"))) {
        err << "error: " << source.path()
            << ": Fashion-MNIST not found (install the Debian package dataset-fashion-mnist)"
            << Qt::endl;
        return kExitFailure;
    }
    auto created = Project::create(dir);
    if (!created)
        return fail(err, created.error());
    Project &project = **created;
    const auto importPart = [&](const char *prefix, Split split, qint64 count) {
        IdxOptions options{split, count, fashionMnistClassNames()};
        // The training labels are the hidden reference that scores the crowd; the test labels
        // come with the data, as a labeled test set does.
        options.labelsAsReference = split == Split::Train;
        out << "importing " << count << " " << splitName(split) << " images: ";
        return reportImport(
            importIdx(project,
                      source.filePath(
                          QStringLiteral("%1-images-idx3-ubyte.gz").arg(QLatin1String(prefix))),
                      source.filePath(
                          QStringLiteral("%1-labels-idx1-ubyte.gz").arg(QLatin1String(prefix))),
                      options, terminalProgress(err)),
            out, err);
    };
    if (const int code = importPart("train", Split::Train, train); code != kExitOk)
        return code;
    // A crowd of simulated annotators of differing reliability has answered the first 2,000
    // training images three times each, and their answers are consolidated, so that the review
    // queue and the annotators view have something to show; the rest waits to be labelled.
    const std::vector<SimulatedAnnotator> crowd = {{QStringLiteral("sim-careful"), 0.95},
                                                   {QStringLiteral("sim-steady"), 0.85},
                                                   {QStringLiteral("sim-hasty"), 0.7},
                                                   {QStringLiteral("sim-novice"), 0.55},
                                                   {QStringLiteral("sim-spammer"), 0.1}};
    const auto simulated = simulateAnnotators(project, QString(), crowd, 2000, 3, 7);
    if (!simulated)
        return fail(err, simulated.error());
    out << "simulated annotators (marked as simulated) gave " << *simulated << " answers"
        << Qt::endl;
    const auto consolidated =
        consolidateProject(project, *makeConsensusMethod(QStringLiteral("ground-truth")), {});
    if (!consolidated)
        return fail(err, consolidated.error());
    if (const auto marked = markConsolidationCurrent(project, consolidated->id); !marked)
        return fail(err, marked.error());
    // The test images come after the consolidation: their labels are given, not the crowd's to
    // weigh, so the review queue and the annotator estimates are the crowd's alone.
    if (const int code = importPart("t10k", Split::Test, test); code != kExitOk)
        return code;
    // Duplicates are searched once here, so that the Curate tab opens on confirmed clusters
    // rather than on what the hash alone groups.
    const auto duplicates = flagDuplicates(project, kDefaultNearDuplicateDistance);
    if (!duplicates)
        return fail(err, duplicates.error());
    out << duplicateSummaryLine(*duplicates, kDefaultNearDuplicateDistance) << Qt::endl;
    if (const auto set =
            project.setSetting(QStringLiteral("demo"), QStringLiteral("fashion-mnist"));
        !set) {
        return fail(err, set.error());
    }
    out << "demo project ready at " << project.directory() << Qt::endl;
    return kExitOk;
}

int cmdVersion(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    parse(parser, args, 0, 0);
#ifdef WINNOW_CLI_WITHOUT_TORCH
    return runInTrainingProgram(out, err);
#else
    (void)err;
    out << "winnow " << WINNOW_VERSION << Qt::endl
        << libraryVersions() << Qt::endl
        << computeSummary() << Qt::endl;
    return kExitOk;
#endif
}

} // namespace

void addProjectCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("init"),
         {QStringLiteral("init DIR|URI"),
          QStringLiteral("create an empty project in a folder, or on a server "
                         "(postgresql://USER@HOST[:PORT]/DBNAME)"),
          cmdInit,
          [](QCommandLineParser &p) {
              p.addPositionalArgument(
                  QStringLiteral("DIR"),
                  QStringLiteral("project folder, or server address of an empty database"));
          }}},
        {QStringLiteral("import"),
         {QStringLiteral("import DIR --images FOLDER [--labels-from-folders] [--split S] "
                         "[--max-megapixels M] [--follow-links]\n"
                         "       import DIR --idx IMAGES LABELS [--split S] [--limit N] "
                         "[--class-names A,B,...]"),
          QStringLiteral("add images to a project"), cmdImport,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("images"),
                   QStringLiteral("folder of images, searched recursively"),
                   QStringLiteral("FOLDER")},
                  {QStringLiteral("idx"),
                   QStringLiteral("IDX images file (gzip or raw); the labels file follows DIR"),
                   QStringLiteral("IMAGES")},
                  {QStringLiteral("max-megapixels"),
                   QStringLiteral("refuse images above this size, from their header"),
                   QStringLiteral("M"), QString::number(kDefaultMaxPixels / 1'000'000)},
                  {QStringLiteral("labels-from-folders"),
                   QStringLiteral("each image's folder name is its label")},
                  {QStringLiteral("follow-links"),
                   QStringLiteral("also read links that lead out of the folder")},
                  {QStringLiteral("split"), QStringLiteral("train, val or test"),
                   QStringLiteral("S")},
                  {QStringLiteral("limit"), QStringLiteral("import only the first N IDX images"),
                   QStringLiteral("N")},
                  {QStringLiteral("class-names"),
                   QStringLiteral("IDX label names, comma-separated"), QStringLiteral("NAMES")},
              });
          }}},
        {QStringLiteral("export"),
         {QStringLiteral("export DIR --format imagefolder|csv|manifest --out FOLDER [--copy] "
                         "[--subset RUN:ROUND]"),
          QStringLiteral("write the curated dataset (or a run's subset) for training tools"),
          cmdExport,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("format"),
                   QStringLiteral("imagefolder (split/class/image), csv (labels.csv: path, "
                                  "label, split, confidence) or manifest (a Ground Truth output "
                                  "manifest per split)"),
                   QStringLiteral("F"), QStringLiteral("imagefolder")},
                  {QStringLiteral("out"), QStringLiteral("an empty or new folder to write into"),
                   QStringLiteral("FOLDER")},
                  {QStringLiteral("copy"),
                   QStringLiteral("imagefolder: copy the images instead of linking them")},
                  {QStringLiteral("subset"),
                   QStringLiteral("only the images a selection round of a run kept, with the "
                                  "labels it trained on (ROUND: a number or last)"),
                   QStringLiteral("RUN:ROUND")},
              });
          }}},
        {QStringLiteral("info"),
         {QStringLiteral("info DIR"),
          QStringLiteral("counts per split, class and annotator"),
          cmdInfo,
          {}}},
        {QStringLiteral("demo"),
         {QStringLiteral("demo DIR [--train N] [--test N]"),
          QStringLiteral("create the Fashion-MNIST demo project"), cmdDemo,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("train"), QStringLiteral("training images"), QStringLiteral("N"),
                   QStringLiteral("6000")},
                  {QStringLiteral("test"), QStringLiteral("test images"), QStringLiteral("N"),
                   QStringLiteral("1000")},
                  {QStringLiteral("source"), QStringLiteral("Fashion-MNIST folder"),
                   QStringLiteral("DIR"), QString::fromLatin1(kFashionMnistDir)},
              });
          }}},
        {QStringLiteral("version"),
         {QStringLiteral("version"),
          QStringLiteral("versions of Winnow and its libraries"),
          cmdVersion,
          {}}},
    });
}

} // namespace winnow::cli

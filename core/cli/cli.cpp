#include "core/cli/cli.h"

#include "core/consensus/consensus.h"
#include "core/consensus/consolidation.h"
#include "core/consensus/review.h"
#include "core/curation/curation.h"
#include "core/curation/duplicates.h"
#include "core/curation/splits.h"
#include "core/io/answerfiles.h"
#include "core/io/csvreader.h"
#include "core/io/folderimporter.h"
#include "core/io/idximporter.h"
#include "core/io/imageprobe.h"
#include "core/label/simulatedcrowd.h"
#include "core/store/project.h"
#include "core/train/computeinfo.h"
#include "core/train/trainer.h"

#include <QCommandLineParser>
#include <QDir>
#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSaveFile>
#include <QTextStream>
#include <QtConcurrent/QtConcurrentMap>
#include <csignal>
#include <functional>
#include <map>
#include <opencv2/core/version.hpp>
#include <sqlite3.h>
#include <string_view>
#include <unistd.h>
#include <unordered_map>

namespace winnow::core {
namespace {

constexpr auto kFashionMnistDir = "/usr/share/datasets/fashion-mnist";

struct Command {
    QString synopsis;
    QString summary;
    std::function<int(QCommandLineParser &, const QStringList &, QTextStream &, QTextStream &)> run;
    std::function<void(QCommandLineParser &)> options;
};

struct UsageError {
    QString message;
};

// Parses a subcommand's arguments; throws UsageError on unknown options or a wrong count of
// positional arguments.
QStringList parse(QCommandLineParser &parser, const QStringList &args, int minPositional,
                  int maxPositional) {
    if (!parser.parse(QStringList{QStringLiteral("winnow-cli")} + args))
        throw UsageError{parser.errorText()};
    const QStringList positional = parser.positionalArguments();
    if (positional.size() < minPositional || positional.size() > maxPositional)
        throw UsageError{positional.size() < minPositional
                             ? QStringLiteral("missing arguments")
                             : QStringLiteral("unexpected argument '%1'").arg(positional.last())};
    return positional;
}

std::optional<Split> splitOption(const QCommandLineParser &parser) {
    if (!parser.isSet(QStringLiteral("split")))
        return std::nullopt;
    const QString value = parser.value(QStringLiteral("split"));
    const auto split = parseSplit(value);
    if (!split || *split == Split::Unassigned)
        throw UsageError{QStringLiteral("--split must be train, val or test, not '%1'").arg(value)};
    return split;
}

ProgressFn terminalProgress(QTextStream &err) {
    if (!isatty(STDERR_FILENO))
        return {};
    return [&err](qint64 done, qint64 total, const QString &stage) {
        if (total > 0)
            err << QStringLiteral("\r%1: %2 / %3").arg(stage).arg(done).arg(total) << Qt::flush;
    };
}

int reportImport(const Result<ImportSummary> &result, QTextStream &out, QTextStream &err) {
    if (!result) {
        err << "error: " << result.error().message << Qt::endl;
        return kExitFailure;
    }
    if (isatty(STDERR_FILENO))
        err << '\r' << Qt::flush;
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

std::unique_ptr<Project> openProject(const QString &dir, QTextStream &err,
                                     Database::Mode mode = Database::Mode::ReadWrite) {
    auto project = Project::open(dir, mode);
    if (!project) {
        err << "error: " << project.error().message << Qt::endl;
        return nullptr;
    }
    return std::move(project).value();
}

int cmdInit(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    auto project = Project::create(dir);
    if (!project) {
        err << "error: " << project.error().message << Qt::endl;
        return kExitFailure;
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
        return reportImport(importImageFolder(*project, parser.value(QStringLiteral("images")),
                                              options, terminalProgress(err)),
                            out, err);
    }
    IdxOptions options;
    options.split = split;
    if (parser.isSet(QStringLiteral("limit")))
        options.limit = parser.value(QStringLiteral("limit")).toLongLong();
    if (parser.isSet(QStringLiteral("class-names")))
        options.classNames = parser.value(QStringLiteral("class-names")).split(u',');
    return reportImport(importIdx(*project, parser.value(QStringLiteral("idx")), positional[1],
                                  options, terminalProgress(err)),
                        out, err);
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
    if (!summary) {
        err << "error: " << summary.error().message << Qt::endl;
        return kExitFailure;
    }
    out << "project " << project->directory() << Qt::endl;
    out << "items\t" << summary->items << Qt::endl;
    out << "answers\t" << summary->answers << Qt::endl;
    printCounts(out, QStringLiteral("split"), summary->perSplit);
    printCounts(out, QStringLiteral("class"), summary->perClass);
    printCounts(out, QStringLiteral("annotator"), summary->perAnnotator);
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
    if (!created) {
        err << "error: " << created.error().message << Qt::endl;
        return kExitFailure;
    }
    Project &project = **created;
    const std::pair<const char *, std::pair<Split, qint64>> parts[] = {
        {"train", {Split::Train, train}}, {"t10k", {Split::Test, test}}};
    for (const auto &[prefix, spec] : parts) {
        IdxOptions options{spec.first, spec.second, fashionMnistClassNames()};
        out << "importing " << spec.second << " " << splitName(spec.first) << " images: ";
        const int code = reportImport(
            importIdx(project,
                      source.filePath(
                          QStringLiteral("%1-images-idx3-ubyte.gz").arg(QLatin1String(prefix))),
                      source.filePath(
                          QStringLiteral("%1-labels-idx1-ubyte.gz").arg(QLatin1String(prefix))),
                      options, terminalProgress(err)),
            out, err);
        if (code != kExitOk)
            return code;
    }
    // A crowd of simulated annotators of differing reliability has answered the first 2,000
    // training images three times each, and their answers are consolidated, so that the review
    // queue and the annotators view have something to show; the rest waits to be labelled.
    const std::vector<SimulatedAnnotator> crowd = {{QStringLiteral("sim-careful"), 0.95},
                                                   {QStringLiteral("sim-steady"), 0.85},
                                                   {QStringLiteral("sim-hasty"), 0.7},
                                                   {QStringLiteral("sim-novice"), 0.55},
                                                   {QStringLiteral("sim-spammer"), 0.1}};
    const auto simulated = simulateAnnotators(project, QStringLiteral("idx"), crowd, 2000, 3, 7);
    if (!simulated) {
        err << "error: " << simulated.error().message << Qt::endl;
        return kExitFailure;
    }
    out << "simulated annotators (marked as simulated) gave " << *simulated << " answers"
        << Qt::endl;
    const auto consolidated =
        consolidateProject(project, *makeConsensusMethod(QStringLiteral("ground-truth")), {});
    if (!consolidated) {
        err << "error: " << consolidated.error().message << Qt::endl;
        return kExitFailure;
    }
    if (const auto marked = markConsolidationCurrent(project, consolidated->id); !marked) {
        err << "error: " << marked.error().message << Qt::endl;
        return kExitFailure;
    }
    if (const auto set =
            project.setSetting(QStringLiteral("demo"), QStringLiteral("fashion-mnist"));
        !set) {
        err << "error: " << set.error().message << Qt::endl;
        return kExitFailure;
    }
    out << "demo project ready at " << project.directory() << Qt::endl;
    return kExitOk;
}

int cmdAnswers(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool importing = parser.isSet(QStringLiteral("import"));
    if (importing == parser.isSet(QStringLiteral("export")))
        throw UsageError{QStringLiteral("give either --import FILE or --export FILE")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (!importing) {
        const QString file = parser.value(QStringLiteral("export"));
        const auto rows = exportAnswersCsv(*project, file);
        if (!rows) {
            err << "error: " << rows.error().message << Qt::endl;
            return kExitFailure;
        }
        out << "exported " << *rows << " answers to " << file << Qt::endl;
        return kExitOk;
    }
    const QString file = parser.value(QStringLiteral("import"));
    const auto summary = importAnswers(*project, file, terminalProgress(err));
    if (!summary) {
        err << "error: " << summary.error().message << Qt::endl;
        return kExitFailure;
    }
    if (isatty(STDERR_FILENO))
        err << '\r' << Qt::flush;
    for (const LineIssue &issue : summary->issues)
        err << file << ':' << issue.line << ": " << issue.reason << Qt::endl;
    out << QStringLiteral("imported %1 answers, %2 already present, %3 rejected of %4 rows in %5 s "
                          "(%6 rows/s)")
               .arg(summary->imported)
               .arg(summary->duplicates)
               .arg(summary->rejected)
               .arg(summary->rows)
               .arg(summary->seconds, 0, 'f', 2)
               .arg(summary->seconds > 0 ? summary->rows / summary->seconds : 0.0, 0, 'f', 0)
        << Qt::endl;
    return kExitOk;
}

// Writes a whole file or nothing (QSaveFile); says on `err` which file failed and why.
bool saveFile(const QString &file, const QByteArray &bytes, QTextStream &err) {
    QSaveFile output(file);
    if (output.open(QIODevice::WriteOnly) && output.write(bytes) == bytes.size() && output.commit())
        return true;
    err << "error: " << file << ": cannot write: " << output.errorString() << Qt::endl;
    return false;
}

QByteArray quoted(std::string_view field) {
    const QByteArray bytes(field.data(), qsizetype(field.size()));
    if (!bytes.contains(',') && !bytes.contains('"') && !bytes.contains('\n') &&
        !bytes.contains('\r'))
        return bytes;
    QByteArray escaped = bytes;
    escaped.replace("\"", "\"\"");
    return '"' + escaped + '"';
}

// Project-free consolidation: item,worker,label rows in, one consolidated row per item out.
int consolidateFile(QCommandLineParser &parser, const ConsensusMethod &method, QTextStream &out,
                    QTextStream &err) {
    const QString answersFile = parser.value(QStringLiteral("answers"));
    const QString outFile = parser.value(QStringLiteral("out"));
    if (outFile.isEmpty())
        throw UsageError{QStringLiteral("--answers needs --out FILE.csv")};
    QFile in(answersFile);
    if (!in.open(QIODevice::ReadOnly)) {
        err << "error: " << answersFile << ": cannot read: " << in.errorString() << Qt::endl;
        return kExitFailure;
    }
    QElapsedTimer timer;
    timer.start();
    CsvReader reader(in.readAll());
    in.close();
    // Names stay views into the file's bytes: five million rows need no QString each.
    using Index = std::unordered_map<std::string_view, int>;
    Index items, workers, labels;
    std::vector<std::string_view> itemNames, workerNames, labelNames;
    auto intern = [](Index &index, std::vector<std::string_view> &names, std::string_view name) {
        const auto [it, added] = index.try_emplace(name, int(names.size()));
        if (added)
            names.push_back(name);
        return it->second;
    };
    auto trim = [](std::string_view v) {
        while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
            v.remove_prefix(1);
        while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
            v.remove_suffix(1);
        return v;
    };
    AnswerTableBuilder builder;
    std::vector<std::string_view> fields;
    QString error;
    bool first = true;
    qint64 rejected = 0;
    while (reader.next(fields, error)) {
        if (fields.size() == 1 && trim(fields[0]).empty() && error.isEmpty())
            continue;
        const bool header = first;
        first = false;
        if (!error.isEmpty()) {
            err << answersFile << ':' << reader.line() << ": " << error << Qt::endl;
            ++rejected;
            continue;
        }
        if (header && fields.size() == 3 &&
            QByteArrayView(trim(fields[0])).compare("item", Qt::CaseInsensitive) == 0)
            continue;
        if (fields.size() != 3) {
            err << answersFile << ':' << reader.line()
                << ": expected 3 fields (item,worker,label), found " << fields.size() << Qt::endl;
            ++rejected;
            continue;
        }
        const std::string_view item = trim(fields[0]), worker = trim(fields[1]),
                               label = trim(fields[2]);
        if (item.empty() || worker.empty() || label.empty()) {
            err << answersFile << ':' << reader.line() << ": empty "
                << (item.empty()     ? "item"
                    : worker.empty() ? "worker"
                                     : "label")
                << Qt::endl;
            ++rejected;
            continue;
        }
        builder.add(intern(items, itemNames, item), intern(workers, workerNames, worker),
                    intern(labels, labelNames, label));
    }
    if (itemNames.empty()) {
        err << "error: " << answersFile << ": no answers to consolidate" << Qt::endl;
        return kExitFailure;
    }
    const AnswerTable table =
        builder.build(int(itemNames.size()), int(workerNames.size()), int(labelNames.size()));
    const double readSeconds = timer.elapsed() / 1000.0;
    ConsensusOptions options;
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    const ConsensusResult result = method.run(table, options);
    const double emSeconds = timer.elapsed() / 1000.0 - readSeconds;

    QByteArray consolidated = "item,label,confidence,answers\n";
    for (int i = 0; i < table.items; ++i)
        consolidated += quoted(itemNames[size_t(i)]) + ',' +
                        quoted(labelNames[size_t(result.label[size_t(i)])]) + ',' +
                        QByteArray::number(double(result.confidence[size_t(i)]), 'f', 6) + ',' +
                        QByteArray::number(result.answers[size_t(i)]) + '\n';
    if (!saveFile(outFile, consolidated, err))
        return kExitFailure;
    if (parser.isSet(QStringLiteral("annotators-out"))) {
        QByteArray text = "worker,answers,accuracy,agreement\n";
        for (int w = 0; w < table.workers; ++w) {
            const WorkerEstimate &e = result.workers[size_t(w)];
            text += quoted(workerNames[size_t(w)]) + ',' + QByteArray::number(qint64(e.answers)) +
                    ',' + QByteArray::number(e.accuracy, 'f', 6) + ',' +
                    QByteArray::number(e.agreement, 'f', 6) + '\n';
        }
        if (!saveFile(parser.value(QStringLiteral("annotators-out")), text, err))
            return kExitFailure;
    }
    out << QStringLiteral("%1: %2 items, %3 workers, %4 classes, %5 answers (%6 rows rejected); %7 "
                          "iterations; "
                          "read %8 s, consolidate %9 s, total %10 s")
               .arg(method.name())
               .arg(table.items)
               .arg(table.workers)
               .arg(table.classes)
               .arg(table.answers())
               .arg(rejected)
               .arg(result.iterations)
               .arg(readSeconds, 0, 'f', 2)
               .arg(emSeconds, 0, 'f', 2)
               .arg(timer.elapsed() / 1000.0, 0, 'f', 2)
        << Qt::endl;
    return kExitOk;
}

int consolidateProject(const QString &dir, const ConsensusMethod &method,
                       const QCommandLineParser &parser, QTextStream &out, QTextStream &err) {
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    ConsensusOptions options;
    options.seed = parser.value(QStringLiteral("seed")).toULongLong();
    const auto info = consolidateProject(*project, method, options, terminalProgress(err));
    if (!info) {
        err << "error: " << info.error().message << Qt::endl;
        return kExitFailure;
    }
    if (isatty(STDERR_FILENO))
        err << '\r' << Qt::flush;
    out << QStringLiteral("consolidation %1 (%2): %3 items from %4 answers, %5 iterations, %6 s")
               .arg(info->id)
               .arg(info->method)
               .arg(info->items)
               .arg(info->answers)
               .arg(info->iterations)
               .arg(info->seconds, 0, 'f', 2)
        << Qt::endl;
    if (parser.isSet(QStringLiteral("make-current"))) {
        if (const auto marked = markConsolidationCurrent(*project, info->id); !marked) {
            err << "error: " << marked.error().message << Qt::endl;
            return kExitFailure;
        }
        out << "training now takes its labels from consolidation " << info->id << Qt::endl;
        return kExitOk;
    }
    const auto current = currentConsolidationId(*project);
    if (current && *current > 0)
        out << "training still takes its labels from consolidation " << *current
            << " (--make-current to use this one)" << Qt::endl;
    else if (current)
        out << "training takes the most frequent answer until a consolidation is marked current "
               "(--make-current)"
            << Qt::endl;
    return kExitOk;
}

int cmdConsolidate(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                   QTextStream &err) {
    const bool fileMode = parser.parse(QStringList{QStringLiteral("winnow-cli")} + args) &&
                          parser.isSet(QStringLiteral("answers"));
    const QStringList positional = parse(parser, args, fileMode ? 0 : 1, fileMode ? 0 : 1);
    const QString methodName = parser.value(QStringLiteral("method"));
    const auto method = makeConsensusMethod(methodName);
    if (!method)
        throw UsageError{QStringLiteral("unknown method '%1' (one of %2)")
                             .arg(methodName, consensusMethodNames().join(QStringLiteral(", ")))};
    if (fileMode)
        return consolidateFile(parser, *method, out, err);
    return consolidateProject(positional.first(), *method, parser, out, err);
}

int cmdLabels(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
              QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    if (!parser.isSet(QStringLiteral("export")))
        throw UsageError{QStringLiteral("give --export FILE")};
    const QString format = parser.value(QStringLiteral("format"));
    if (format != QLatin1String("csv") && format != QLatin1String("manifest"))
        throw UsageError{QStringLiteral("--format must be csv or manifest, not '%1'").arg(format)};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    qint64 id = parser.value(QStringLiteral("consolidation")).toLongLong();
    if (id == 0) {
        const auto list = listConsolidations(*project);
        if (!list || list->empty()) {
            err << "error: " << dir << ": no consolidation yet (run winnow-cli consolidate DIR)"
                << Qt::endl;
            return kExitFailure;
        }
        id = list->front().id;
    }
    const QString file = parser.value(QStringLiteral("export"));
    const auto rows = exportConsolidatedLabels(
        *project, id, file,
        format == QLatin1String("csv") ? LabelFormat::Csv : LabelFormat::GroundTruthManifest,
        parser.value(QStringLiteral("job-name")));
    if (!rows) {
        err << "error: " << rows.error().message << Qt::endl;
        return kExitFailure;
    }
    out << "exported " << *rows << " labels of consolidation " << id << " to " << file << Qt::endl;
    return kExitOk;
}

int maxDistanceOption(const QCommandLineParser &parser) {
    bool ok = false;
    const int distance = parser.value(QStringLiteral("max-distance")).toInt(&ok);
    if (!ok || distance < 0 || distance > 64)
        throw UsageError{QStringLiteral("--max-distance must be 0 to 64, not '%1'")
                             .arg(parser.value(QStringLiteral("max-distance")))};
    return distance;
}

// Project-free: cluster,path for every image under FOLDER that has at least one duplicate.
int dedupFolder(const QString &folder, int maxDistance, bool mirrors, const QString &outFile,
                QTextStream &out, QTextStream &err) {
    if (!QFileInfo(folder).isDir()) {
        err << "error: " << folder << ": not a folder" << Qt::endl;
        return kExitFailure;
    }
    QElapsedTimer timer;
    timer.start();
    const QDir root(folder);
    QStringList files;
    QDirIterator it(folder, QDir::Files | QDir::NoDotAndDotDot, QDirIterator::Subdirectories);
    while (it.hasNext())
        files << root.relativeFilePath(it.next());
    std::sort(files.begin(), files.end());
    const QList<ImageProbe> probes = QtConcurrent::blockingMapped<QList<ImageProbe>>(
        files, [&root](const QString &file) { return probeImageFile(root.filePath(file)); });
    std::vector<Fingerprint> prints;
    QStringList paths;
    for (qsizetype i = 0; i < probes.size(); ++i) {
        if (!probes[i].item) {
            err << "skipped " << root.filePath(files[i]) << ": " << probes[i].error << Qt::endl;
            continue;
        }
        prints.push_back({probes[i].item->contentHash, probes[i].item->pixelHash,
                          probes[i].item->perceptualHash, probes[i].item->mirroredHash});
        paths << (folder.endsWith(u'/') ? folder + files[i] : folder + u'/' + files[i]);
    }
    const DuplicateClusters clusters = findDuplicates(prints, maxDistance, mirrors);
    std::vector<std::pair<int, QString>> rows;
    for (size_t i = 0; i < prints.size(); ++i)
        if (clusters.cluster[i] > 0)
            rows.emplace_back(clusters.cluster[i], paths[qsizetype(i)]);
    std::sort(rows.begin(), rows.end());
    QByteArray text = "cluster,path\n";
    for (const auto &[cluster, path] : rows)
        text += QByteArray::number(cluster) + ',' + CsvReader::quote(path).toUtf8() + '\n';
    if (!saveFile(outFile, text, err))
        return kExitFailure;
    out << QStringLiteral("%1 images, %2 in %3 duplicate clusters (max distance %4), %5 s")
               .arg(prints.size())
               .arg(rows.size())
               .arg(clusters.count)
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
                           parser.value(QStringLiteral("out")), out, err);
    }
    auto project = openProject(positional.first(), err);
    if (!project)
        return kExitFailure;
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
        if (isatty(STDERR_FILENO))
            err << '\r' << Qt::flush;
        if (!found) {
            err << "error: " << found.error().message << Qt::endl;
            return kExitFailure;
        }
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
    const auto summary =
        flagDuplicates(*project, distance, parser.isSet(QStringLiteral("mirrors")));
    if (!summary) {
        err << "error: " << summary.error().message << Qt::endl;
        return kExitFailure;
    }
    out << QStringLiteral("%1 exact and %2 near-duplicate clusters (%3 items, max distance %4); %5 "
                          "clusters leak across "
                          "splits (%6 items)")
               .arg(summary->exactClusters)
               .arg(summary->nearClusters)
               .arg(summary->duplicateItems)
               .arg(distance)
               .arg(summary->leakClusters)
               .arg(summary->leakItems)
        << Qt::endl;
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
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (!parser.isSet(QStringLiteral("no-refresh"))) {
        const auto duplicates = flagDuplicates(*project, distance);
        const auto quality = flagQuality(*project, {}, terminalProgress(err));
        const auto divergent = flagDivergent(*project, minConfidence);
        for (const QString &failure :
             {duplicates.errorMessage(), quality.errorMessage(), divergent.errorMessage()})
            if (!failure.isEmpty()) {
                err << "error: " << failure << Qt::endl;
                return kExitFailure;
            }
        if (isatty(STDERR_FILENO))
            err << '\r' << Qt::flush;
    }
    const auto rows = listFlags(*project, parser.value(QStringLiteral("kind")));
    if (!rows) {
        err << "error: " << rows.error().message << Qt::endl;
        return kExitFailure;
    }
    QMap<QString, qint64> counts;
    for (const FlagRow &row : *rows)
        ++counts[row.kind];
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        out << it.key() << '\t' << it.value() << Qt::endl;
    if (counts.isEmpty())
        out << "no flags" << Qt::endl;
    if (parser.isSet(QStringLiteral("out"))) {
        QByteArray text = "item,kind,cluster,value,detail,split,excluded\n";
        for (const FlagRow &row : *rows)
            text += (CsvReader::quote(project->storedPath(row.path)) + u',' + row.kind + u',' +
                     (row.cluster ? QString::number(row.cluster) : QString()) + u',' +
                     QString::number(row.value, 'g', 6) + u',' + CsvReader::quote(row.detail) +
                     u',' + row.split + u',' +
                     (row.excluded ? QStringLiteral("yes") : QStringLiteral("no")) + u'\n')
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
        if (!folds) {
            err << "error: " << folds.error().message << Qt::endl;
            return kExitFailure;
        }
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
    if (!summary) {
        err << "error: " << summary.error().message << Qt::endl;
        return kExitFailure;
    }
    out << QStringLiteral("train %1, val %2, test %3 (seed %4; %5 duplicate clusters kept whole)")
               .arg(summary->items[0])
               .arg(summary->items[1])
               .arg(summary->items[2])
               .arg(seed)
               .arg(summary->groupsKeptWhole)
        << Qt::endl;
    return kExitOk;
}

// Ctrl+C (or SIGTERM) during training stops between batches; the run stays resumable.
CancelToken g_interrupt;

void interruptTraining(int) {
    g_interrupt.cancel();
}

struct InterruptScope {
    InterruptScope() {
        g_interrupt.reset();
        m_previous = std::signal(SIGINT, interruptTraining);
        m_previousTerm = std::signal(SIGTERM, interruptTraining);
    }
    ~InterruptScope() {
        std::signal(SIGINT, m_previous);
        std::signal(SIGTERM, m_previousTerm);
    }
    void (*m_previous)(int) = nullptr;
    void (*m_previousTerm)(int) = nullptr;
};

void addTrainOptions(QCommandLineParser &p) {
    p.addOptions({
        {QStringLiteral("strategy"), QStringLiteral("full, random or glister"), QStringLiteral("S"),
         QStringLiteral("full")},
        {QStringLiteral("fraction"), QStringLiteral("share of the training images per epoch"),
         QStringLiteral("F"), QStringLiteral("1")},
        {QStringLiteral("epochs"), QStringLiteral("epochs"), QStringLiteral("E"),
         QStringLiteral("20")},
        {QStringLiteral("select-every"), QStringLiteral("epochs between subset selections (R)"),
         QStringLiteral("R"), QStringLiteral("5")},
        {QStringLiteral("width"), QStringLiteral("ResNet-18 base width"), QStringLiteral("W"),
         QStringLiteral("64")},
        {QStringLiteral("seed"), QStringLiteral("seed"), QStringLiteral("S"), QStringLiteral("0")},
        {QStringLiteral("threads"), QStringLiteral("CPU threads (default: one per core)"),
         QStringLiteral("T"), QStringLiteral("0")},
        {QStringLiteral("batch-size"), QStringLiteral("mini-batch size"), QStringLiteral("B"),
         QStringLiteral("128")},
        {QStringLiteral("lr"), QStringLiteral("initial learning rate (also GLISTER's eta)"),
         QStringLiteral("LR"), QStringLiteral("0.05")},
        {QStringLiteral("momentum"), QStringLiteral("SGD momentum"), QStringLiteral("M"),
         QStringLiteral("0.9")},
        {QStringLiteral("weight-decay"), QStringLiteral("SGD weight decay"), QStringLiteral("WD"),
         QStringLiteral("0.0005")},
        {QStringLiteral("kappa"), QStringLiteral("warm start share of the epochs (0: off)"),
         QStringLiteral("K"), QStringLiteral("0")},
        {QStringLiteral("selection-type"), QStringLiteral("Supervised, PerClass or PerBatch"),
         QStringLiteral("T"), QStringLiteral("Supervised")},
        {QStringLiteral("greedy"), QStringLiteral("Stochastic or Naive"), QStringLiteral("G"),
         QStringLiteral("Stochastic")},
        {QStringLiteral("linear-layer"),
         QStringLiteral("GLISTER gradients include the last layer's weights")},
        {QStringLiteral("test-every"),
         QStringLiteral("evaluate the test set every N epochs (always at the end)"),
         QStringLiteral("N"), QStringLiteral("1")},
        {QStringLiteral("no-augment"), QStringLiteral("no random crop and flip for colour images")},
        {QStringLiteral("precision"),
         QStringLiteral("auto (bfloat16 autocast where the CPU has native bfloat16, else float32), "
                        "bf16 or fp32"),
         QStringLiteral("P"), QStringLiteral("auto")},
        {QStringLiteral("contiguous"), QStringLiteral("NCHW tensors instead of channels-last")},
        {QStringLiteral("json"),
         QStringLiteral("JSON lines instead of text: {run, start_epoch} when a run starts, "
                        "{progress, total, stage} as it goes, one object per epoch")},
    });
}

// Reads the options shared by train and sweep; throws UsageError on nonsense.
TrainOptions trainOptions(const QCommandLineParser &parser) {
    TrainOptions o;
    const auto number = [&](const char *name) {
        bool ok = false;
        const double value = parser.value(QLatin1String(name)).toDouble(&ok);
        if (!ok)
            throw UsageError{QStringLiteral("--%1 needs a number, not '%2'")
                                 .arg(QLatin1String(name), parser.value(QLatin1String(name)))};
        return value;
    };
    const auto strategy = parseStrategy(parser.value(QStringLiteral("strategy")));
    if (!strategy)
        throw UsageError{QStringLiteral("unknown strategy '%1' (full, random or glister)")
                             .arg(parser.value(QStringLiteral("strategy")))};
    const auto selection = parseSelectionType(parser.value(QStringLiteral("selection-type")));
    if (!selection)
        throw UsageError{QStringLiteral("unknown selection type '%1'")
                             .arg(parser.value(QStringLiteral("selection-type")))};
    const QString greedy = parser.value(QStringLiteral("greedy"));
    if (greedy.compare(QLatin1String("Stochastic"), Qt::CaseInsensitive) != 0 &&
        greedy.compare(QLatin1String("Naive"), Qt::CaseInsensitive) != 0)
        throw UsageError{QStringLiteral("unknown greedy '%1' (Stochastic or Naive)").arg(greedy)};
    o.strategy = *strategy;
    o.selectionType = *selection;
    o.greedy = greedy.compare(QLatin1String("Naive"), Qt::CaseInsensitive) == 0
                   ? GreedyKind::Naive
                   : GreedyKind::Stochastic;
    o.fraction = number("fraction");
    o.epochs = int(number("epochs"));
    o.selectEvery = int(number("select-every"));
    o.width = int(number("width"));
    o.seed = std::uint64_t(number("seed"));
    o.threads = int(number("threads"));
    o.batchSize = int(number("batch-size"));
    o.learningRate = number("lr");
    o.momentum = number("momentum");
    o.weightDecay = number("weight-decay");
    o.kappa = number("kappa");
    o.testEvery = int(number("test-every"));
    o.linearLayer = parser.isSet(QStringLiteral("linear-layer"));
    o.augment = !parser.isSet(QStringLiteral("no-augment"));
    o.channelsLast = !parser.isSet(QStringLiteral("contiguous"));
    const QString precision = parser.value(QStringLiteral("precision"));
    if (precision == QLatin1String("auto"))
        o.bfloat16 = cpuHasBFloat16();
    else if (precision == QLatin1String("bf16") || precision == QLatin1String("fp32"))
        o.bfloat16 = precision == QLatin1String("bf16");
    else
        throw UsageError{
            QStringLiteral("--precision is auto, bf16 or fp32, not '%1'").arg(precision)};
    if (o.strategy == Strategy::Full)
        o.fraction = 1;
    if (const Result<void> valid = o.validate(); !valid)
        throw UsageError{valid.error().message};
    return o;
}

QString optionalText(const std::optional<double> &value, int decimals = 4) {
    return value ? QString::number(*value, 'f', decimals) : QStringLiteral("-");
}

TrainEvents printingEvents(bool json, QTextStream &out, QTextStream &err, qint64 &runId) {
    TrainEvents events;
    events.cancel = &g_interrupt;
    events.started = [json, &out, &runId](qint64 id, int start) {
        runId = id;
        if (json) // so that a program driving the CLI knows the run before its first epoch ends
            out << QJsonDocument(QJsonObject{{"run", id}, {"start_epoch", start}})
                       .toJson(QJsonDocument::Compact)
                << Qt::endl;
    };
    events.message = [&err](const QString &text) {
        if (isatty(STDERR_FILENO))
            err << '\r';
        err << text << Qt::endl;
    };
    if (json)
        events.progress = [&out](qint64 done, qint64 total, const QString &stage) {
            out << QJsonDocument(
                       QJsonObject{{"progress", done}, {"total", total}, {"stage", stage}})
                       .toJson(QJsonDocument::Compact)
                << Qt::endl;
        };
    else if (isatty(STDERR_FILENO))
        events.progress = [&err](qint64 done, qint64 total, const QString &stage) {
            err << QStringLiteral("\r%1: %2 / %3   ").arg(stage).arg(done).arg(total) << Qt::flush;
        };
    events.epochDone = [json, &out, &err, &runId](const EpochMetrics &m) {
        if (isatty(STDERR_FILENO))
            err << '\r' << QString(40, QLatin1Char(' ')) << '\r' << Qt::flush;
        if (json) {
            QJsonObject line{{"run", runId},
                             {"epoch", m.epoch},
                             {"epoch_seconds", m.epochSeconds},
                             {"selection_seconds", m.selectionSeconds},
                             {"subset_size", m.subsetSize},
                             {"learning_rate", m.learningRate}};
            const std::pair<const char *, std::optional<double>> optionals[] = {
                {"train_loss", m.trainLoss},
                {"train_accuracy", m.trainAccuracy},
                {"val_loss", m.valLoss},
                {"val_accuracy", m.valAccuracy},
                {"test_accuracy", m.testAccuracy}};
            for (const auto &[key, value] : optionals)
                line.insert(QLatin1String(key), value ? QJsonValue(*value) : QJsonValue());
            out << QJsonDocument(line).toJson(QJsonDocument::Compact) << Qt::endl;
            return;
        }
        out << QStringLiteral("epoch %1  loss %2  acc %3  val loss %4  val acc %5  test acc %6  %7 "
                              "s (selection %8 s)  subset %9  lr %10")
                   .arg(m.epoch, 3)
                   .arg(optionalText(m.trainLoss), optionalText(m.trainAccuracy),
                        optionalText(m.valLoss), optionalText(m.valAccuracy),
                        optionalText(m.testAccuracy))
                   .arg(m.epochSeconds, 0, 'f', 1)
                   .arg(m.selectionSeconds, 0, 'f', 1)
                   .arg(m.subsetSize)
                   .arg(m.learningRate, 0, 'f', 4)
            << Qt::endl;
    };
    return events;
}

// Prints the outcome of one run; the exit code.
int reportRun(const Result<RunOutcome> &outcome, QTextStream &out, QTextStream &err) {
    if (!outcome) {
        err << "error: " << outcome.error().message << Qt::endl;
        return kExitFailure;
    }
    if (outcome->cancelled) {
        err << QStringLiteral(
                   "run %1 interrupted; continue it with: winnow-cli train DIR --resume %1")
                   .arg(outcome->runId)
            << Qt::endl;
        return kExitFailure;
    }
    out << QStringLiteral("run %1 finished").arg(outcome->runId) << Qt::endl;
    return kExitOk;
}

int cmdTrain(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool resume = parser.isSet(QStringLiteral("resume"));
    const TrainOptions options =
        resume ? TrainOptions{} : trainOptions(parser); // usage errors first
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const InterruptScope interrupt;
    qint64 runId = 0;
    const TrainEvents events =
        printingEvents(parser.isSet(QStringLiteral("json")), out, err, runId);
    if (resume) {
        bool ok = false;
        const qint64 id = parser.value(QStringLiteral("resume")).toLongLong(&ok);
        if (!ok)
            throw UsageError{QStringLiteral("--resume needs a run number")};
        return reportRun(
            resumeRun(*project, id, events, parser.value(QStringLiteral("threads")).toInt()), out,
            err);
    }
    return reportRun(trainNewRun(*project, options, events), out, err);
}

int cmdSweep(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
             QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    TrainOptions base = trainOptions(parser);
    std::vector<double> fractions;
    for (const QString &text :
         parser.value(QStringLiteral("fractions")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool ok = false;
        fractions.push_back(text.toDouble(&ok));
        if (!ok || !(fractions.back() > 0 && fractions.back() < 1))
            throw UsageError{
                QStringLiteral("--fractions takes numbers in (0, 1), not '%1'").arg(text)};
    }
    std::vector<Strategy> strategies;
    for (const QString &text :
         parser.value(QStringLiteral("strategies")).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        const auto strategy = parseStrategy(text.trimmed());
        if (!strategy || *strategy == Strategy::Full)
            throw UsageError{
                QStringLiteral(
                    "--strategies takes glister and random, not '%1' (full always runs once)")
                    .arg(text)};
        strategies.push_back(*strategy);
    }
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const InterruptScope interrupt;
    qint64 runId = 0;
    const TrainEvents events =
        printingEvents(parser.isSet(QStringLiteral("json")), out, err, runId);
    std::vector<RunRecord> done;
    for (const TrainOptions &options : sweepPlan(base, strategies, fractions)) {
        err << QStringLiteral("== %1 at fraction %2, %3 epochs")
                   .arg(strategyName(options.strategy))
                   .arg(options.fraction)
                   .arg(options.epochs)
            << Qt::endl;
        const auto outcome = trainNewRun(*project, options, events);
        if (const int code = reportRun(outcome, out, err); code != kExitOk)
            return code;
        auto record = findRun(*project, outcome->runId);
        if (!record) {
            err << "error: " << record.error().message << Qt::endl;
            return kExitFailure;
        }
        done.push_back(*record);
    }
    const QString table = resultsTable(done, &done.front());
    out << Qt::endl << table << Qt::flush;
    if (parser.isSet(QStringLiteral("out")) &&
        !saveFile(parser.value(QStringLiteral("out")), table.toUtf8(), err))
        return kExitFailure;
    if (parser.isSet(QStringLiteral("csv")) &&
        !saveFile(parser.value(QStringLiteral("csv")), runsCsv(done).toUtf8(), err))
        return kExitFailure;
    return kExitOk;
}

int cmdRuns(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const QString metric = parser.value(QStringLiteral("sort"));
    if (parser.isSet(QStringLiteral("sort")) && !runMetricNames().contains(metric))
        throw UsageError{QStringLiteral("cannot sort by '%1'; one of: %2")
                             .arg(metric, runMetricNames().join(QStringLiteral(", ")))};
    auto project =
        openProject(dir, err); // read-write, so that an older project is brought up to date
    if (!project)
        return kExitFailure;
    auto runs = listRuns(*project);
    if (!runs) {
        err << "error: " << runs.error().message << Qt::endl;
        return kExitFailure;
    }
    if (parser.isSet(QStringLiteral("sort"))) {
        const bool higherFirst = metric.endsWith(QLatin1String("accuracy"));
        std::stable_sort(runs->begin(), runs->end(), [&](const RunRecord &a, const RunRecord &b) {
            const auto x = runMetric(a, metric), y = runMetric(b, metric);
            if (!x || !y)
                return x.has_value() && !y.has_value();
            return higherFirst ? *x > *y : *x < *y;
        });
    }
    if (parser.isSet(QStringLiteral("csv"))) {
        out << runsCsv(*runs) << Qt::flush;
        return kExitOk;
    }
    if (runs->empty()) {
        out << "no runs yet: start one with winnow-cli train " << dir << Qt::endl;
        return kExitOk;
    }
    out << resultsTable(*runs); // each run against the latest comparable full-data run
    for (const RunRecord &run : *runs)
        if (run.status != QLatin1String("finished"))
            out << QStringLiteral("run %1 is %2%3")
                       .arg(run.id)
                       .arg(run.status,
                            run.error.isEmpty() ? QString() : QStringLiteral(": ") + run.error)
                << '\n';
    out << Qt::flush;
    return kExitOk;
}

int cmdVersion(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &) {
    parse(parser, args, 0, 0);
    out << "winnow " << WINNOW_VERSION << Qt::endl
        << "Qt " << qVersion() << ", OpenCV " << CV_VERSION << ", SQLite " << sqlite3_libversion()
        << Qt::endl
        << computeSummary() << Qt::endl;
    return kExitOk;
}

const std::map<QString, Command> &commands() {
    static const std::map<QString, Command> table = {
        {QStringLiteral("init"),
         {QStringLiteral("init DIR"), QStringLiteral("create an empty project in DIR"), cmdInit,
          [](QCommandLineParser &p) {
              p.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder"));
          }}},
        {QStringLiteral("import"),
         {QStringLiteral("import DIR --images FOLDER [--labels-from-folders] [--split S]\n"
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
                  {QStringLiteral("labels-from-folders"),
                   QStringLiteral("each image's folder name is its label")},
                  {QStringLiteral("split"), QStringLiteral("train, val or test"),
                   QStringLiteral("S")},
                  {QStringLiteral("limit"), QStringLiteral("import only the first N IDX images"),
                   QStringLiteral("N")},
                  {QStringLiteral("class-names"),
                   QStringLiteral("IDX label names, comma-separated"), QStringLiteral("NAMES")},
              });
          }}},
        {QStringLiteral("answers"),
         {QStringLiteral("answers DIR --import FILE | --export FILE.csv"),
          QStringLiteral("import item,worker,label CSV or a Ground Truth output manifest; export "
                         "every answer"),
          cmdAnswers,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("import"),
                   QStringLiteral("CSV (item,worker,label) or JSON Lines manifest"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("export"), QStringLiteral("CSV file to write"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("consolidate"),
         {QStringLiteral("consolidate DIR [--method M] [--make-current]\n"
                         "       consolidate --answers ANSWERS.csv --out OUT.csv [--method M] "
                         "[--annotators-out A.csv]"),
          QStringLiteral("one label with a confidence per item from everyone's answers"),
          cmdConsolidate,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("method"),
                   QStringLiteral("majority, dawid-skene, ground-truth, one-coin or mace"),
                   QStringLiteral("M"), QStringLiteral("dawid-skene")},
                  {QStringLiteral("answers"), QStringLiteral("item,worker,label CSV (no project)"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("out"),
                   QStringLiteral("item,label,confidence,answers CSV to write"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("annotators-out"),
                   QStringLiteral("worker,answers,accuracy,agreement CSV to write"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("seed"), QStringLiteral("breaks ties nothing else decides"),
                   QStringLiteral("S"), QStringLiteral("0")},
                  {QStringLiteral("make-current"),
                   QStringLiteral("train on this consolidation's labels from now on")},
              });
          }}},
        {QStringLiteral("labels"),
         {QStringLiteral("labels DIR --export FILE [--format csv|manifest] [--consolidation ID] "
                         "[--job-name NAME]"),
          QStringLiteral("export consolidated labels (review decisions applied)"), cmdLabels,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("export"), QStringLiteral("file to write"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("format"), QStringLiteral("csv or manifest"), QStringLiteral("F"),
                   QStringLiteral("csv")},
                  {QStringLiteral("consolidation"),
                   QStringLiteral("consolidation id (default: the latest)"), QStringLiteral("ID")},
                  {QStringLiteral("job-name"),
                   QStringLiteral("label attribute and job name in the manifest"),
                   QStringLiteral("NAME"), QStringLiteral("winnow")},
              });
          }}},
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
        {QStringLiteral("train"),
         {QStringLiteral("train DIR [--strategy full|random|glister] [--fraction F] [--epochs E] "
                         "[--select-every R] [--width W]\n"
                         "       [--seed S] [--threads T] [--json] [--kappa K] [--selection-type "
                         "T] [--greedy G] ...\n"
                         "       train DIR --resume RUN"),
          QStringLiteral(
              "train a ResNet-18 on the current labels (Ctrl+C stops; --resume continues)"),
          cmdTrain,
          [](QCommandLineParser &p) {
              addTrainOptions(p);
              p.addOption({QStringLiteral("resume"),
                           QStringLiteral("continue this run from its last checkpoint"),
                           QStringLiteral("RUN")});
          }}},
        {QStringLiteral("sweep"),
         {QStringLiteral("sweep DIR --fractions 0.1,0.3,0.5 --strategies glister,random --epochs E "
                         "[train options] [--out TABLE] [--csv FILE]"),
          QStringLiteral(
              "full-data baseline plus each strategy at each fraction, then the results table"),
          cmdSweep,
          [](QCommandLineParser &p) {
              addTrainOptions(p);
              p.addOptions({
                  {QStringLiteral("fractions"), QStringLiteral("comma-separated"),
                   QStringLiteral("F,F"), QStringLiteral("0.1,0.3,0.5")},
                  {QStringLiteral("strategies"), QStringLiteral("comma-separated: glister, random"),
                   QStringLiteral("S,S"), QStringLiteral("glister,random")},
                  {QStringLiteral("out"), QStringLiteral("write the results table here"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("csv"), QStringLiteral("write the runs as CSV here"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("runs"),
         {QStringLiteral("runs DIR [--sort METRIC] [--csv]"),
          QStringLiteral("list training runs with their parameters and results"), cmdRuns,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("sort"),
                   QStringLiteral("run, fraction, total_seconds, seconds_per_epoch, "
                                  "selection_seconds, best_val_accuracy or test_accuracy"),
                   QStringLiteral("METRIC")},
                  {QStringLiteral("csv"), QStringLiteral("CSV on standard output")},
              });
          }}},
        {QStringLiteral("version"),
         {QStringLiteral("version"),
          QStringLiteral("versions of Winnow and its libraries"),
          cmdVersion,
          {}}},
    };
    return table;
}

void printUsage(QTextStream &stream) {
    stream << "usage: winnow-cli COMMAND [ARGS]\n\ncommands:\n";
    for (const auto &[name, command] : commands())
        stream << "  " << command.synopsis << "\n      " << command.summary << "\n";
    stream << Qt::flush;
}

} // namespace

int runCli(const QStringList &args, QTextStream &out, QTextStream &err) {
    if (args.isEmpty() || args.first() == QLatin1String("help") ||
        args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        printUsage(args.isEmpty() ? err : out);
        return args.isEmpty() ? kExitUsage : kExitOk;
    }
    const auto it = commands().find(args.first());
    if (it == commands().end()) {
        err << "winnow-cli: unknown command '" << args.first() << "'\n";
        printUsage(err);
        return kExitUsage;
    }
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (it->second.options)
        it->second.options(parser);
    try {
        return it->second.run(parser, args.mid(1), out, err);
    } catch (const UsageError &usage) {
        err << "winnow-cli " << args.first() << ": " << usage.message << "\nusage: winnow-cli "
            << it->second.synopsis << Qt::endl;
        return kExitUsage;
    } catch (const std::exception &e) {
        err << "error: " << e.what() << Qt::endl;
        return kExitFailure;
    }
}

} // namespace winnow::core

// answers, consolidate and labels: answers in, one label per item out.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "core/consensus/consensus.h"
#include "core/consensus/consolidation.h"
#include "core/consensus/review.h"
#include "core/io/answerfiles.h"
#include "core/io/answerrowreader.h"
#include "core/io/labelexport.h"
#include "core/store/project.h"
#include "core/util/nameindex.h"

#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QFile>
#include <QTextStream>
#include <charconv>
#include <string_view>
#include <type_traits>
#include <vector>

namespace winnow::cli {
namespace {

using namespace winnow::core;

int cmdAnswers(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool importing = parser.isSet(QStringLiteral("import"));
    const bool job = parser.isSet(QStringLiteral("import-gt-job"));
    if (int(importing) + int(job) + int(parser.isSet(QStringLiteral("export"))) != 1)
        throw UsageError{
            QStringLiteral("give one of --import FILE, --import-gt-job FOLDER or --export FILE")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    if (job) {
        const QString folder = parser.value(QStringLiteral("import-gt-job"));
        const auto summary = importGroundTruthJob(*project, folder, terminalProgress(err));
        endProgress(err);
        if (!summary)
            return fail(err, summary.error());
        for (const LineIssue &issue : summary->issues)
            err << (issue.line > 0 ? QStringLiteral("output.manifest:%1: ").arg(issue.line)
                                   : QString())
                << issue.reason << Qt::endl;
        out << QStringLiteral("Ground Truth job '%1': imported %2 worker answers, %3 already "
                              "present, %4 rejected; the job's consolidation of %5 items is "
                              "consolidation %6")
                   .arg(summary->job)
                   .arg(summary->imported)
                   .arg(summary->duplicates)
                   .arg(summary->rejected)
                   .arg(summary->consolidated)
                   .arg(summary->consolidationId)
            << Qt::endl;
        return kExitOk;
    }
    if (!importing) {
        const QString file = parser.value(QStringLiteral("export"));
        const auto rows = exportAnswersCsv(*project, file);
        if (!rows)
            return fail(err, rows.error());
        out << "exported " << *rows << " answers to " << file << Qt::endl;
        return kExitOk;
    }
    const QString file = parser.value(QStringLiteral("import"));
    const auto summary = importAnswers(*project, file, terminalProgress(err));
    if (!summary)
        return fail(err, summary.error());
    endProgress(err);
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

QByteArray quoted(std::string_view field) {
    const QByteArray bytes(field.data(), qsizetype(field.size()));
    if (!bytes.contains(',') && !bytes.contains('"') && !bytes.contains('\n') &&
        !bytes.contains('\r'))
        return bytes;
    QByteArray escaped = bytes;
    escaped.replace("\"", "\"\"");
    return '"' + escaped + '"';
}

// Appends a CSV field, quoted only when it has to be.
void appendQuoted(QByteArray &out, std::string_view field) {
    if (field.find_first_of(",\"\n\r") == std::string_view::npos) {
        out.append(field.data(), qsizetype(field.size()));
        return;
    }
    out += quoted(field);
}

// Appends a number without a temporary string: six decimals for a fraction, all digits else.
template <typename Number> void appendNumber(QByteArray &out, Number value) {
    char text[40];
    std::to_chars_result written;
    if constexpr (std::is_floating_point_v<Number>)
        written = std::to_chars(text, text + sizeof text, value, std::chars_format::fixed, 6);
    else
        written = std::to_chars(text, text + sizeof text, value);
    out.append(text, written.ptr - text);
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
    const qint64 bytes = in.size();
    AnswerRowReader reader(in.readAll());
    in.close();
    // Names stay views into the file's bytes: five million rows need no QString each. Answer
    // files list an item's answers together, so the last item is looked up first.
    NameIndex items(size_t(std::max<qint64>(1024, bytes / 64))), workers, labels;
    AnswerTableBuilder builder;
    qint64 rejected = 0;
    AnswerRow row;
    std::string_view lastItem;
    int lastItemId = -1;
    while (reader.next(row)) {
        if (!row.problem.isEmpty()) {
            err << answersFile << ':' << row.line << ": " << row.problem << Qt::endl;
            ++rejected;
            continue;
        }
        if (lastItemId < 0 || row.item != lastItem) {
            lastItem = row.item;
            lastItemId = items.intern(row.item);
        }
        builder.add(lastItemId, workers.intern(row.worker), labels.intern(row.label));
    }
    const std::vector<std::string_view> &itemNames = items.names();
    const std::vector<std::string_view> &workerNames = workers.names();
    const std::vector<std::string_view> &labelNames = labels.names();
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
    consolidated.reserve(qsizetype(bytes / 4));
    for (int i = 0; i < table.items; ++i) {
        appendQuoted(consolidated, itemNames[size_t(i)]);
        consolidated += ',';
        appendQuoted(consolidated, labelNames[size_t(result.label[size_t(i)])]);
        consolidated += ',';
        appendNumber(consolidated, double(result.confidence[size_t(i)]));
        consolidated += ',';
        appendNumber(consolidated, result.answers[size_t(i)]);
        consolidated += '\n';
    }
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
    if (!info)
        return fail(err, info.error());
    endProgress(err);
    out << QStringLiteral("consolidation %1 (%2): %3 items from %4 answers, %5 iterations, %6 s")
               .arg(info->id)
               .arg(info->method)
               .arg(info->items)
               .arg(info->answers)
               .arg(info->iterations)
               .arg(info->seconds, 0, 'f', 2)
        << Qt::endl;
    if (parser.isSet(QStringLiteral("make-current"))) {
        if (const auto marked = markConsolidationCurrent(*project, info->id); !marked)
            return fail(err, marked.error());
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
        if (!list) {
            err << "error: " << list.error().message << Qt::endl;
            return kExitFailure;
        }
        if (list->empty()) {
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
    if (!rows)
        return fail(err, rows.error());
    out << "exported " << *rows << " labels of consolidation " << id << " to " << file << Qt::endl;
    return kExitOk;
}

} // namespace

void addAnswerCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("answers"),
         {QStringLiteral("answers DIR --import FILE | --import-gt-job FOLDER | --export FILE.csv"),
          QStringLiteral("import item,worker,label CSV or a Ground Truth output manifest; export "
                         "every answer"),
          cmdAnswers,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("import"),
                   QStringLiteral("CSV (item,worker,label) or JSON Lines manifest"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("import-gt-job"),
                   QStringLiteral("a Ground Truth labeling job's output folder: every worker's "
                                  "answer, and the job's consolidation kept beside Winnow's"),
                   QStringLiteral("FOLDER")},
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
    });
}

} // namespace winnow::cli

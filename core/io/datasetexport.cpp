#include "core/io/datasetexport.h"

#include "core/io/csvreader.h"
#include "core/label/labelsource.h"
#include "core/store/consolidationrepository.h"
#include "core/store/flagrepository.h"
#include "core/store/predictionrepository.h"
#include "core/store/project.h"
#include "core/store/runrepository.h"
#include "core/store/storeerror.h"
#include "core/util/enumnames.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMap>
#include <QSaveFile>
#include <QSet>
#include <QUrl>

namespace winnow::core {
namespace {

constexpr EnumName<ExportFormat> kFormatNames[] = {{ExportFormat::ImageFolder, "imagefolder"},
                                                   {ExportFormat::Csv, "csv"},
                                                   {ExportFormat::Manifest, "manifest"}};

constexpr auto kStaging = ".winnow-export";
constexpr auto kJobName = "winnow";
constexpr int kMaxNameBytes = 200; // below every file system's 255-byte limit, with room to spare

// One image as it is exported.
struct Row {
    qint64 itemId = 0;
    QString source; // absolute path of the image
    qint64 classId = 0;
    QString split;
    std::optional<double> confidence;
    bool human = true;
    std::optional<float> weight; // a subset's selection weight
};

struct Labels {
    QHash<qint64, qint64> classOf;
    QHash<qint64, double> confidence;
    QSet<qint64> machine; // labeled by an automated labeling round, not by people
};

// The current labels and how sure each is: a review's pinned class is certain; a label the
// current consolidation gives has its confidence; a most frequent answer has its share of the
// item's answers; a machine label has the model's confidence.
Labels currentLabelsWithConfidence(Project &project) {
    const auto current = currentLabels(project);
    if (!current)
        throw StoreError(current.error().message);
    Labels labels{*current, {}, {}};
    QHash<qint64, QHash<qint64, int>> votes;
    ConsolidationRepository consolidations(project);
    for (const AnswerTriple &answer : consolidations.liveAnswers())
        ++votes[answer.itemId][answer.classId];
    for (auto it = votes.cbegin(); it != votes.cend(); ++it) {
        int total = 0;
        for (int count : it.value())
            total += count;
        labels.confidence.insert(it.key(),
                                 double(it.value().value(labels.classOf.value(it.key()))) / total);
    }
    const QHash<qint64, qint64> consolidated = consolidations.currentConsolidationLabels();
    const QHash<qint64, double> consolidatedConfidence =
        consolidations.currentConsolidationConfidences();
    for (auto it = consolidated.cbegin(); it != consolidated.cend(); ++it)
        if (labels.classOf.value(it.key()) == it.value())
            labels.confidence.insert(it.key(), consolidatedConfidence.value(it.key()));
    const QHash<qint64, double> machine = PredictionRepository(project).liveMachineConfidences();
    for (auto it = machine.cbegin(); it != machine.cend(); ++it)
        if (!votes.contains(it.key()) && labels.classOf.contains(it.key())) {
            labels.confidence.insert(it.key(), it.value());
            labels.machine.insert(it.key());
        }
    const QHash<qint64, qint64> pinned = consolidations.pinnedReviewLabels();
    for (auto it = pinned.cbegin(); it != pinned.cend(); ++it)
        labels.confidence.insert(it.key(), 1.0);
    return labels;
}

std::vector<ItemRecord> allItems(Project &project) {
    std::vector<ItemRecord> items;
    qint64 after = 0;
    for (;;) {
        const auto page = project.items({}, after, 50'000);
        if (!page)
            throw StoreError(page.error().message);
        if (page->empty())
            return items;
        items.insert(items.end(), page->begin(), page->end());
        after = page->back().id;
    }
}

std::vector<Row> curatedRows(Project &project, DatasetExportSummary &summary) {
    const Labels labels = currentLabelsWithConfidence(project);
    const QHash<qint64, bool> excluded = FlagRepository(project).exclusions();
    std::vector<Row> rows;
    for (const ItemRecord &item : allItems(project)) {
        if (excluded.value(item.id)) {
            ++summary.excluded;
            continue;
        }
        if (!labels.classOf.contains(item.id)) {
            ++summary.unlabeled;
            continue;
        }
        Row row;
        row.itemId = item.id;
        row.source = item.path;
        row.classId = labels.classOf.value(item.id);
        row.split = splitName(item.split);
        if (labels.confidence.contains(item.id))
            row.confidence = labels.confidence.value(item.id);
        row.human = !labels.machine.contains(item.id);
        rows.push_back(std::move(row));
    }
    return rows;
}

// The images a selection round kept, with the labels and splits of the run's snapshot.
std::vector<Row> subsetRows(Project &project, const SubsetRef &subset) {
    RunRepository runs(project);
    if (!runs.find(subset.runId))
        throw StoreError(QStringLiteral("there is no run %1 in this project").arg(subset.runId));
    const std::vector<SelectionRound> rounds = runs.selections(subset.runId);
    if (rounds.empty())
        throw StoreError(QStringLiteral("run %1 selected no subsets (a random or GLISTER run "
                                        "below 100 %% does)")
                             .arg(subset.runId));
    const auto round = subset.round < 0
                           ? std::prev(rounds.end())
                           : std::find_if(rounds.begin(), rounds.end(),
                                          [&](const auto &r) { return r.round == subset.round; });
    if (round == rounds.end())
        throw StoreError(QStringLiteral("run %1 has no selection round %2 (its rounds are 0 to %3)")
                             .arg(subset.runId)
                             .arg(subset.round)
                             .arg(rounds.back().round));
    QHash<qint64, RunItem> snapshot;
    for (const RunItem &item : runs.items(subset.runId))
        snapshot.insert(item.itemId, item);
    const Labels current = currentLabelsWithConfidence(project);
    QHash<qint64, QString> paths;
    for (const ItemRecord &item : allItems(project))
        paths.insert(item.id, item.path);
    std::vector<Row> rows;
    for (size_t i = 0; i < round->itemIds.size(); ++i) {
        const qint64 id = round->itemIds[i];
        if (!paths.contains(id) || !snapshot.contains(id))
            continue; // removed since
        Row row;
        row.itemId = id;
        row.source = paths.value(id);
        row.classId = snapshot.value(id).classId;
        row.split = snapshot.value(id).split;
        if (current.classOf.value(id) == row.classId && current.confidence.contains(id))
            row.confidence = current.confidence.value(id);
        if (i < round->weights.size())
            row.weight = round->weights[i];
        rows.push_back(std::move(row));
    }
    return rows;
}

// Unique safe names, one per class.
QHash<qint64, QString> classFolderNames(const std::vector<ClassInfo> &classes) {
    QHash<qint64, QString> names;
    QSet<QString> taken;
    for (const ClassInfo &c : classes) {
        const QString base = safeFileName(c.name);
        QString name = base;
        for (int n = 2; taken.contains(name.toLower()); ++n)
            name = QStringLiteral("%1 (%2)").arg(base).arg(n);
        taken.insert(name.toLower());
        names.insert(c.id, name);
    }
    return names;
}

void removeStaging(const QString &staging) {
    QDir(staging).removeRecursively();
}

class Exporter {
public:
    Exporter(const std::vector<ClassInfo> &classes, const DatasetExportOptions &options,
             QString staging)
        : m_options(options)
        , m_staging(std::move(staging))
        , m_classNames(classFolderNames(classes)) {
        for (const ClassInfo &c : classes) {
            m_labels.insert(c.id, c.name);
            m_classIndex.insert(c.id, int(m_classIndex.size()));
        }
    }

    void write(const std::vector<Row> &rows, DatasetExportSummary &summary,
               const ProgressFn &progress, const CancelToken *cancel) {
        QMap<QString, qint64> perSplit;
        qint64 done = 0;
        for (const Row &row : rows) {
            if (cancel && cancel->isCancelled()) {
                summary.cancelled = true;
                return;
            }
            if (writeRow(row, summary)) {
                ++summary.written;
                ++perSplit[row.split];
            }
            if (progress && (++done % 256 == 0 || done == qint64(rows.size())))
                progress(done, qint64(rows.size()), QStringLiteral("exporting"));
        }
        finish();
        for (auto it = perSplit.cbegin(); it != perSplit.cend(); ++it)
            summary.perSplit.push_back({it.key(), it.value()});
    }

private:
    bool writeRow(const Row &row, DatasetExportSummary &summary) {
        const QString label = m_labels.value(row.classId);
        switch (m_options.format) {
        case ExportFormat::ImageFolder:
            return placeImage(row, summary);
        case ExportFormat::Csv:
            m_csv += CsvReader::quote(row.source) + u',' + CsvReader::quote(label) + u',' +
                     row.split + u',' +
                     (row.confidence ? QString::number(*row.confidence, 'f', 6) : QString()) +
                     (m_options.subset ? u',' + QString::number(row.weight.value_or(1), 'g', 6)
                                       : QString()) +
                     u'\n';
            return true;
        case ExportFormat::Manifest: {
            QJsonObject metadata{
                {QStringLiteral("class-name"), label},
                {QStringLiteral("human-annotated"),
                 row.human ? QStringLiteral("yes") : QStringLiteral("no")},
                {QStringLiteral("creation-date"), nowIso()},
                {QStringLiteral("type"), QStringLiteral("groundtruth/image-classification")},
                {QStringLiteral("job-name"), QStringLiteral("labeling-job/%1").arg(kJobName)}};
            if (row.confidence)
                metadata.insert(QStringLiteral("confidence"), *row.confidence);
            if (row.weight)
                metadata.insert(QStringLiteral("selection-weight"), double(*row.weight));
            const QJsonObject line{{QStringLiteral("source-ref"), row.source},
                                   {QLatin1String(kJobName), m_classIndex.value(row.classId, -1)},
                                   {QStringLiteral("%1-metadata").arg(kJobName), metadata}};
            m_manifests[row.split] += QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
            return true;
        }
        }
        return false;
    }

    // Links (or copies) the image to split/class/name, a name no other image of that folder has.
    bool placeImage(const Row &row, DatasetExportSummary &summary) {
        const QString folder =
            QStringLiteral("%1/%2/%3")
                .arg(m_staging, safeFileName(row.split), m_classNames.value(row.classId));
        if (!m_madeFolders.contains(folder)) {
            if (!QDir().mkpath(folder))
                throw StoreError(QStringLiteral("%1: cannot create the folder").arg(folder));
            m_madeFolders.insert(folder);
        }
        QString name = safeFileName(QFileInfo(row.source).fileName());
        if (m_usedNames.contains(folder + u'/' + name.toLower())) {
            const QFileInfo info(name);
            name = QStringLiteral("%1-%2%3")
                       .arg(info.completeBaseName())
                       .arg(row.itemId)
                       .arg(info.suffix().isEmpty() ? QString() : u'.' + info.suffix());
        }
        m_usedNames.insert(folder + u'/' + name.toLower());
        const QString target = folder + u'/' + name;
        if (!QFileInfo(row.source).isFile()) {
            summary.issues.push_back({row.source, QStringLiteral("the image is not there")});
            return false;
        }
        const bool placed = m_options.copyImages ? QFile::copy(row.source, target)
                                                 : QFile::link(row.source, target);
        if (!placed)
            summary.issues.push_back(
                {row.source, m_options.copyImages
                                 ? QStringLiteral("cannot copy it to %1").arg(target)
                                 : QStringLiteral("cannot link it from %1").arg(target)});
        return placed;
    }

    void save(const QString &name, const QByteArray &data) {
        QSaveFile file(m_staging + u'/' + name);
        if (!file.open(QIODevice::WriteOnly) || file.write(data) != data.size() || !file.commit())
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(name, file.errorString()));
    }

    void finish() {
        if (m_options.format == ExportFormat::Csv)
            save(QStringLiteral("labels.csv"),
                 (QStringLiteral("path,label,split,confidence") +
                  (m_options.subset ? QStringLiteral(",weight") : QString()) + u'\n' + m_csv)
                     .toUtf8());
        for (auto it = m_manifests.cbegin(); it != m_manifests.cend(); ++it)
            save(safeFileName(it.key()) + QStringLiteral(".manifest"), it.value());
    }

    const DatasetExportOptions &m_options;
    QString m_staging;
    QHash<qint64, QString> m_classNames; // safe folder names
    QHash<qint64, QString> m_labels;     // as they are
    QHash<qint64, int> m_classIndex;
    QSet<QString> m_madeFolders;
    QSet<QString> m_usedNames; // folder/name, lower case: case-insensitive file systems too
    QString m_csv;
    QMap<QString, QByteArray> m_manifests; // by split
};

// The folder to export into: created when missing; refused when it holds anything.
QDir targetFolder(const QString &path) {
    if (path.trimmed().isEmpty())
        throw StoreError(QStringLiteral("give a folder to export into"));
    const QFileInfo info(path);
    if (info.exists() && !info.isDir())
        throw StoreError(QStringLiteral("%1 is a file, not a folder").arg(path));
    QDir dir(info.absoluteFilePath());
    if (!dir.exists() && !QDir().mkpath(dir.path()))
        throw StoreError(QStringLiteral("%1: cannot create the folder").arg(dir.path()));
    const QStringList present =
        dir.entryList(QDir::AllEntries | QDir::Hidden | QDir::System | QDir::NoDotAndDotDot);
    if (!present.isEmpty())
        throw StoreError(QStringLiteral("%1 already holds files (%2): export into an empty or a "
                                        "new folder")
                             .arg(dir.path(), present.first()));
    return dir;
}

} // namespace

QString exportFormatName(ExportFormat format) {
    return enumName(kFormatNames, format);
}

std::optional<ExportFormat> parseExportFormat(const QString &name) {
    return parseEnumName(kFormatNames, name);
}

std::optional<SubsetRef> parseSubsetRef(const QString &text) {
    const QStringList parts = text.trimmed().split(u':');
    if (parts.size() > 2)
        return std::nullopt;
    bool ok = false;
    SubsetRef ref;
    ref.runId = parts[0].toLongLong(&ok);
    if (!ok || ref.runId <= 0)
        return std::nullopt;
    if (parts.size() == 1 || parts[1] == QLatin1String("last"))
        return ref;
    ref.round = parts[1].toInt(&ok);
    return ok && ref.round >= 0 ? std::optional(ref) : std::nullopt;
}

QString safeFileName(const QString &name) {
    QString safe;
    for (const QChar c : name) {
        const bool unsafe = c == u'%' || c == u'/' || c == u'\\' ||
                            c.category() == QChar::Other_Control ||
                            c.category() == QChar::Other_Format;
        if (!unsafe) {
            safe += c;
            continue;
        }
        for (const char byte : QString(c).toUtf8())
            safe += u'%' + QStringLiteral("%1").arg(uchar(byte), 2, 16, QLatin1Char('0')).toUpper();
    }
    if (safe.isEmpty())
        return QStringLiteral("_");
    if (safe.startsWith(u'.')) // ".", ".." and hidden names, which importers skip
        safe.replace(0, 1, QStringLiteral("%2E"));
    while (safe.toUtf8().size() > kMaxNameBytes)
        safe.chop(1);
    return safe;
}

QString classNameOfFolder(const QString &folderName) {
    if (!folderName.contains(u'%'))
        return folderName;
    return QUrl::fromPercentEncoding(folderName.toUtf8());
}

Result<DatasetExportSummary> exportDataset(Project &project, const DatasetExportOptions &options,
                                           const ProgressFn &progress, const CancelToken *cancel) {
    QString staging;
    auto result = attempt([&] {
        const QDir target = targetFolder(options.folder);
        staging = target.filePath(QLatin1String(kStaging));
        if (!QDir().mkpath(staging))
            throw StoreError(QStringLiteral("%1: cannot create the folder").arg(staging));
        DatasetExportSummary summary;
        if (progress)
            progress(0, 0, QStringLiteral("reading labels"));
        const std::vector<Row> rows =
            options.subset ? subsetRows(project, *options.subset) : curatedRows(project, summary);
        const auto classes = project.classes();
        if (!classes)
            throw StoreError(classes.error().message);
        Exporter(*classes, options, staging).write(rows, summary, progress, cancel);
        if (summary.cancelled) {
            removeStaging(staging);
            return summary;
        }
        const QStringList made =
            QDir(staging).entryList(QDir::AllEntries | QDir::NoDotAndDotDot, QDir::Name);
        for (const QString &entry : made) {
            if (!QDir().rename(staging + u'/' + entry, target.filePath(entry)))
                throw StoreError(
                    QStringLiteral("%1: cannot move it into place").arg(target.filePath(entry)));
            summary.files << entry;
        }
        QDir().rmdir(staging);
        return summary;
    });
    if (!result && !staging.isEmpty())
        removeStaging(staging);
    return result;
}

} // namespace winnow::core

#include "core/io/answerfiles.h"

#include "core/io/answerrowreader.h"
#include "core/io/csvreader.h"
#include "core/io/itemresolver.h"
#include "core/io/manifestreader.h"
#include "core/io/regularfile.h"
#include "core/store/answerrepository.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>
#include <QThread>
#include <unordered_set>

namespace winnow::core {
namespace {

constexpr qint64 kMaxAnswerFileBytes = qint64(8) << 30;

QByteArray readAll(const QString &file) {
    auto bytes = readRegularFile(file, kMaxAnswerFileBytes);
    if (!bytes)
        throw StoreError(QStringLiteral("%1: %2").arg(file, bytes.error().message));
    return std::move(bytes).value();
}

// Collects resolved rows, then creates the workers and classes it has not seen in one
// transaction and writes the answers in large batches; shared by both file formats.
class AnswerWriter {
public:
    AnswerWriter(Project &project, QString origin, AnswerImportSummary &summary,
                 ProgressFn progress, const CancelToken *cancel)
        : m_project(project)
        , m_resolver(project)
        , m_origin(std::move(origin))
        , m_summary(summary)
        , m_progress(std::move(progress))
        , m_cancel(cancel) {}

    void reject(qint64 line, const QString &reason) {
        ++m_summary.rejected;
        m_summary.issues.push_back({line, reason});
    }

    // Looks the item up; rejects the row (with a reason) when it cannot.
    qint64 item(qint64 line, const QString &name) {
        const qint64 id = m_resolver.find(name);
        if (id == 0)
            reject(line, QStringLiteral("unknown item '%1'").arg(name));
        else if (id == ItemResolver::kAmbiguous)
            reject(line,
                   QStringLiteral("'%1' names several items; give more of its path").arg(name));
        return id > 0 ? id : 0;
    }

    void add(qint64 itemId, const QString &worker, const QString &label) {
        m_rows.push_back({itemId, intern(m_workers, m_workerNames, worker),
                          intern(m_labels, m_labelNames, label)});
    }

    void write() {

        const auto workers = m_project.ensureAnnotators(m_workerNames, QStringLiteral("human"));
        if (!workers)
            throw StoreError(workers.error().message);
        const auto classes = m_project.ensureClasses(m_labelNames);
        if (!classes)
            throw StoreError(classes.error().message);
        std::vector<qint64> workerIds, classIds;
        for (const QString &name : std::as_const(m_workerNames))
            workerIds.push_back(workers->value(name));
        for (const QString &name : std::as_const(m_labelNames))
            classIds.push_back(classes->value(name));

        std::vector<NewAnswer> answers;
        answers.reserve(m_rows.size());
        for (const Row &row : m_rows)
            answers.push_back(
                {row.item, workerIds[size_t(row.worker)], classIds[size_t(row.label)]});
        qint64 processed = 0;
        m_summary.imported = AnswerRepository(m_project).importAnswers(
            answers, m_origin,
            [this, &processed](qint64 done) {
                processed = done;
                if (m_progress)
                    m_progress(done, qint64(m_rows.size()), QStringLiteral("Storing answers"));
            },
            m_cancel);
        m_summary.cancelled = processed < qint64(answers.size());
        m_summary.duplicates = processed - m_summary.imported;
    }

private:
    struct Row {
        qint64 item;
        int worker;
        int label;
    };

    static int intern(QHash<QString, int> &index, QStringList &names, const QString &name) {
        const auto it = index.constFind(name);
        if (it != index.constEnd())
            return *it;
        names.append(name);
        index.insert(name, int(names.size() - 1));
        return int(names.size() - 1);
    }

    Project &m_project;
    ItemResolver m_resolver;
    QString m_origin;
    AnswerImportSummary &m_summary;
    ProgressFn m_progress;
    const CancelToken *m_cancel;
    std::vector<Row> m_rows;
    QHash<QString, int> m_workers, m_labels;
    QStringList m_workerNames, m_labelNames;
};

} // namespace

Result<AnswerImportSummary> importAnswersCsv(Project &project, const QString &file,
                                             const ProgressFn &progress,
                                             const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        AnswerRowReader reader(readAll(file));
        AnswerWriter writer(project, QStringLiteral("import"), summary, progress, cancel);
        AnswerRow row;
        while (reader.next(row)) {
            ++summary.rows;
            if (!row.problem.isEmpty()) {
                writer.reject(row.line, row.problem);
                continue;
            }
            const QString worker =
                QString::fromUtf8(row.worker.data(), qsizetype(row.worker.size()));
            const QString label = QString::fromUtf8(row.label.data(), qsizetype(row.label.size()));
            const QString name = QString::fromUtf8(row.item.data(), qsizetype(row.item.size()));
            if (const qint64 item = writer.item(row.line, name))
                writer.add(item, worker, label);
            if (progress && summary.rows % 100000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.write();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importGroundTruthManifest(Project &project, const QString &file,
                                                      const ProgressFn &progress,
                                                      const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        ManifestReader reader(readAll(file));
        AnswerWriter writer(project, QStringLiteral("import"), summary, progress, cancel);
        ManifestLine line;
        while (reader.next(line)) {
            ++summary.rows;
            if (!line.problem.isEmpty()) {
                writer.reject(line.line, line.problem);
                continue;
            }
            const qint64 item = writer.item(line.line, line.source);
            if (!item)
                continue;
            for (const auto &[worker, label] : line.responses)
                writer.add(item, worker, label);
            if (progress && summary.rows % 10000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.write();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

namespace {

constexpr qint64 kMaxWorkerResponseBytes = qint64(16) << 20;

// The answers of one worker-response file: (worker, label) pairs, or why the file is unusable.
std::vector<std::pair<QString, QString>> readWorkerResponse(const QByteArray &bytes,
                                                            QString &problem) {
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(bytes, &error);
    if (!doc.isObject()) {
        problem = error.error != QJsonParseError::NoError
                      ? QStringLiteral("not JSON: %1").arg(error.errorString())
                      : QStringLiteral("not a JSON object");
        return {};
    }
    std::vector<std::pair<QString, QString>> answers;
    for (const QJsonValue &entry : doc.object().value(QLatin1String("answers")).toArray()) {
        const QJsonObject answer = entry.toObject();
        const QString worker = answer.value(QLatin1String("workerId")).toString();
        // The task template names the content ("crowd-image-classifier", a custom name):
        // the label is the first "label" string inside it.
        QString label;
        const QJsonObject content = answer.value(QLatin1String("answerContent")).toObject();
        for (auto it = content.begin(); it != content.end() && label.isEmpty(); ++it)
            label = it.value().toObject().value(QLatin1String("label")).toString();
        if (worker.isEmpty() || label.isEmpty() || worker.contains(QChar(0)) ||
            label.contains(QChar(0))) {
            problem = QStringLiteral("an answer lacks a workerId or an answerContent label");
            return {};
        }
        answers.emplace_back(worker, label);
    }
    if (answers.empty())
        problem = QStringLiteral("no \"answers\"");
    return answers;
}

} // namespace

Result<GroundTruthJobSummary> importGroundTruthJob(Project &project, const QString &folder,
                                                   const ProgressFn &progress,
                                                   const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        const QDir root(folder);
        const QString manifestFile =
            root.filePath(QStringLiteral("manifests/output/output.manifest"));
        if (!QFileInfo(manifestFile).isFile())
            throw StoreError(QStringLiteral("%1: not a Ground Truth job's output folder (no "
                                            "manifests/output/output.manifest)")
                                 .arg(folder));
        GroundTruthJobSummary summary;
        AnswerWriter writer(project, QStringLiteral("import"), summary, progress, cancel);

        // Data object ids are the manifest's lines in order.
        ManifestReader reader(readAll(manifestFile));
        std::vector<ManifestLine> objects;
        std::vector<qint64> itemOf;
        for (ManifestLine line; reader.next(line);) {
            objects.push_back(line);
            itemOf.push_back(line.source.isEmpty() ? 0 : writer.item(line.line, line.source));
            if (summary.job.isEmpty())
                summary.job = line.job;
        }

        std::vector<int> answersOf(objects.size(), 0);
        const QString responses = root.filePath(QStringLiteral("annotations/worker-response"));
        QStringList iterations = QDir(responses).entryList({QStringLiteral("iteration-*")},
                                                           QDir::Dirs | QDir::NoDotAndDotDot);
        std::sort(iterations.begin(), iterations.end(), [](const QString &a, const QString &b) {
            return a.mid(10).toInt() < b.mid(10).toInt();
        });
        for (const QString &iteration : std::as_const(iterations)) {
            const QDir dir(QDir(responses).filePath(iteration));
            for (const QString &object : dir.entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                bool numeric = false;
                const qint64 id = object.toLongLong(&numeric);
                for (const QString &name :
                     QDir(dir.filePath(object))
                         .entryList({QStringLiteral("*.json")}, QDir::Files, QDir::Name)) {
                    const QString file = QDir(dir.filePath(object)).filePath(name);
                    ++summary.rows;
                    const auto reject = [&](const QString &reason) {
                        writer.reject(0, QStringLiteral("%1: %2").arg(file, reason));
                    };
                    if (!numeric || id < 0 || id >= qint64(objects.size())) {
                        reject(QStringLiteral("data object %1 is not a line of the output manifest")
                                   .arg(object));
                        continue;
                    }
                    if (itemOf[size_t(id)] == 0) {
                        reject(QStringLiteral("its data object (manifest line %1) is not in the "
                                              "project")
                                   .arg(objects[size_t(id)].line));
                        continue;
                    }
                    const auto bytes = readRegularFile(file, kMaxWorkerResponseBytes);
                    if (!bytes) {
                        reject(bytes.error().message);
                        continue;
                    }
                    QString problem;
                    const auto answers = readWorkerResponse(*bytes, problem);
                    if (!problem.isEmpty()) {
                        reject(problem);
                        continue;
                    }
                    for (const auto &[worker, label] : answers)
                        writer.add(itemOf[size_t(id)], worker, label);
                    answersOf[size_t(id)] += int(answers.size());
                }
            }
        }
        writer.write();

        // The job's own consolidation, kept beside Winnow's.
        QStringList labels;
        for (const ManifestLine &line : objects)
            if (!line.consolidatedLabel.isEmpty())
                labels << line.consolidatedLabel;
        labels.removeDuplicates();
        if (!labels.isEmpty() && !summary.cancelled) {
            const auto classes = project.ensureClasses(labels);
            if (!classes)
                throw StoreError(classes.error().message);
            ConsolidationRepository store(project);
            NewConsolidation consolidation;
            consolidation.method = QStringLiteral("ground-truth-job");
            consolidation.parameters =
                QString::fromUtf8(QJsonDocument(QJsonObject{{QStringLiteral("job"), summary.job}})
                                      .toJson(QJsonDocument::Compact));
            consolidation.classIds = store.classIdsInOrder();
            QHash<qint64, int> column;
            for (int c = 0; c < int(consolidation.classIds.size()); ++c)
                column.insert(consolidation.classIds[size_t(c)], c);
            const int classCount = int(consolidation.classIds.size());
            for (size_t o = 0; o < objects.size(); ++o) {
                if (itemOf[o] == 0 || objects[o].consolidatedLabel.isEmpty())
                    continue;
                const qint64 classId = classes->value(objects[o].consolidatedLabel);
                const double confidence = objects[o].confidence >= 0 ? objects[o].confidence : 1.0;
                // The job gives one confidence: the rest is spread over the other classes.
                std::vector<float> posterior(
                    size_t(classCount),
                    classCount > 1 ? float((1 - confidence) / (classCount - 1)) : 0.0f);
                posterior[size_t(column.value(classId))] = float(confidence);
                consolidation.labels.push_back(
                    {itemOf[o], classId, confidence, answersOf[o],
                     QByteArray(reinterpret_cast<const char *>(posterior.data()),
                                qsizetype(posterior.size() * sizeof(float)))});
                consolidation.answers += answersOf[o];
            }
            consolidation.items = qint64(consolidation.labels.size());
            summary.consolidated = consolidation.items;
            if (!consolidation.labels.empty())
                summary.consolidationId = store.store(consolidation, nowIso());
        }
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importAnswers(Project &project, const QString &file,
                                          const ProgressFn &progress, const CancelToken *cancel) {
    if (const auto regular = requireRegularFile(file); !regular)
        return Error{QStringLiteral("%1: %2").arg(file, regular.error().message)};
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: cannot read: %2").arg(file, in.errorString())};
    QByteArray head = in.peek(4096);
    in.close();
    if (head.startsWith("\xEF\xBB\xBF"))
        head.remove(0, 3); // a byte-order mark says nothing about the format
    head = head.trimmed();
    return head.startsWith('{') ? importGroundTruthManifest(project, file, progress, cancel)
                                : importAnswersCsv(project, file, progress, cancel);
}

Result<qint64> exportAnswersCsv(Project &project, const QString &file) {
    return attempt([&] {
        const ItemResolver resolver(project);
        QSaveFile out(file);
        if (!out.open(QIODevice::WriteOnly))
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        QByteArray buffer = "item,worker,label\n";
        qint64 rows = 0;
        for (const NamedAnswer &answer : AnswerRepository(project).liveAnswersByName()) {
            buffer += CsvReader::quote(resolver.exportName(answer.itemId)).toUtf8() + ',' +
                      CsvReader::quote(answer.annotator).toUtf8() + ',' +
                      CsvReader::quote(answer.className).toUtf8() + '\n';
            ++rows;
            if (buffer.size() > (1 << 20)) {
                out.write(buffer);
                buffer.clear();
            }
        }
        out.write(buffer);
        if (!out.commit())
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        return rows;
    });
}

} // namespace winnow::core

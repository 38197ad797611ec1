#include "core/io/answerfiles.h"

#include "core/io/csvreader.h"
#include "core/io/itemresolver.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

#include <unordered_set>

namespace winnow::core {
namespace {

constexpr qint64 kRowsPerTransaction = 100000;

constexpr auto kSelectLiveAnswers =
    "SELECT a.item_id, a.annotator_id, a.class_id FROM answers a WHERE a.revokes IS NULL"
    " AND NOT EXISTS (SELECT 1 FROM answers u WHERE u.revokes = a.id) ORDER BY a.id";
constexpr auto kInsertAnswer =
    "INSERT INTO answers (item_id, annotator_id, class_id, created_at, origin) VALUES (?, ?, ?, ?, ?)";
constexpr auto kExportAnswers =
    "SELECT a.item_id, n.name, c.name FROM answers a"
    " JOIN annotators n ON n.id = a.annotator_id JOIN classes c ON c.id = a.class_id"
    " WHERE a.revokes IS NULL AND NOT EXISTS (SELECT 1 FROM answers u WHERE u.revokes = a.id)"
    " ORDER BY a.id";

struct AnswerKey {
    qint64 item, annotator, cls;
    bool operator==(const AnswerKey &) const = default;
};
struct AnswerKeyHash {
    size_t operator()(const AnswerKey &k) const noexcept
    {
        return std::hash<qint64>()(k.item * 1000003 ^ k.annotator * 7919 ^ k.cls);
    }
};

QByteArray readAll(const QString &file)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        throw StoreError(QStringLiteral("%1: cannot read: %2").arg(file, in.errorString()));
    return in.readAll();
}

// Resolves names and writes answers in batched transactions; shared by both file formats.
class AnswerWriter {
public:
    AnswerWriter(Project &project, QString file, QString origin, AnswerImportSummary &summary)
        : m_project(project), m_resolver(project), m_file(std::move(file)), m_origin(std::move(origin)),
          m_summary(summary), m_now(nowIso())
    {
        Statement live(project.database(), kSelectLiveAnswers);
        while (live.step())
            m_known.insert({live.int64(0), live.int64(1), live.int64(2)});
        if (const auto classes = project.classes()) {
            for (const ClassInfo &c : *classes)
                m_classes.insert(c.name, c.id);
        }
    }

    void reject(qint64 line, const QString &reason)
    {
        ++m_summary.rejected;
        m_summary.issues.push_back({line, reason});
    }

    // Looks the item up; rejects the row (with a reason) when it cannot.
    qint64 item(qint64 line, const QString &name)
    {
        const qint64 id = m_resolver.find(name);
        if (id == 0)
            reject(line, QStringLiteral("unknown item '%1'").arg(name));
        else if (id == ItemResolver::kAmbiguous)
            reject(line, QStringLiteral("'%1' names several items; give more of its path").arg(name));
        return id > 0 ? id : 0;
    }

    void add(qint64 itemId, const QString &worker, const QString &label)
    {
        const AnswerKey key{itemId, annotator(worker), classId(label)};
        if (!m_known.insert(key).second) {
            ++m_summary.duplicates;
            return;
        }
        begin();
        m_insert->bind(1, key.item).bind(2, key.annotator).bind(3, key.cls).bind(4, m_now).bind(5, m_origin);
        m_insert->run();
        ++m_summary.imported;
        if (++m_pending >= kRowsPerTransaction)
            commit();
    }

    void commit()
    {
        if (!m_transaction)
            return;
        m_insert.reset();
        m_transaction->commit();
        m_transaction.reset();
        m_pending = 0;
    }

private:
    void begin()
    {
        if (m_transaction)
            return;
        m_transaction = std::make_unique<Transaction>(m_project.database());
        m_insert = std::make_unique<Statement>(m_project.database(), kInsertAnswer);
    }

    qint64 annotator(const QString &name)
    {
        if (const auto it = m_annotators.constFind(name); it != m_annotators.constEnd())
            return *it;
        commit(); // ensureAnnotator takes its own transaction
        const auto id = m_project.ensureAnnotator(name, QStringLiteral("human"));
        if (!id)
            throw StoreError(id.error().message);
        m_annotators.insert(name, *id);
        return *id;
    }

    qint64 classId(const QString &name)
    {
        if (const auto it = m_classes.constFind(name); it != m_classes.constEnd())
            return *it;
        commit();
        const auto id = m_project.ensureClass(name);
        if (!id)
            throw StoreError(id.error().message);
        m_classes.insert(name, *id);
        return *id;
    }

    Project &m_project;
    ItemResolver m_resolver;
    QString m_file;
    QString m_origin;
    AnswerImportSummary &m_summary;
    QString m_now;
    std::unordered_set<AnswerKey, AnswerKeyHash> m_known;
    QHash<QString, qint64> m_annotators;
    QHash<QString, qint64> m_classes;
    std::unique_ptr<Transaction> m_transaction;
    std::unique_ptr<Statement> m_insert;
    qint64 m_pending = 0;
};

bool isHeader(const QStringList &fields)
{
    return fields.size() == 3 && fields[0].trimmed().compare(QLatin1String("item"), Qt::CaseInsensitive) == 0 &&
           fields[1].trimmed().compare(QLatin1String("worker"), Qt::CaseInsensitive) == 0 &&
           fields[2].trimmed().compare(QLatin1String("label"), Qt::CaseInsensitive) == 0;
}

QString jsonString(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return {};
}

// Worker responses in a manifest line, in the shapes tools write them: a list under
// "worker-responses", "workerResponses" or "annotations", each with a worker id and a label
// (a class name, or an index into "class-map").
std::vector<std::pair<QString, QString>> workerResponses(const QJsonObject &metadata, QString &error)
{
    std::vector<std::pair<QString, QString>> responses;
    QJsonArray list;
    for (const char *key : {"worker-responses", "workerResponses", "annotations"}) {
        if (metadata.value(QLatin1String(key)).isArray()) {
            list = metadata.value(QLatin1String(key)).toArray();
            break;
        }
    }
    const QJsonObject classMap = metadata.value(QLatin1String("class-map")).toObject();
    for (const QJsonValue &entry : list) {
        const QJsonObject response = entry.toObject();
        QString worker;
        for (const char *key : {"workerId", "worker-id", "worker_id", "worker"}) {
            worker = jsonString(response.value(QLatin1String(key)));
            if (!worker.isEmpty())
                break;
        }
        QJsonValue labelValue;
        for (const char *key : {"class-name", "label", "answer"}) {
            labelValue = response.value(QLatin1String(key));
            if (!labelValue.isUndefined())
                break;
        }
        QString label = labelValue.isDouble() && !classMap.isEmpty()
                            ? classMap.value(QString::number(labelValue.toInteger())).toString()
                            : jsonString(labelValue);
        if (worker.isEmpty() || label.isEmpty()) {
            error = QStringLiteral("a worker response lacks a worker id or a label");
            return {};
        }
        responses.emplace_back(worker, label);
    }
    return responses;
}

} // namespace

Result<AnswerImportSummary> importAnswersCsv(Project &project, const QString &file, const ProgressFn &progress)
{
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        CsvReader reader(readAll(file));
        AnswerWriter writer(project, file, QStringLiteral("import"), summary);
        QStringList fields;
        QString error;
        bool first = true;
        while (reader.next(fields, error)) {
            const qint64 line = reader.line();
            if (fields.size() == 1 && fields[0].trimmed().isEmpty() && error.isEmpty())
                continue; // blank line
            if (first && error.isEmpty() && isHeader(fields)) {
                first = false;
                continue;
            }
            first = false;
            ++summary.rows;
            if (!error.isEmpty()) {
                writer.reject(line, error);
                continue;
            }
            if (fields.size() != 3) {
                writer.reject(line, QStringLiteral("expected 3 fields (item,worker,label), found %1").arg(fields.size()));
                continue;
            }
            const QString worker = fields[1].trimmed();
            const QString label = fields[2].trimmed();
            if (fields[0].trimmed().isEmpty() || worker.isEmpty() || label.isEmpty()) {
                writer.reject(line, QStringLiteral("empty %1").arg(fields[0].trimmed().isEmpty() ? "item" : worker.isEmpty() ? "worker" : "label"));
                continue;
            }
            if (const qint64 item = writer.item(line, fields[0]))
                writer.add(item, worker, label);
            if (progress && summary.rows % 100000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.commit();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importGroundTruthManifest(Project &project, const QString &file, const ProgressFn &progress)
{
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        const QByteArray data = readAll(file);
        AnswerWriter writer(project, file, QStringLiteral("import"), summary);
        qint64 line = 0;
        qsizetype start = 0;
        while (start < data.size()) {
            qsizetype end = data.indexOf('\n', start);
            if (end < 0)
                end = data.size();
            const QByteArrayView text(data.constData() + start, end - start);
            start = end + 1;
            ++line;
            if (text.trimmed().isEmpty())
                continue;
            ++summary.rows;
            QJsonParseError parseError;
            const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &parseError);
            if (!doc.isObject()) {
                writer.reject(line, parseError.error != QJsonParseError::NoError
                                        ? QStringLiteral("not JSON: %1 at column %2").arg(parseError.errorString()).arg(parseError.offset + 1)
                                        : QStringLiteral("not a JSON object"));
                continue;
            }
            const QJsonObject object = doc.object();
            const QString source = object.value(QLatin1String("source-ref")).toString();
            if (source.isEmpty()) {
                writer.reject(line, QStringLiteral("no \"source-ref\""));
                continue;
            }
            // The label attribute is the key that has a "<key>-metadata" object beside it.
            QString attribute;
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (it.key().endsWith(QLatin1String("-metadata")) && it.value().isObject() &&
                    object.contains(it.key().chopped(9))) {
                    attribute = it.key().chopped(9);
                    break;
                }
            }
            if (attribute.isEmpty()) {
                writer.reject(line, QStringLiteral("no label attribute with a \"-metadata\" object"));
                continue;
            }
            const QJsonObject metadata = object.value(attribute + QStringLiteral("-metadata")).toObject();
            QString error;
            auto responses = workerResponses(metadata, error);
            if (!error.isEmpty()) {
                writer.reject(line, error);
                continue;
            }
            if (responses.empty()) {
                const QString label = metadata.value(QLatin1String("class-name")).toString();
                if (label.isEmpty()) {
                    writer.reject(line, QStringLiteral("\"%1-metadata\" has no \"class-name\"").arg(attribute));
                    continue;
                }
                QString job = metadata.value(QLatin1String("job-name")).toString();
                responses.emplace_back(job.isEmpty() ? QStringLiteral("ground-truth") : job, label);
            }
            const qint64 item = writer.item(line, source);
            if (!item)
                continue;
            for (const auto &[worker, label] : responses)
                writer.add(item, worker, label);
            if (progress && summary.rows % 10000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.commit();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importAnswers(Project &project, const QString &file, const ProgressFn &progress)
{
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: cannot read: %2").arg(file, in.errorString())};
    const QByteArray head = in.peek(4096).trimmed();
    in.close();
    return head.startsWith('{') ? importGroundTruthManifest(project, file, progress)
                                : importAnswersCsv(project, file, progress);
}

Result<qint64> exportAnswersCsv(Project &project, const QString &file)
{
    return attempt([&] {
        const ItemResolver resolver(project);
        QSaveFile out(file);
        if (!out.open(QIODevice::WriteOnly))
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        QByteArray buffer = "item,worker,label\n";
        qint64 rows = 0;
        Statement query(project.database(), kExportAnswers);
        while (query.step()) {
            buffer += CsvReader::quote(resolver.exportName(query.int64(0))).toUtf8() + ',' +
                      CsvReader::quote(query.text(1)).toUtf8() + ',' + CsvReader::quote(query.text(2)).toUtf8() + '\n';
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

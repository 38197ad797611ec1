#include "core/io/manifestreader.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <algorithm>
#include <cmath>

namespace winnow::core {
namespace {

constexpr qsizetype kMaxManifestNameChars = qsizetype(1) << 20;

// A string, or an integral number written as one; empty for anything else (a fraction, a number
// too large to be an index, an object).
QString jsonString(const QJsonValue &value) {
    if (value.isString())
        return value.toString();
    if (value.isDouble()) {
        const double number = value.toDouble();
        if (std::isfinite(number) && std::trunc(number) == number && std::abs(number) < 1e15)
            return QString::number(qint64(number));
    }
    return {};
}

// Worker responses in a manifest line, in the shapes tools write them: a list under
// "worker-responses", "workerResponses" or "annotations", each with a worker id and a label
// (a class name, or an index into "class-map").
std::vector<std::pair<QString, QString>> workerResponses(const QJsonObject &metadata,
                                                         QString &error) {
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
        const QString label = jsonString(labelValue);
        const QString mapped = labelValue.isDouble() && !classMap.isEmpty() && !label.isEmpty()
                                   ? jsonString(classMap.value(label))
                                   : label;
        if (worker.isEmpty() || mapped.isEmpty()) {
            error = QStringLiteral("a worker response lacks a worker id or a label");
            return {};
        }
        responses.emplace_back(worker, mapped);
    }
    return responses;
}

// The answers of one manifest object, or the problem that keeps it from being used.
void readObject(const QJsonObject &object, ManifestLine &out) {
    const QJsonValue source = object.value(QLatin1String("source-ref"));
    if (source.isUndefined()) {
        out.problem = QStringLiteral("no \"source-ref\"");
        return;
    }
    out.source = source.toString();
    if (out.source.isEmpty()) {
        out.problem = QStringLiteral("\"source-ref\" is not a non-empty string");
        return;
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
        out.problem = QStringLiteral("no label attribute with a \"-metadata\" object");
        return;
    }
    const QJsonObject metadata = object.value(attribute + QStringLiteral("-metadata")).toObject();
    out.consolidatedLabel = jsonString(metadata.value(QLatin1String("class-name")));
    out.job = jsonString(metadata.value(QLatin1String("job-name")));
    if (metadata.value(QLatin1String("confidence")).isDouble())
        out.confidence =
            std::clamp(metadata.value(QLatin1String("confidence")).toDouble(), 0.0, 1.0);
    out.responses = workerResponses(metadata, out.problem);
    if (!out.problem.isEmpty() || !out.responses.empty())
        return;
    const QString label = jsonString(metadata.value(QLatin1String("class-name")));
    if (label.isEmpty()) {
        out.problem = QStringLiteral("\"%1-metadata\" has no \"class-name\"").arg(attribute);
        return;
    }
    const QString job = jsonString(metadata.value(QLatin1String("job-name")));
    out.responses.emplace_back(job.isEmpty() ? QStringLiteral("ground-truth") : job, label);
}

// Names are stored as they are; one that no database could store (a NUL character) or that is
// far too long to be a name is refused.
QString nameProblem(const QString &name, const char *what) {
    if (name.contains(QChar(0)))
        return QStringLiteral("%1 holds a NUL character").arg(QLatin1String(what));
    if (name.size() > kMaxManifestNameChars)
        return QStringLiteral("%1 is longer than %2 characters")
            .arg(QLatin1String(what))
            .arg(kMaxManifestNameChars);
    return {};
}

void checkNames(ManifestLine &line) {
    line.problem = nameProblem(line.source, "\"source-ref\"");
    for (const auto &[worker, label] : line.responses) {
        if (line.problem.isEmpty())
            line.problem = nameProblem(worker, "a worker id");
        if (line.problem.isEmpty())
            line.problem = nameProblem(label, "a label");
    }
}

} // namespace

ManifestReader::ManifestReader(QByteArray data)
    : m_data(std::move(data)) {
    // A UTF-8 byte-order mark is not part of the first line.
    if (m_data.startsWith("\xEF\xBB\xBF"))
        m_pos = 3;
}

bool ManifestReader::next(ManifestLine &line) {
    while (m_pos < m_data.size()) {
        qsizetype end = m_pos;
        while (end < m_data.size() && m_data[end] != '\n' && m_data[end] != '\r')
            ++end;
        const QByteArrayView text(m_data.constData() + m_pos, end - m_pos);
        m_pos = end +
                (end + 1 < m_data.size() && m_data[end] == '\r' && m_data[end + 1] == '\n' ? 2 : 1);
        ++m_line;
        if (text.trimmed().isEmpty())
            continue;
        line = ManifestLine{};
        line.line = m_line;
        QJsonParseError parseError;
        const QJsonDocument doc = QJsonDocument::fromJson(text.toByteArray(), &parseError);
        if (!doc.isObject()) {
            line.problem = parseError.error != QJsonParseError::NoError
                               ? QStringLiteral("not JSON: %1 at column %2")
                                     .arg(parseError.errorString())
                                     .arg(parseError.offset + 1)
                               : QStringLiteral("not a JSON object");
            return true;
        }
        readObject(doc.object(), line);
        if (line.problem.isEmpty())
            checkNames(line);
        return true;
    }
    return false;
}

} // namespace winnow::core

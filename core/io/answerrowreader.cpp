#include "core/io/answerrowreader.h"

#include <QByteArrayView>
#include <QStringDecoder>
#include <algorithm>
#include <utility>

namespace winnow::core {
namespace {

bool isSpace(char c) {
    return c == ' ' || (c >= '\t' && c <= '\r');
}

std::string_view trimmed(std::string_view v) {
    while (!v.empty() && isSpace(v.front()))
        v.remove_prefix(1);
    while (!v.empty() && isSpace(v.back()))
        v.remove_suffix(1);
    return v;
}

bool validUtf8(std::string_view v) {
    if (std::all_of(v.begin(), v.end(), [](char c) { return quint8(c) < 0x80; }))
        return true;
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString decoded = decoder.decode(QByteArrayView(v.data(), qsizetype(v.size())));
    return !decoder.hasError();
}

// Why a field cannot be a name: names are stored as they are, so a field that no database
// could store the same way (a NUL byte, bytes that are not UTF-8) is refused, not mended.
QString fieldProblem(std::string_view field, const char *what) {
    if (field.empty())
        return QStringLiteral("empty %1").arg(QLatin1String(what));
    if (field.size() > kMaxAnswerFieldBytes)
        return QStringLiteral("%1 is longer than %2 bytes")
            .arg(QLatin1String(what))
            .arg(kMaxAnswerFieldBytes);
    if (field.find('\0') != std::string_view::npos)
        return QStringLiteral("%1 holds a NUL byte").arg(QLatin1String(what));
    if (!validUtf8(field))
        return QStringLiteral("%1 is not valid UTF-8").arg(QLatin1String(what));
    return {};
}

} // namespace

AnswerRowReader::AnswerRowReader(QByteArray data)
    : m_csv(std::move(data)) {
}

bool AnswerRowReader::next(AnswerRow &row) {
    QString error;
    while (m_csv.next(m_fields, error)) {
        row = AnswerRow{};
        row.line = m_csv.line();
        if (m_fields.size() == 1 && trimmed(m_fields[0]).empty() && error.isEmpty())
            continue; // blank line
        const bool first = std::exchange(m_first, false);
        if (!error.isEmpty()) {
            row.problem = error;
            return true;
        }
        if (first && m_fields.size() == 3 &&
            QByteArrayView(trimmed(m_fields[0])).compare("item", Qt::CaseInsensitive) == 0)
            continue; // header
        if (m_fields.size() != 3) {
            row.problem = QStringLiteral("expected 3 fields (item,worker,label), found %1")
                              .arg(m_fields.size());
            return true;
        }
        row.item = trimmed(m_fields[0]);
        row.worker = trimmed(m_fields[1]);
        row.label = trimmed(m_fields[2]);
        for (const auto &[field, what] :
             {std::pair(row.item, "item"), std::pair(row.worker, "worker"),
              std::pair(row.label, "label")}) {
            row.problem = fieldProblem(field, what);
            if (!row.problem.isEmpty())
                break;
        }
        return true;
    }
    return false;
}

} // namespace winnow::core

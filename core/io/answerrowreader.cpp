#include "core/io/answerrowreader.h"

#include <QByteArrayView>
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
        if (row.item.empty() || row.worker.empty() || row.label.empty())
            row.problem = QStringLiteral("empty %1")
                              .arg(row.item.empty()     ? "item"
                                   : row.worker.empty() ? "worker"
                                                        : "label");
        return true;
    }
    return false;
}

} // namespace winnow::core

#include "core/io/csvreader.h"

namespace winnow::core {

CsvReader::CsvReader(QByteArray data)
    : m_data(std::move(data)) {
    if (m_data.startsWith("\xEF\xBB\xBF"))
        m_pos = 3;
}

bool CsvReader::next(QStringList &fields, QString &error) {
    std::vector<std::string_view> views;
    const bool more = next(views, error);
    fields.clear();
    for (std::string_view view : views)
        fields.append(QString::fromUtf8(view.data(), qsizetype(view.size())));
    m_unescaped.clear(); // copied into the QStrings
    return more;
}

bool CsvReader::next(std::vector<std::string_view> &fields, QString &error) {
    fields.clear();
    error.clear();
    const qsizetype size = m_data.size();
    const char *data = m_data.constData();
    if (m_pos >= size)
        return false;
    m_recordLine = m_line;
    std::string field; // used only for a quoted field
    qsizetype plainStart = m_pos;
    bool quoted = false, wasQuoted = false;
    auto finishField = [&](qsizetype plainEnd) {
        if (wasQuoted) {
            m_unescaped.push_back(std::move(field));
            fields.emplace_back(m_unescaped.back());
            field.clear();
        } else {
            fields.emplace_back(data + plainStart, size_t(plainEnd - plainStart));
        }
        wasQuoted = false;
    };
    for (;;) {
        if (m_pos >= size) {
            if (quoted)
                error = QStringLiteral("a quoted field is not closed");
            finishField(m_pos);
            return true;
        }
        const char c = data[m_pos];
        if (quoted) {
            if (c == '"') {
                if (m_pos + 1 < size && data[m_pos + 1] == '"') {
                    field += '"';
                    m_pos += 2;
                    continue;
                }
                quoted = false;
                ++m_pos;
                continue;
            }
            if (c == '\n')
                ++m_line;
            field += c;
            ++m_pos;
            continue;
        }
        if (c == ',') {
            finishField(m_pos);
            ++m_pos;
            plainStart = m_pos;
            continue;
        }
        if (c == '\n' || c == '\r') {
            finishField(m_pos);
            if (c == '\r' && m_pos + 1 < size && data[m_pos + 1] == '\n')
                ++m_pos;
            ++m_pos;
            ++m_line;
            return true;
        }
        if (c == '"' && m_pos == plainStart && !wasQuoted) {
            quoted = wasQuoted = true;
            ++m_pos;
            continue;
        }
        if (wasQuoted) {
            field += c; // text after a closing quote belongs to the field
            ++m_pos;
            continue;
        }
        ++m_pos;
    }
}

QString CsvReader::quote(const QString &field) {
    if (!field.contains(u',') && !field.contains(u'"') && !field.contains(u'\n') &&
        !field.contains(u'\r'))
        return field;
    QString escaped = field;
    escaped.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

} // namespace winnow::core

#include "core/io/csvreader.h"

namespace winnow::core {

CsvReader::CsvReader(QByteArray data) : m_data(std::move(data))
{
    if (m_data.startsWith("\xEF\xBB\xBF"))
        m_pos = 3;
}

bool CsvReader::next(QStringList &fields, QString &error)
{
    fields.clear();
    error.clear();
    const qsizetype size = m_data.size();
    const char *data = m_data.constData();
    if (m_pos >= size)
        return false;
    m_recordLine = m_line;
    QByteArray field;
    bool quoted = false;
    for (;;) {
        if (m_pos >= size) {
            if (quoted)
                error = QStringLiteral("a quoted field is not closed");
            fields.append(QString::fromUtf8(field));
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
            fields.append(QString::fromUtf8(field));
            field.clear();
            ++m_pos;
            continue;
        }
        if (c == '\n' || c == '\r') {
            fields.append(QString::fromUtf8(field));
            if (c == '\r' && m_pos + 1 < size && data[m_pos + 1] == '\n')
                ++m_pos;
            ++m_pos;
            ++m_line;
            return true;
        }
        if (c == '"' && field.isEmpty()) {
            quoted = true;
            ++m_pos;
            continue;
        }
        // Fast path: copy the run of plain characters at once.
        const qsizetype start = m_pos;
        while (m_pos < size && data[m_pos] != ',' && data[m_pos] != '\n' && data[m_pos] != '\r' &&
               !(data[m_pos] == '"' && m_pos == start && field.isEmpty()))
            ++m_pos;
        field.append(data + start, m_pos - start);
    }
}

QString CsvReader::quote(const QString &field)
{
    if (!field.contains(u',') && !field.contains(u'"') && !field.contains(u'\n') && !field.contains(u'\r'))
        return field;
    QString escaped = field;
    escaped.replace(QStringLiteral("\""), QStringLiteral("\"\""));
    return u'"' + escaped + u'"';
}

} // namespace winnow::core

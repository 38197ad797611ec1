#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace winnow::core {

// Reads RFC 4180 CSV from memory: quoted fields with doubled quotes and embedded commas or line
// breaks, LF or CRLF line ends, a UTF-8 byte-order mark. Tracks the line each record starts on.
class CsvReader {
public:
    explicit CsvReader(QByteArray data);

    // Reads the next record into `fields`; false at the end. On a malformed record (a quote left
    // open) returns true with `error` set; reading goes on with the next line.
    bool next(QStringList &fields, QString &error);
    // The same without converting to QString: views into the data (quoted fields that needed
    // unescaping live in the reader and stay valid as long as it does). For large files.
    bool next(std::vector<std::string_view> &fields, QString &error);
    qint64 line() const { return m_recordLine; }

    static QString quote(const QString &field);

private:
    std::deque<std::string> m_unescaped;
    QByteArray m_data;
    qsizetype m_pos = 0;
    qint64 m_line = 1;
    qint64 m_recordLine = 0;
};

} // namespace winnow::core

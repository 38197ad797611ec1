#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace winnow::core {

// Reads RFC 4180 CSV from memory: quoted fields with doubled quotes and embedded commas or line
// breaks, LF or CRLF line ends, a UTF-8 byte-order mark. Tracks the line each record starts on.
class CsvReader {
public:
    explicit CsvReader(QByteArray data);

    // Reads the next record into `fields`; false at the end. On a malformed record (a quote left
    // open) returns true with `error` set; reading goes on with the next line.
    bool next(QStringList &fields, QString &error);
    qint64 line() const { return m_recordLine; }

    static QString quote(const QString &field);

private:
    QByteArray m_data;
    qsizetype m_pos = 0;
    qint64 m_line = 1;
    qint64 m_recordLine = 0;
};

} // namespace winnow::core

#pragma once

#include "core/io/csvreader.h"

#include <QByteArray>
#include <QString>
#include <string_view>
#include <vector>

namespace winnow::core {

// A name longer than this (in UTF-8 bytes) is not a name but a broken file.
constexpr size_t kMaxAnswerFieldBytes = size_t(1) << 20;

// One row of an item,worker,label answer table, its fields trimmed. A row with a `problem` (a
// quote left open, a wrong number of fields, an empty or overlong field, a NUL byte, bytes that
// are not UTF-8) is to be reported, not used.
struct AnswerRow {
    qint64 line = 0;
    std::string_view item, worker, label;
    QString problem;
};

// Reads an answer table (CSV) the same way wherever one is read: the project import and the
// project-free consolidation. A first row whose first field is "item" is a header; blank lines
// are skipped. The views stay valid as long as the reader lives.
class AnswerRowReader {
public:
    explicit AnswerRowReader(QByteArray data);

    // The next row; false at the end.
    bool next(AnswerRow &row);

private:
    CsvReader m_csv;
    std::vector<std::string_view> m_fields;
    bool m_first = true;
};

} // namespace winnow::core

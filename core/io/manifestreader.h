#pragma once

#include <QByteArray>
#include <QString>
#include <utility>
#include <vector>

namespace winnow::core {

// One non-blank line of a SageMaker Ground Truth manifest: the image it names and the answers
// it carries as (worker, label) pairs. A line with a `problem` is to be reported, not used.
struct ManifestLine {
    qint64 line = 0;
    QString source;
    std::vector<std::pair<QString, QString>> responses;
    QString problem;
    // The job's own consolidated answer, where the metadata gives one.
    QString consolidatedLabel;
    double confidence = -1; // -1: not given
    QString job;
};

// Reads a Ground Truth manifest (JSON Lines) from memory. A UTF-8 byte-order mark is skipped;
// lines end in LF, CRLF or CR. Answers come from the label attribute's "-metadata" object: its
// worker responses in the shapes tools write them, or else its consolidated "class-name" under
// the job's name.
class ManifestReader {
public:
    explicit ManifestReader(QByteArray data);

    // The next non-blank line; false at the end.
    bool next(ManifestLine &line);

private:
    QByteArray m_data;
    qsizetype m_pos = 0;
    qint64 m_line = 0;
};

} // namespace winnow::core

#pragma once

#include "core/store/statement.h"

#include <QHash>
#include <QString>
#include <vector>

namespace winnow::core {

class Database;

struct NewAnswer {
    qint64 itemId = 0;
    qint64 annotatorId = 0;
    qint64 classId = 0;
    qint64 durationMs = -1; // unknown
};

// The only writer of answers. Appends answer rows (never updates or deletes one: an undo is a
// row that revokes an earlier one) and keeps item_progress, the live answers per item, in step.
// Use inside a Transaction and call flush() before committing it.
class AnswerLog {
public:
    AnswerLog(Database &db, QString origin);
    ~AnswerLog();
    AnswerLog(const AnswerLog &) = delete;
    AnswerLog &operator=(const AnswerLog &) = delete;

    qint64 append(const NewAnswer &answer, const QString &createdAt);
    // Many answers at once, without their ids: PostgreSQL's COPY where it runs, else row by row.
    void appendMany(const std::vector<NewAnswer> &answers, const QString &createdAt);
    // Records the undo of `answerId` (which was `answer`); returns the undo row's id.
    qint64 revoke(qint64 answerId, const NewAnswer &answer, const QString &createdAt);
    void flush();

private:
    Database &m_db;
    QString m_origin;
    Statement m_insert;
    Statement m_revoke;
    QHash<qint64, qint64> m_delta; // item -> change in live answers
};

} // namespace winnow::core

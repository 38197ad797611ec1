#include "core/store/answerlog.h"

#include "core/store/database.h"

namespace winnow::core {
namespace {

constexpr auto kInsertAnswer =
    "INSERT INTO answers (item_id, annotator_id, class_id, created_at, duration_ms, origin)"
    " VALUES (?, ?, ?, ?, ?, ?) RETURNING id";
constexpr auto kInsertRevoke =
    "INSERT INTO answers (item_id, annotator_id, class_id, created_at, revokes, origin)"
    " VALUES (?, ?, ?, ?, ?, 'undo') RETURNING id";
constexpr auto kAddProgress =
    "INSERT INTO item_progress (item_id, answers) VALUES (?, ?)"
    " ON CONFLICT (item_id) DO UPDATE SET answers = item_progress.answers + excluded.answers";

} // namespace

AnswerLog::AnswerLog(Database &db, QString origin)
    : m_db(db)
    , m_origin(std::move(origin))
    , m_insert(db, kInsertAnswer)
    , m_revoke(db, kInsertRevoke) {
}

AnswerLog::~AnswerLog() {
    Q_ASSERT_X(m_delta.isEmpty(), "AnswerLog", "flush() before the transaction commits");
}

qint64 AnswerLog::append(const NewAnswer &answer, const QString &createdAt) {
    m_insert.bind(1, answer.itemId)
        .bind(2, answer.annotatorId)
        .bind(3, answer.classId)
        .bind(4, createdAt);
    if (answer.durationMs >= 0)
        m_insert.bind(5, answer.durationMs);
    m_insert.bind(6, m_origin);
    const qint64 id = m_insert.insert();
    ++m_delta[answer.itemId];
    return id;
}

qint64 AnswerLog::revoke(qint64 answerId, const NewAnswer &answer, const QString &createdAt) {
    m_revoke.bind(1, answer.itemId)
        .bind(2, answer.annotatorId)
        .bind(3, answer.classId)
        .bind(4, createdAt)
        .bind(5, answerId);
    const qint64 id = m_revoke.insert();
    --m_delta[answer.itemId];
    return id;
}

void AnswerLog::flush() {
    Statement progress(m_db, kAddProgress);
    for (auto it = m_delta.cbegin(); it != m_delta.cend(); ++it) {
        if (it.value() == 0)
            continue;
        progress.bind(1, it.key()).bind(2, it.value());
        progress.run();
    }
    m_delta.clear();
}

} // namespace winnow::core

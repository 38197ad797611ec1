#include "core/store/answerlog.h"

#include "core/store/database.h"

#include <algorithm>
#include <utility>
#include <vector>

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

void AnswerLog::appendMany(const std::vector<NewAnswer> &answers, const QString &createdAt) {
    const bool plainOrigin =
        !m_origin.contains(u'\t') && !m_origin.contains(u'\n') && !m_origin.contains(u'\\');
    if (m_db.backend() != Database::Backend::Postgres || !plainOrigin) {
        for (const NewAnswer &a : answers)
            append(a, createdAt);
        return;
    }
    QByteArray rows;
    rows.reserve(qsizetype(answers.size()) * 64);
    const QByteArray tail = '\t' + createdAt.toUtf8() + '\t';
    const QByteArray origin = m_origin.toUtf8() + '\n';
    for (const NewAnswer &a : answers)
        rows += QByteArray::number(a.itemId) + '\t' + QByteArray::number(a.annotatorId) + '\t' +
                QByteArray::number(a.classId) + tail +
                (a.durationMs >= 0 ? QByteArray::number(a.durationMs) : QByteArray("\\N")) + '\t' +
                origin;
    m_db.copyIn(QStringLiteral("answers (item_id, annotator_id, class_id, created_at,"
                               " duration_ms, origin)"),
                rows);
    for (const NewAnswer &a : answers)
        ++m_delta[a.itemId];
}

void AnswerLog::flush() {
    if (m_delta.size() > 1000 && m_db.backend() == Database::Backend::Postgres) {
        // Many items at once: one COPY into a scratch table and one upsert, not a round trip each.
        QByteArray rows;
        for (auto it = m_delta.cbegin(); it != m_delta.cend(); ++it)
            if (it.value() != 0)
                rows += QByteArray::number(it.key()) + '\t' + QByteArray::number(it.value()) + '\n';
        m_db.execute(QStringLiteral("CREATE TEMPORARY TABLE IF NOT EXISTS progress_delta"
                                    " (item_id BIGINT, answers BIGINT) ON COMMIT DELETE ROWS"));
        m_db.copyIn(QStringLiteral("progress_delta (item_id, answers)"), rows);
        m_db.execute(QStringLiteral(
            "INSERT INTO item_progress (item_id, answers) SELECT item_id, answers FROM"
            " progress_delta ON CONFLICT (item_id) DO UPDATE SET answers = item_progress.answers"
            " + excluded.answers"));
        m_delta.clear();
        return;
    }
    // In item order: the upserts then walk the table's B-tree from one end to the other instead
    // of jumping about it (a bulk import touches most items).
    std::vector<std::pair<qint64, qint64>> changes;
    changes.reserve(size_t(m_delta.size()));
    for (auto it = m_delta.cbegin(); it != m_delta.cend(); ++it)
        if (it.value() != 0)
            changes.emplace_back(it.key(), it.value());
    std::sort(changes.begin(), changes.end());
    Statement progress(m_db, kAddProgress);
    for (const auto &[item, change] : changes) {
        progress.bind(1, item).bind(2, change);
        progress.run();
    }
    m_delta.clear();
}

} // namespace winnow::core

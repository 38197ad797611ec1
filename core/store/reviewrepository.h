#pragma once

#include "core/store/records.h"

#include <QByteArray>
#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

// An item of a consolidation as the review queue shows it.
struct QueueRow {
    qint64 itemId = 0;
    QString path; // absolute
    qint64 classId = 0;
    double confidence = 0;
    int answers = 0;
    QByteArray posterior; // floats
    QString decision;     // of the item's latest review, empty when none
};

struct QueueQuery {
    double minConfidence = 0, maxConfidence = 1;
    std::optional<qint64> classId;
    bool disagreementOnly = false;   // the latest consolidation of another method says otherwise
    bool modelDisagreesOnly = false; // items a model flagged as likely label errors
    int limit = -1;                  // -1: all, least confident first
};

struct AnswerView {
    QString annotator;
    QString className;
    std::optional<double> accuracy; // as the consolidation estimated the annotator
};

struct OtherOpinion {
    QString method;
    QString className;
    double confidence = 0;
};

// A consolidated label with the item's latest decisive review, for exports.
struct ReviewedLabel {
    qint64 itemId = 0;
    QString className;
    double confidence = 0;
    qint64 answers = 0;
    std::optional<ReviewDecision> decision;
    QString reviewedClass; // the class the review pinned, empty when none
    QString reviewedAt;
};

// Reviews of consolidated labels and what a reviewer needs to decide. Methods throw StoreError.
class ReviewRepository {
public:
    explicit ReviewRepository(Project &project);

    std::vector<QueueRow> queue(qint64 consolidationId, const QueueQuery &query);
    std::vector<AnswerView> itemAnswers(qint64 itemId, qint64 consolidationId);
    std::vector<OtherOpinion> otherOpinions(qint64 itemId, qint64 consolidationId);
    // Stores a decision, all or nothing. An accept pins the class the consolidation gave the
    // item; "more" raises the item's wanted answers to one above max(its answers, `wanted`).
    void record(qint64 itemId, qint64 reviewerId, ReviewDecision decision,
                std::optional<qint64> classId, const QString &note, qint64 consolidationId,
                int wanted);
    std::vector<ReviewedLabel> reviewedLabels(qint64 consolidationId); // by item

private:
    Project &m_project;
    Database &m_db;
};

} // namespace winnow::core

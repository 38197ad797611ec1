#pragma once

#include <QByteArray>
#include <QHash>
#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

// One live answer, as consolidation reads them.
struct AnswerTriple {
    qint64 itemId = 0;
    qint64 annotatorId = 0;
    qint64 classId = 0;
};

struct StoredConsolidation {
    qint64 id = 0;
    QString method;
    QString createdAt;
    qint64 items = 0;
    qint64 answers = 0;
    int iterations = 0;
    bool current = false;
    std::vector<qint64> classIds; // the order of its posteriors and confusion matrices
};

struct NewConsolidation {
    QString method;
    QString parameters; // JSON
    std::vector<qint64> classIds;
    qint64 items = 0, answers = 0;
    int iterations = 0;
    double logLikelihood = 0;
    struct Label {
        qint64 itemId = 0;
        qint64 classId = 0;
        double confidence = 0;
        int answers = 0;
        QByteArray posterior; // floats, in classIds order
    };
    struct Estimate {
        qint64 annotatorId = 0;
        qint64 answers = 0;
        double accuracy = 0, agreement = 0;
        QByteArray confusion; // doubles, classes x classes
    };
    std::vector<Label> labels;
    std::vector<Estimate> estimates;
};

// How an annotator's answers compare with the reference labels.
struct ReferenceScore {
    qint64 annotatorId = 0;
    qint64 answers = 0; // on items with a reference label
    qint64 agreeing = 0;
};

struct StoredEstimate {
    qint64 annotatorId = 0;
    QString name;
    qint64 answers = 0;
    double accuracy = 0, agreement = 0;
    std::vector<double> confusion;
};

// Consolidations: their labels, posteriors, annotator estimates, and which one training takes.
// Methods throw StoreError.
class ConsolidationRepository {
public:
    explicit ConsolidationRepository(Project &project);

    std::vector<qint64> classIdsInOrder();   // the project's class order
    std::vector<AnswerTriple> liveAnswers(); // by item, then answer
    qint64 store(const NewConsolidation &consolidation, const QString &createdAt);
    std::vector<StoredConsolidation> list(); // newest first
    std::optional<StoredConsolidation> find(qint64 consolidationId);
    // Only this changes which consolidation training takes (is_current).
    void markCurrent(qint64 consolidationId);
    qint64 currentId(); // 0 when none is marked
    std::optional<qint64> labelOf(qint64 consolidationId, qint64 itemId);
    std::vector<StoredEstimate> estimates(qint64 consolidationId); // best first
    // Median seconds per answer by annotator, over answers with a recorded duration.
    QHash<qint64, double> medianAnswerSeconds();

    // The parts of an item's current label, each item -> class: the most frequent live answer
    // (ties to the earliest), the current consolidation's label, and the class its latest
    // review pinned.
    QHash<qint64, qint64> mostFrequentAnswers();
    QHash<qint64, qint64> currentConsolidationLabels();
    QHash<qint64, qint64> pinnedReviewLabels();
    // The confidence of each label of the consolidation marked current.
    QHash<qint64, double> currentConsolidationConfidences();
    // The labels of one consolidation, and the most frequent live answer among the answers that
    // came with the images (annotators of kind 'import').
    QHash<qint64, qint64> consolidationLabels(qint64 consolidationId);
    QHash<qint64, qint64> mostFrequentImportedAnswers();

    // Reference labels (item, class): known apart from the answers, they only score them.
    void setReferenceLabels(const std::vector<std::pair<qint64, qint64>> &labels,
                            const QString &source);
    std::vector<std::pair<qint64, qint64>> referenceLabels(qint64 limit = 0); // in item order
    std::vector<ReferenceScore> referenceScores();                            // by annotator id

private:
    std::vector<StoredConsolidation> select(std::optional<qint64> consolidationId);

    Database &m_db;
};

} // namespace winnow::core

#include "core/io/answerfiles.h"

#include "core/io/answerrowreader.h"
#include "core/io/csvreader.h"
#include "core/io/itemresolver.h"
#include "core/io/manifestreader.h"
#include "core/io/regularfile.h"
#include "core/store/answerrepository.h"
#include "core/store/project.h"
#include "core/store/storeerror.h"

#include <QElapsedTimer>
#include <QFile>
#include <QSaveFile>
#include <QThread>
#include <unordered_set>

namespace winnow::core {
namespace {

constexpr qint64 kMaxAnswerFileBytes = qint64(8) << 30;

QByteArray readAll(const QString &file) {
    auto bytes = readRegularFile(file, kMaxAnswerFileBytes);
    if (!bytes)
        throw StoreError(QStringLiteral("%1: %2").arg(file, bytes.error().message));
    return std::move(bytes).value();
}

// Collects resolved rows, then creates the workers and classes it has not seen in one
// transaction and writes the answers in large batches; shared by both file formats.
class AnswerWriter {
public:
    AnswerWriter(Project &project, QString origin, AnswerImportSummary &summary,
                 ProgressFn progress, const CancelToken *cancel)
        : m_project(project)
        , m_resolver(project)
        , m_origin(std::move(origin))
        , m_summary(summary)
        , m_progress(std::move(progress))
        , m_cancel(cancel) {}

    void reject(qint64 line, const QString &reason) {
        ++m_summary.rejected;
        m_summary.issues.push_back({line, reason});
    }

    // Looks the item up; rejects the row (with a reason) when it cannot.
    qint64 item(qint64 line, const QString &name) {
        const qint64 id = m_resolver.find(name);
        if (id == 0)
            reject(line, QStringLiteral("unknown item '%1'").arg(name));
        else if (id == ItemResolver::kAmbiguous)
            reject(line,
                   QStringLiteral("'%1' names several items; give more of its path").arg(name));
        return id > 0 ? id : 0;
    }

    void add(qint64 itemId, const QString &worker, const QString &label) {
        m_rows.push_back({itemId, intern(m_workers, m_workerNames, worker),
                          intern(m_labels, m_labelNames, label)});
    }

    void write() {

        const auto workers = m_project.ensureAnnotators(m_workerNames, QStringLiteral("human"));
        if (!workers)
            throw StoreError(workers.error().message);
        const auto classes = m_project.ensureClasses(m_labelNames);
        if (!classes)
            throw StoreError(classes.error().message);
        std::vector<qint64> workerIds, classIds;
        for (const QString &name : std::as_const(m_workerNames))
            workerIds.push_back(workers->value(name));
        for (const QString &name : std::as_const(m_labelNames))
            classIds.push_back(classes->value(name));

        std::vector<NewAnswer> answers;
        answers.reserve(m_rows.size());
        for (const Row &row : m_rows)
            answers.push_back(
                {row.item, workerIds[size_t(row.worker)], classIds[size_t(row.label)]});
        qint64 processed = 0;
        m_summary.imported = AnswerRepository(m_project).importAnswers(
            answers, m_origin,
            [this, &processed](qint64 done) {
                processed = done;
                if (m_progress)
                    m_progress(done, qint64(m_rows.size()), QStringLiteral("Storing answers"));
            },
            m_cancel);
        m_summary.cancelled = processed < qint64(answers.size());
        m_summary.duplicates = processed - m_summary.imported;
    }

private:
    struct Row {
        qint64 item;
        int worker;
        int label;
    };

    static int intern(QHash<QString, int> &index, QStringList &names, const QString &name) {
        const auto it = index.constFind(name);
        if (it != index.constEnd())
            return *it;
        names.append(name);
        index.insert(name, int(names.size() - 1));
        return int(names.size() - 1);
    }

    Project &m_project;
    ItemResolver m_resolver;
    QString m_origin;
    AnswerImportSummary &m_summary;
    ProgressFn m_progress;
    const CancelToken *m_cancel;
    std::vector<Row> m_rows;
    QHash<QString, int> m_workers, m_labels;
    QStringList m_workerNames, m_labelNames;
};

} // namespace

Result<AnswerImportSummary> importAnswersCsv(Project &project, const QString &file,
                                             const ProgressFn &progress,
                                             const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        AnswerRowReader reader(readAll(file));
        AnswerWriter writer(project, QStringLiteral("import"), summary, progress, cancel);
        AnswerRow row;
        while (reader.next(row)) {
            ++summary.rows;
            if (!row.problem.isEmpty()) {
                writer.reject(row.line, row.problem);
                continue;
            }
            const QString worker =
                QString::fromUtf8(row.worker.data(), qsizetype(row.worker.size()));
            const QString label = QString::fromUtf8(row.label.data(), qsizetype(row.label.size()));
            const QString name = QString::fromUtf8(row.item.data(), qsizetype(row.item.size()));
            if (const qint64 item = writer.item(row.line, name))
                writer.add(item, worker, label);
            if (progress && summary.rows % 100000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.write();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importGroundTruthManifest(Project &project, const QString &file,
                                                      const ProgressFn &progress,
                                                      const CancelToken *cancel) {
    return attempt([&] {
        QElapsedTimer timer;
        timer.start();
        AnswerImportSummary summary;
        ManifestReader reader(readAll(file));
        AnswerWriter writer(project, QStringLiteral("import"), summary, progress, cancel);
        ManifestLine line;
        while (reader.next(line)) {
            ++summary.rows;
            if (!line.problem.isEmpty()) {
                writer.reject(line.line, line.problem);
                continue;
            }
            const qint64 item = writer.item(line.line, line.source);
            if (!item)
                continue;
            for (const auto &[worker, label] : line.responses)
                writer.add(item, worker, label);
            if (progress && summary.rows % 10000 == 0)
                progress(summary.rows, 0, QStringLiteral("Importing answers"));
        }
        writer.write();
        summary.seconds = timer.elapsed() / 1000.0;
        return summary;
    });
}

Result<AnswerImportSummary> importAnswers(Project &project, const QString &file,
                                          const ProgressFn &progress, const CancelToken *cancel) {
    if (const auto regular = requireRegularFile(file); !regular)
        return Error{QStringLiteral("%1: %2").arg(file, regular.error().message)};
    QFile in(file);
    if (!in.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("%1: cannot read: %2").arg(file, in.errorString())};
    QByteArray head = in.peek(4096);
    in.close();
    if (head.startsWith("\xEF\xBB\xBF"))
        head.remove(0, 3); // a byte-order mark says nothing about the format
    head = head.trimmed();
    return head.startsWith('{') ? importGroundTruthManifest(project, file, progress, cancel)
                                : importAnswersCsv(project, file, progress, cancel);
}

Result<qint64> exportAnswersCsv(Project &project, const QString &file) {
    return attempt([&] {
        const ItemResolver resolver(project);
        QSaveFile out(file);
        if (!out.open(QIODevice::WriteOnly))
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        QByteArray buffer = "item,worker,label\n";
        qint64 rows = 0;
        for (const NamedAnswer &answer : AnswerRepository(project).liveAnswersByName()) {
            buffer += CsvReader::quote(resolver.exportName(answer.itemId)).toUtf8() + ',' +
                      CsvReader::quote(answer.annotator).toUtf8() + ',' +
                      CsvReader::quote(answer.className).toUtf8() + '\n';
            ++rows;
            if (buffer.size() > (1 << 20)) {
                out.write(buffer);
                buffer.clear();
            }
        }
        out.write(buffer);
        if (!out.commit())
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        return rows;
    });
}

} // namespace winnow::core

#include "core/io/labelexport.h"

#include "core/io/csvreader.h"
#include "core/io/itemresolver.h"
#include "core/store/consolidationrepository.h"
#include "core/store/project.h"
#include "core/store/reviewrepository.h"
#include "core/store/storeerror.h"

#include <QHash>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSaveFile>

namespace winnow::core {

Result<qint64> exportConsolidatedLabels(Project &project, qint64 consolidationId,
                                        const QString &file, LabelFormat format,
                                        const QString &jobName) {
    return attempt([&] {
        const auto consolidation = ConsolidationRepository(project).find(consolidationId);
        if (!consolidation)
            throw StoreError(QStringLiteral("no consolidation %1").arg(consolidationId));
        const ItemResolver resolver(project);
        QSaveFile out(file);
        if (!out.open(QIODevice::WriteOnly))
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        if (format == LabelFormat::Csv)
            out.write("item,label,confidence,answers,reviewed\n");
        const auto classes = project.classes();
        QHash<QString, int> classIndex;
        if (classes)
            for (const ClassInfo &c : *classes)
                classIndex.insert(c.name, int(classIndex.size()));
        qint64 rows = 0;
        for (const ReviewedLabel &row : ReviewRepository(project).reviewedLabels(consolidationId)) {
            const QString item = resolver.exportName(row.itemId);
            const bool reviewed = row.decision.has_value();
            const bool pinned = reviewed && !row.reviewedClass.isEmpty();
            const QString label = pinned ? row.reviewedClass : row.className;
            const bool sameAsConsolidated =
                label == row.className && row.decision == ReviewDecision::Accept;
            const double confidence = pinned && !sameAsConsolidated ? 1.0 : row.confidence;
            if (format == LabelFormat::Csv) {
                out.write((CsvReader::quote(item) + u',' + CsvReader::quote(label) + u',' +
                           QString::number(confidence, 'f', 6) + u',' +
                           QString::number(row.answers) + u',' +
                           (reviewed ? QStringLiteral("yes") : QStringLiteral("no")) + u'\n')
                              .toUtf8());
            } else {
                const QJsonObject metadata{
                    {QStringLiteral("class-name"), label},
                    {QStringLiteral("confidence"), confidence},
                    {QStringLiteral("human-annotated"), QStringLiteral("yes")},
                    {QStringLiteral("creation-date"),
                     reviewed ? row.reviewedAt : consolidation->createdAt},
                    {QStringLiteral("type"), QStringLiteral("groundtruth/image-classification")},
                    {QStringLiteral("job-name"), QStringLiteral("labeling-job/") + jobName},
                    {QStringLiteral("consolidation-method"), consolidation->method}};
                const QJsonObject line{
                    {QStringLiteral("source-ref"), project.absolutePath(project.storedPath(item))},
                    {jobName, classIndex.value(label, -1)},
                    {jobName + QStringLiteral("-metadata"), metadata}};
                out.write(QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n');
            }
            ++rows;
        }
        if (!out.commit())
            throw StoreError(QStringLiteral("%1: cannot write: %2").arg(file, out.errorString()));
        return rows;
    });
}

} // namespace winnow::core

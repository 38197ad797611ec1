// export-model and predict: a trained model out of the project, and back to label images.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "app/cli/trainingprogram.h"
#include "core/io/csvreader.h"
#include "core/store/project.h"
#include "core/train/crossfit.h"
#include "core/train/modelexport.h"

#include <QCommandLineParser>
#include <QTextStream>

namespace winnow::cli {
namespace {

using namespace winnow::core;

#ifdef WINNOW_CLI_WITHOUT_TORCH
int cmdExportModel(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

int cmdPredict(QCommandLineParser &, const QStringList &, QTextStream &out, QTextStream &err) {
    return runInTrainingProgram(out, err);
}

#else
int cmdExportModel(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
                   QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const qint64 runId = runOption(parser, "export-model");
    if (!parser.isSet(QStringLiteral("out")))
        throw UsageError{QStringLiteral("export-model needs --out FILE")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    const QString path = parser.value(QStringLiteral("out"));
    const auto exported = exportModel(*project, runId, path, terminalProgress(err));
    if (!exported)
        return fail(err, exported.error());
    endProgress(err);
    out << QStringLiteral("run %1 written to %2: TorchScript, %3x%4x%5 input, classes %6")
               .arg(runId)
               .arg(path)
               .arg(exported->channels)
               .arg(exported->height)
               .arg(exported->width)
               .arg(exported->classNames.join(QStringLiteral(", ")))
        << Qt::endl;
    return kExitOk;
}

int cmdPredict(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
               QTextStream &err) {
    const QString dir = parse(parser, args, 1, 1).first();
    const bool fromModel = parser.isSet(QStringLiteral("model"));
    if (fromModel == parser.isSet(QStringLiteral("run")))
        throw UsageError{QStringLiteral("predict needs --model FILE or --run RUN")};
    auto project = openProject(dir, err);
    if (!project)
        return kExitFailure;
    Result<std::vector<Prediction>> predictions = std::vector<Prediction>();
    if (fromModel) {
        predictions = predictWithModel(*project, parser.value(QStringLiteral("model")),
                                       terminalProgress(err));
    } else if (const auto setId =
                   storeRunPredictions(*project, runOption(parser, "predict"),
                                       terminalProgress(err), nullptr, &*predictions);
               !setId) {
        predictions = setId.error();
    } else {
        endProgress(err);
        err << QStringLiteral("stored as prediction set %1").arg(*setId) << Qt::endl;
    }
    if (!predictions)
        return fail(err, predictions.error());
    endProgress(err);
    QString csv = QStringLiteral("item,path,predicted,confidence\n");
    for (const Prediction &p : *predictions)
        csv += QStringLiteral("%1,%2,%3,%4\n")
                   .arg(p.itemId)
                   .arg(CsvReader::quote(p.path), CsvReader::quote(p.className))
                   .arg(p.confidence, 0, 'f', 4);
    if (!parser.isSet(QStringLiteral("out"))) {
        out << csv << Qt::flush;
        return kExitOk;
    }
    if (!saveFile(parser.value(QStringLiteral("out")), csv.toUtf8(), err))
        return kExitFailure;
    out << predictions->size() << " predictions written to " << parser.value(QStringLiteral("out"))
        << Qt::endl;
    return kExitOk;
}

#endif

} // namespace

void addModelCommands(CommandTable &table) {
    table.insert({
        {QStringLiteral("export-model"),
         {QStringLiteral("export-model DIR --run RUN --out MODEL.pt"),
          QStringLiteral("write a run's model as TorchScript (torch.jit.load in Python), with its "
                         "class names and input normalisation"),
          cmdExportModel,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("run"), QStringLiteral("the run"), QStringLiteral("RUN")},
                  {QStringLiteral("out"), QStringLiteral("the file to write"),
                   QStringLiteral("FILE")},
              });
          }}},
        {QStringLiteral("predict"),
         {QStringLiteral("predict DIR --model MODEL.pt|--run RUN [--out FILE.csv]"),
          QStringLiteral("the class and confidence an exported model or a run gives every image"),
          cmdPredict,
          [](QCommandLineParser &p) {
              p.addOptions({
                  {QStringLiteral("model"), QStringLiteral("a model written by export-model"),
                   QStringLiteral("FILE")},
                  {QStringLiteral("run"), QStringLiteral("a run's last checkpoint instead"),
                   QStringLiteral("RUN")},
                  {QStringLiteral("out"),
                   QStringLiteral("write item,path,predicted,confidence here (default: standard "
                                  "output)"),
                   QStringLiteral("FILE")},
              });
          }}},
    });
}

} // namespace winnow::cli

#pragma once

// The table of winnow-cli commands. Each group of commands lives in its own file and adds its
// entries here; the dispatcher prints the usage from the table and runs one entry.

#include <QString>
#include <QStringList>
#include <functional>
#include <map>

class QCommandLineParser;
class QTextStream;

namespace winnow::core {
struct DuplicateSummary;
}

namespace winnow::cli {

struct Command {
    QString synopsis;
    QString summary;
    std::function<int(QCommandLineParser &, const QStringList &, QTextStream &, QTextStream &)> run;
    std::function<void(QCommandLineParser &)> options;
};

using CommandTable = std::map<QString, Command>;

void addProjectCommands(CommandTable &table);  // init, import, info, demo, version
void addAnswerCommands(CommandTable &table);   // answers, consolidate, labels
void addCurationCommands(CommandTable &table); // dedup, flags, split
void addTrainingCommands(CommandTable &table); // train, sweep, cv, tune, runs, metrics, ...
void addModelCommands(CommandTable &table);    // export-model, predict
void addLoopCommands(CommandTable &table);     // label-errors, autolabel, queue
void addTeamCommands(CommandTable &table);     // copy, team

// The whole of winnow-cli: `args` without the program name. Results go to `out`, errors
// (naming the file and the reason) to `err`. Needs a QCoreApplication.
// One line on the duplicate flags a search stored (dedup, demo).
QString duplicateSummaryLine(const core::DuplicateSummary &summary, int maxDistance);

int runCli(const QStringList &args, QTextStream &out, QTextStream &err);

} // namespace winnow::cli

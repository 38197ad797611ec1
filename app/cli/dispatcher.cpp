#include "app/cli/commands.h"
#include "app/cli/terminal.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <exception>

namespace winnow::cli {
namespace {

const CommandTable &commands() {
    static const CommandTable table = [] {
        CommandTable t;
        addProjectCommands(t);
        addAnswerCommands(t);
        addCurationCommands(t);
        addTrainingCommands(t);
        addModelCommands(t);
        addLoopCommands(t);
        addTeamCommands(t);
        return t;
    }();
    return table;
}

void printUsage(QTextStream &stream) {
    stream << "usage: winnow-cli COMMAND [ARGS]\n\ncommands:\n";
    for (const auto &[name, command] : commands())
        stream << "  " << command.synopsis << "\n      " << command.summary << "\n";
    stream << "\nwinnow-cli COMMAND --help describes a command and its options.\n" << Qt::flush;
}

// `winnow-cli COMMAND --help`: the command's synopsis, what it does, and its options.
void printCommandHelp(const Command &command, QCommandLineParser &parser, QTextStream &out) {
    out << "usage: winnow-cli " << command.synopsis << "\n\n" << command.summary << "\n";
    const QString help = parser.helpText();
    const qsizetype options = help.indexOf(QLatin1String("Options:"));
    if (options >= 0)
        out << "\n" << help.mid(options);
    out << Qt::flush;
}

bool asksForHelp(const QStringList &args) {
    return args.contains(QLatin1String("--help")) || args.contains(QLatin1String("-h"));
}

} // namespace

int runCli(const QStringList &args, QTextStream &out, QTextStream &err) {
    if (args.isEmpty() || args.first() == QLatin1String("help") ||
        args.first() == QLatin1String("--help") || args.first() == QLatin1String("-h")) {
        printUsage(args.isEmpty() ? err : out);
        return args.isEmpty() ? kExitUsage : kExitOk;
    }
    if (args.first() == QLatin1String("--version")) {
        out << "winnow-cli " << WINNOW_VERSION << Qt::endl;
        return kExitOk;
    }
    const auto it = commands().find(args.first());
    if (it == commands().end()) {
        err << "winnow-cli: unknown command '" << args.first() << "'\n";
        printUsage(err);
        return kExitUsage;
    }
    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    if (it->second.options)
        it->second.options(parser);
    if (asksForHelp(args.mid(1))) {
        printCommandHelp(it->second, parser, out);
        return kExitOk;
    }
    try {
        return it->second.run(parser, args.mid(1), out, err);
    } catch (const UsageError &usage) {
        err << "winnow-cli " << args.first() << ": " << usage.message << "\nusage: winnow-cli "
            << it->second.synopsis << Qt::endl;
        return kExitUsage;
    } catch (const std::exception &e) {
        return fail(err, QString::fromUtf8(e.what()));
    }
}

} // namespace winnow::cli

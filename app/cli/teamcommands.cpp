// copy and team: moving a project between a folder and a server, and the people of a team.

#include "app/cli/commands.h"
#include "app/cli/terminal.h"
#include "core/io/imagecopies.h"
#include "core/store/project.h"
#include "core/store/projectcopy.h"
#include "core/store/storeerror.h"
#include "core/store/teamrepository.h"

#include <QCommandLineParser>
#include <QTextStream>
#include <cstdio>

namespace winnow::cli {

using namespace winnow::core;

int reportImageCopies(Project &project, int side, QTextStream &out, QTextStream &err) {
    const auto copies = storeImageCopies(project, side, terminalProgress(err));
    endProgress(err);
    if (!copies)
        return fail(err, copies.error());
    for (const QString &path : copies->unreadable)
        err << "no image copy of " << path << ": cannot read it" << Qt::endl;
    out << QStringLiteral("stored image copies of %1 items (%2 reduced to %3 pixels) in %4 s")
               .arg(copies->stored)
               .arg(copies->reduced)
               .arg(side)
               .arg(copies->seconds, 0, 'f', 2)
        << Qt::endl;
    return kExitOk;
}

namespace {

int cmdCopy(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QStringList positional = parse(parser, args, 2, 2);
    const int side = int(numberOption(parser, QStringLiteral("image-copies")));
    if (side != 0 && side < 16)
        throw UsageError{QStringLiteral("--image-copies is a side of at least 16 pixels, or 0")};
    auto source = openProject(positional[0], err, Database::Mode::ReadOnly);
    if (!source)
        return kExitFailure;
    auto created = Project::create(positional[1]);
    if (!created)
        return fail(err, created.error());
    auto &target = *created;
    if (target->isOnServer())
        if (const auto team = attempt([&] { TeamRepository(*target).setUp(); }); !team)
            return fail(err, team.error());
    const auto copied = copyProject(*source, *target, terminalProgress(err));
    endProgress(err);
    if (!copied)
        return fail(err, copied.error());
    out << QStringLiteral("copied %1 rows of %2 tables from %3 to %4 in %5 s")
               .arg(copied->rows)
               .arg(copied->tables)
               .arg(source->directory(), target->directory())
               .arg(copied->seconds, 0, 'f', 2)
        << Qt::endl;
    return target->isOnServer() && side > 0 ? reportImageCopies(*target, side, out, err) : kExitOk;
}

// The password comes from standard input (one line), never from the command line.
QString readPassword() {
    QTextStream in(stdin);
    return in.readLine();
}

int cmdTeam(QCommandLineParser &parser, const QStringList &args, QTextStream &out,
            QTextStream &err) {
    const QString location = parse(parser, args, 1, 1).first();
    const bool add = parser.isSet(QStringLiteral("add"));
    const bool remove = parser.isSet(QStringLiteral("remove"));
    const bool list = parser.isSet(QStringLiteral("list"));
    if (int(add) + int(remove) + int(list) != 1)
        throw UsageError{QStringLiteral("give one of --add NAME, --remove NAME or --list")};
    const auto role = parseRole(parser.value(QStringLiteral("role")));
    if (add && !role)
        throw UsageError{QStringLiteral("--role must be annotator, reviewer or owner, not '%1'")
                             .arg(parser.value(QStringLiteral("role")))};
    auto project = openProject(location, err);
    if (!project)
        return kExitFailure;
    const auto done = attempt([&] {
        TeamRepository team(*project);
        if (list) {
            for (const TeamMember &member : team.list())
                out << member.name << '\t' << roleName(member.role) << Qt::endl;
        } else if (add) {
            const QString name = parser.value(QStringLiteral("add"));
            team.add(name, *role, readPassword());
            out << "added " << name << " as " << roleName(*role) << Qt::endl;
        } else {
            const QString name = parser.value(QStringLiteral("remove"));
            team.remove(name);
            out << "removed " << name << " (their answers stay)" << Qt::endl;
        }
    });
    return done ? kExitOk : fail(err, done.error());
}

} // namespace

void addTeamCommands(CommandTable &table) {
    table.insert(
        {{QStringLiteral("copy"),
          {QStringLiteral("copy SOURCE TARGET"),
           QStringLiteral("copy a whole project between a folder and a server, either way"),
           cmdCopy,
           [](QCommandLineParser &p) {
               p.addPositionalArgument(QStringLiteral("SOURCE"),
                                       QStringLiteral("project folder or server address"));
               p.addPositionalArgument(
                   QStringLiteral("TARGET"),
                   QStringLiteral("new project folder, or an empty server database "
                                  "(postgresql://USER@HOST[:PORT]/DBNAME)"));
               p.addOption({QStringLiteral("image-copies"),
                            QStringLiteral("on a server, also keep a copy of every image, longer "
                                           "side at most N pixels (0: none)"),
                            QStringLiteral("N"), QString::number(kDefaultImageCopySide)});
           }}},
         {QStringLiteral("team"),
          {QStringLiteral("team URI --add NAME --role annotator|reviewer|owner\n"
                          "       team URI --list | --remove NAME"),
           QStringLiteral("the people of a team project (a new login's password is read from "
                          "standard input)"),
           cmdTeam, [](QCommandLineParser &p) {
               p.addPositionalArgument(QStringLiteral("URI"),
                                       QStringLiteral("server address of the project"));
               p.addOptions({
                   {QStringLiteral("add"), QStringLiteral("add a login, or change its role"),
                    QStringLiteral("NAME")},
                   {QStringLiteral("role"), QStringLiteral("annotator, reviewer or owner"),
                    QStringLiteral("ROLE"), QStringLiteral("annotator")},
                   {QStringLiteral("remove"), QStringLiteral("take the project away from a login"),
                    QStringLiteral("NAME")},
                   {QStringLiteral("list"), QStringLiteral("list the team and their roles")},
               });
           }}}});
}

} // namespace winnow::cli

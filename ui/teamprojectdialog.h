#pragma once

#include <QString>

class QWidget;

namespace winnow::ui {

// Asks for a team project's server, port, database and user, remembering them (never the
// password: libpq reads it from ~/.pgpass or PGPASSWORD). Returns the project's address,
// postgresql://USER@HOST:PORT/DBNAME, or an empty string when cancelled.
QString askTeamProject(QWidget *parent);

// "DBNAME on HOST" for a server address; the folder's name for a folder.
QString projectDisplayName(const QString &location);

} // namespace winnow::ui

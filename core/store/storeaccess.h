#pragma once

// The database behind a project, for the repositories of core/store and for tests that check
// what was stored. Nothing else reaches it: the rest of Winnow goes through the repositories.

namespace winnow::core {

class Database;
class Project;

Database &databaseOf(Project &project);

} // namespace winnow::core

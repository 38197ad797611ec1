#pragma once

#include <QString>
#include <optional>
#include <vector>

namespace winnow::core {

class Database;
class Project;

// What a person may do in a team project, enforced by the PostgreSQL server itself (grants and
// row-level security), whatever program they connect with:
// - owner: everything;
// - reviewer: reads answers, consolidations and reviews; writes reviews and consolidations;
// - annotator: reads items, images and classes, claims work from the queue, adds and undoes
//   its own answers, and reads only its own answers.
// A project folder has one user, who is its owner.
enum class Role { Owner, Reviewer, Annotator };
QString roleName(Role role);
std::optional<Role> parseRole(const QString &name);

struct TeamMember {
    QString name;
    Role role = Role::Annotator;
};

// The people of a team project: server logins, each in one of the project's three roles, and an
// annotator of the same name. Methods throw StoreError; on a project folder only role() works.
class TeamRepository {
public:
    explicit TeamRepository(Project &project);

    // Creates the project's roles, grants and row security; idempotent. Needs the right to
    // create roles (the server's administrator, or a login with CREATEROLE).
    void setUp();
    // Adds a login (or gives an existing one this project) with `password`, in `role`.
    void add(const QString &name, Role role, const QString &password);
    // Takes the project away from a login; its answers stay, under its name.
    void remove(const QString &name);
    std::vector<TeamMember> list();
    // The role of whoever is connected; the owner of a project folder.
    Role role();
    // The login connected to the server; empty for a project folder.
    QString login();

private:
    Database &m_db;
    Project &m_project;
};

} // namespace winnow::core

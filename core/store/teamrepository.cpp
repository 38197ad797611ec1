#include "core/store/teamrepository.h"

#include "core/store/connection.h"
#include "core/store/project.h"
#include "core/store/statement.h"
#include "core/store/storeaccess.h"
#include "core/store/storeerror.h"

#include <QRegularExpression>

namespace winnow::core {
namespace {

// The project's three group roles are named after its database (roles belong to the whole
// server, a project to one database). Every name goes through format('%I'): names are data.
constexpr auto kSetUp = R"SQL(
DO $setup$
DECLARE
    db text := current_database();
    o text := db || '_owner';
    r text := db || '_reviewer';
    a text := db || '_annotator';
    team text;
BEGIN
    FOREACH team IN ARRAY ARRAY[o, r, a] LOOP
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = team) THEN
            EXECUTE format('CREATE ROLE %I NOLOGIN', team);
        END IF;
        EXECUTE format('GRANT CONNECT ON DATABASE %I TO %I', db, team);
        EXECUTE format('GRANT USAGE ON SCHEMA public TO %I', team);
    END LOOP;
    EXECUTE format('REVOKE CONNECT ON DATABASE %I FROM PUBLIC', db);
    EXECUTE format('GRANT %I TO %I', r, o);

    EXECUTE format('GRANT ALL ON ALL TABLES IN SCHEMA public TO %I', o);
    EXECUTE format('GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO %I', o);

    EXECUTE format('GRANT SELECT ON ALL TABLES IN SCHEMA public TO %I', r);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON consolidations, consolidated_labels,'
                   ' annotator_estimates, reviews, item_overlap TO %I', r);
    EXECUTE format('GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO %I', r);

    EXECUTE format('GRANT SELECT ON winnow_schema, classes, items, thumbnails, annotators,'
                   ' import_batches, settings, item_progress, item_overlap, assignments, answers, image_copies,'
                   ' live_answers, autolabeled_items, queue_priority TO %I', a);
    EXECUTE format('GRANT INSERT ON answers TO %I', a);
    EXECUTE format('GRANT INSERT, UPDATE, DELETE ON assignments TO %I', a);
    EXECUTE format('GRANT INSERT, UPDATE ON item_progress TO %I', a);
    EXECUTE format('GRANT USAGE ON SEQUENCE answers_id_seq TO %I', a);

    -- Row security: an annotator sees and writes only its own answers and claims (it reads every
    -- claim, which says only that an item is being worked on, to respect the overlap).
    ALTER TABLE answers ENABLE ROW LEVEL SECURITY;
    ALTER TABLE assignments ENABLE ROW LEVEL SECURITY;
    DROP POLICY IF EXISTS team_reads_all ON answers;
    DROP POLICY IF EXISTS own_answers ON answers;
    DROP POLICY IF EXISTS own_new_answers ON answers;
    DROP POLICY IF EXISTS team_claims ON assignments;
    DROP POLICY IF EXISTS all_claims_visible ON assignments;
    DROP POLICY IF EXISTS own_new_claims ON assignments;
    DROP POLICY IF EXISTS own_claims_change ON assignments;
    DROP POLICY IF EXISTS own_claims_leave ON assignments;
    EXECUTE format('CREATE POLICY team_reads_all ON answers TO %I, %I USING (true)', o, r);
    EXECUTE format('CREATE POLICY own_answers ON answers FOR SELECT TO %I'
                   ' USING (annotator_id = winnow_my_annotator())', a);
    EXECUTE format('CREATE POLICY own_new_answers ON answers FOR INSERT TO %I'
                   ' WITH CHECK (annotator_id = winnow_my_annotator() AND (revokes IS NULL'
                   ' OR winnow_answer_author(revokes) = winnow_my_annotator()))', a);
    EXECUTE format('CREATE POLICY team_claims ON assignments TO %I, %I USING (true)', o, r);
    EXECUTE format('CREATE POLICY all_claims_visible ON assignments FOR SELECT TO %I'
                   ' USING (true)', a);
    EXECUTE format('CREATE POLICY own_new_claims ON assignments FOR INSERT TO %I'
                   ' WITH CHECK (annotator_id = winnow_my_annotator())', a);
    EXECUTE format('CREATE POLICY own_claims_change ON assignments FOR UPDATE TO %I'
                   ' USING (annotator_id = winnow_my_annotator())'
                   ' WITH CHECK (annotator_id = winnow_my_annotator())', a);
    EXECUTE format('CREATE POLICY own_claims_leave ON assignments FOR DELETE TO %I'
                   ' USING (annotator_id = winnow_my_annotator())', a);
END
$setup$
)SQL";

// Functions the policies use: the annotator of the connected login, and who gave an answer (read
// with the owner's rights, since a policy on answers cannot itself read answers).
constexpr auto kFunctions = R"SQL(
CREATE OR REPLACE FUNCTION winnow_my_annotator() RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT id FROM annotators WHERE name = session_user $$;
CREATE OR REPLACE FUNCTION winnow_answer_author(answer bigint) RETURNS bigint
    LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public
    AS $$ SELECT annotator_id FROM answers WHERE id = answer $$;
)SQL";

// Settings an annotator's session would otherwise write on first use, which only the owner may:
// the labeling queue's shuffle (LabelingSession::kQueueSeedKey).
constexpr auto kSharedSettings =
    "INSERT INTO settings (key, value) VALUES"
    " ('labeling/queue_seed', CAST(1 + floor(random() * 1073741823) AS BIGINT)::text)"
    " ON CONFLICT (key) DO NOTHING";

constexpr auto kIsMember =
    "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_database() || '_' || "
    "?1)"
    " THEN pg_has_role(session_user, current_database() || '_' || ?1, 'MEMBER') ELSE false END";
constexpr auto kIsOwner = "SELECT r.rolsuper OR d.datdba = r.oid FROM pg_roles r, pg_database d"
                          " WHERE r.rolname = session_user AND d.datname = current_database()";
constexpr auto kRoleExists = "SELECT 1 FROM pg_roles WHERE rolname = ?";
constexpr auto kFormatCreateRole =
    "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', CAST(?1 AS TEXT), CAST(?2 AS TEXT))";
constexpr auto kFormatPassword =
    "SELECT format('ALTER ROLE %I PASSWORD %L', CAST(?1 AS TEXT), CAST(?2 AS TEXT))";
constexpr auto kFormatGrant =
    "SELECT format('GRANT %I TO %I', current_database() || '_' || ?1, CAST(?2 AS TEXT))";
constexpr auto kFormatRevoke =
    "SELECT format('REVOKE %I FROM %I', current_database() || '_' || ?1, CAST(?2 AS TEXT))";
constexpr auto kSelectMembers =
    "SELECT m.rolname, substr(g.rolname, length(current_database()) + 2) FROM pg_auth_members am"
    " JOIN pg_roles g ON g.oid = am.roleid JOIN pg_roles m ON m.oid = am.member"
    " WHERE g.rolname IN (current_database() || '_owner', current_database() || '_reviewer',"
    " current_database() || '_annotator') AND m.rolcanlogin ORDER BY m.rolname";

constexpr Role kRoles[] = {Role::Owner, Role::Reviewer, Role::Annotator};

QString selectText(Database &db, const char *sql, const QString &first,
                   const QString &second = {}) {
    Statement query(db, sql);
    query.bind(1, first);
    if (!second.isNull())
        query.bind(2, second);
    query.step();
    return query.text(0);
}

bool selectFlag(Database &db, const char *sql, const QString &argument = {}) {
    Statement query(db, sql);
    if (!argument.isNull())
        query.bind(1, argument);
    return query.step() && query.int64(0) != 0;
}

} // namespace

QString roleName(Role role) {
    switch (role) {
    case Role::Owner:
        return QStringLiteral("owner");
    case Role::Reviewer:
        return QStringLiteral("reviewer");
    case Role::Annotator:
        break;
    }
    return QStringLiteral("annotator");
}

std::optional<Role> parseRole(const QString &name) {
    for (Role role : kRoles)
        if (roleName(role) == name)
            return role;
    return std::nullopt;
}

TeamRepository::TeamRepository(Project &project)
    : m_db(databaseOf(project))
    , m_project(project) {
}

void TeamRepository::setUp() {
    if (!m_project.isOnServer())
        throw StoreError(QStringLiteral("a project folder has no team: copy it to a server"));
    Transaction transaction(m_db);
    m_db.execute(QString::fromLatin1(kFunctions));
    m_db.execute(QString::fromLatin1(kSetUp));
    m_db.execute(QString::fromLatin1(kSharedSettings));
    transaction.commit();
}

void TeamRepository::add(const QString &name, Role role, const QString &password) {
    static const QRegularExpression valid(QStringLiteral("^[A-Za-z][A-Za-z0-9_.-]{0,62}$"));
    if (!valid.match(name).hasMatch())
        throw StoreError(QStringLiteral("'%1' cannot be a login: use a letter, then letters, "
                                        "digits, '.', '_' or '-' (at most 63)")
                             .arg(name));
    if (!m_project.isOnServer())
        throw StoreError(QStringLiteral("a project folder has no team: copy it to a server"));
    // The server stores a SCRAM hash made here; the password itself never travels or is logged.
    const QString hash =
        password.isEmpty() ? QString() : m_db.connection().encryptPassword(name, password);
    Transaction transaction(m_db);
    if (!selectFlag(m_db, kRoleExists, name)) {
        if (hash.isEmpty())
            throw StoreError(QStringLiteral("a new login needs a password"));
        m_db.execute(selectText(m_db, kFormatCreateRole, name, hash));
    } else if (!hash.isEmpty()) {
        m_db.execute(selectText(m_db, kFormatPassword, name, hash));
    }
    for (const TeamMember &member : list())
        if (member.name == name && member.role != role)
            m_db.execute(selectText(m_db, kFormatRevoke, roleName(member.role), name));
    m_db.execute(selectText(m_db, kFormatGrant, roleName(role), name));
    transaction.commit();
    const auto annotator = m_project.ensureAnnotator(name, QStringLiteral("human"));
    if (!annotator)
        throw StoreError(annotator.error().message);
}

void TeamRepository::remove(const QString &name) {
    if (!m_project.isOnServer())
        throw StoreError(QStringLiteral("a project folder has no team"));
    Transaction transaction(m_db);
    bool member = false;
    for (const TeamMember &m : list())
        if (m.name == name) {
            m_db.execute(selectText(m_db, kFormatRevoke, roleName(m.role), name));
            member = true;
        }
    if (!member)
        throw StoreError(QStringLiteral("'%1' is not in this project's team").arg(name));
    transaction.commit();
}

std::vector<TeamMember> TeamRepository::list() {
    std::vector<TeamMember> members;
    if (!m_project.isOnServer())
        return members;
    Statement query(m_db, kSelectMembers);
    while (query.step())
        if (const auto role = parseRole(query.text(1)))
            members.push_back({query.text(0), *role});
    return members;
}

Role TeamRepository::role() {
    if (!m_project.isOnServer() || selectFlag(m_db, kIsOwner) ||
        selectFlag(m_db, kIsMember, roleName(Role::Owner)))
        return Role::Owner;
    return selectFlag(m_db, kIsMember, roleName(Role::Reviewer)) ? Role::Reviewer : Role::Annotator;
}

QString TeamRepository::login() {
    if (!m_project.isOnServer())
        return {};
    Statement query(m_db, "SELECT session_user");
    query.step();
    return query.text(0);
}

} // namespace winnow::core

#pragma once

// A private PostgreSQL server for the tests: initdb into a temporary folder, started with
// pg_ctl on a Unix socket in that folder (no TCP), stopped when the test program ends. Runs as
// an unprivileged user (nobody) when the tests run as root, since PostgreSQL refuses root.

#include <QDir>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QStringList>
#include <QTemporaryDir>
#include <cstdlib>
#include <libpq-fe.h>
#include <memory>
#include <pwd.h>
#include <unistd.h>

namespace winnow::test {

class PostgresServer {
public:
    static constexpr auto kSuperuser = "winnow";

    // The server of this test program, started on first use; null with a message in `why` when
    // it cannot start (no PostgreSQL installed).
    static PostgresServer *instance(QString *why = nullptr) {
        static std::unique_ptr<PostgresServer> server;
        static QString failure;
        if (!server && failure.isEmpty()) {
            auto started = std::unique_ptr<PostgresServer>(new PostgresServer);
            failure = started->start();
            if (failure.isEmpty())
                server = std::move(started);
        }
        if (why)
            *why = failure;
        return server.get();
    }

    // At exit, without Qt's event machinery (it may be gone by then).
    ~PostgresServer() {
        if (!m_running)
            return;
        const QString command =
            QStringLiteral("%1'%2' -D '%3/data' -m immediate -w stop >/dev/null 2>&1")
                .arg(geteuid() == 0 ? QStringLiteral("runuser -u nobody -- ") : QString(),
                     binary(QStringLiteral("pg_ctl")), m_folder);
        if (std::system(command.toLocal8Bit().constData()) != 0)
            qWarning("cannot stop the test server in %s", qPrintable(m_folder));
    }

    const QString &socketFolder() const { return m_folder; }
    QString address(const QString &database, const QString &user = QString()) const {
        return QStringLiteral("postgresql://%1@/%2?host=%3")
            .arg(user.isEmpty() ? QString::fromLatin1(kSuperuser) : user, database, m_folder);
    }

    // A new, empty database; returns its address for the superuser.
    QString createDatabase() {
        const QString name = QStringLiteral("test_%1").arg(++m_databases);
        run(QStringLiteral("CREATE DATABASE %1").arg(name));
        return address(name);
    }

    // Runs SQL as the superuser on `database` (default: postgres); empty on success, else why.
    QString run(const QString &sql, const QString &database = QStringLiteral("postgres")) const {
        PGconn *conn = PQconnectdb(address(database).toUtf8().constData());
        QString error;
        if (PQstatus(conn) != CONNECTION_OK) {
            error = QString::fromUtf8(PQerrorMessage(conn));
        } else {
            PGresult *result = PQexec(conn, sql.toUtf8().constData());
            const auto status = PQresultStatus(result);
            if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK)
                error = QString::fromUtf8(PQresultErrorMessage(result));
            PQclear(result);
        }
        PQfinish(conn);
        if (!error.isEmpty())
            qWarning("test server: %s: %s", qPrintable(sql), qPrintable(error));
        return error;
    }

    // Stops the server at once, as a crash or an outage would; start() brings it back.
    bool stop() {
        if (!m_running)
            return true;
        m_running = !ctl({QStringLiteral("stop"), QStringLiteral("-m"), QStringLiteral("immediate"),
                          QStringLiteral("-w")});
        return !m_running;
    }
    bool restart() { return ctl(startArguments()) && (m_running = true); }

private:
    PostgresServer() = default;

    static QString binary(const QString &name) {
        const QStringList versions = QDir(QStringLiteral("/usr/lib/postgresql"))
                                         .entryList(QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name);
        for (auto it = versions.crbegin(); it != versions.crend(); ++it) {
            const QString path = QStringLiteral("/usr/lib/postgresql/%1/bin/%2").arg(*it, name);
            if (QFileInfo::exists(path))
                return path;
        }
        return QStandardPaths::findExecutable(name);
    }

    // As nobody when root: runuser changes the user for the one command.
    bool exec(const QString &program, const QStringList &arguments, QString *output) const {
        QProcess process;
        process.setProcessChannelMode(QProcess::MergedChannels);
        if (geteuid() == 0)
            process.start(QStringLiteral("runuser"),
                          QStringList{QStringLiteral("-u"), QStringLiteral("nobody"),
                                      QStringLiteral("--"), program} +
                              arguments);
        else
            process.start(program, arguments);
        const bool ok = process.waitForFinished(120000) &&
                        process.exitStatus() == QProcess::NormalExit && process.exitCode() == 0;
        if (output)
            *output = QString::fromLocal8Bit(process.readAll());
        return ok;
    }

    QStringList startArguments() const {
        return {
            QStringLiteral("start"),
            QStringLiteral("-w"),
            QStringLiteral("-l"),
            m_folder + QStringLiteral("/server.log"),
            QStringLiteral("-o"),
            QStringLiteral("-k %1 -c listen_addresses= -F -c max_connections=200").arg(m_folder)};
    }

    bool ctl(QStringList arguments) const {
        arguments.prepend(m_folder + QStringLiteral("/data"));
        arguments.prepend(QStringLiteral("-D"));
        QString output;
        const bool ok = exec(binary(QStringLiteral("pg_ctl")), arguments, &output);
        if (!ok)
            qWarning("pg_ctl %s failed: %s", qPrintable(arguments.join(u' ')), qPrintable(output));
        return ok;
    }

    QString start() {
        if (binary(QStringLiteral("initdb")).isEmpty())
            return QStringLiteral("PostgreSQL's initdb is not installed (Debian: postgresql)");
        m_dir = std::make_unique<QTemporaryDir>(QStringLiteral("/tmp/winnow-pg-XXXXXX"));
        if (!m_dir->isValid())
            return QStringLiteral("cannot make a temporary folder");
        m_folder = m_dir->path();
        if (geteuid() == 0) {
            const passwd *nobody = getpwnam("nobody");
            if (!nobody ||
                chown(m_folder.toLocal8Bit().constData(), nobody->pw_uid, nobody->pw_gid) != 0)
                return QStringLiteral("cannot hand %1 to the user nobody").arg(m_folder);
        }
        QString output;
        if (!exec(binary(QStringLiteral("initdb")),
                  {QStringLiteral("-D"), m_folder + QStringLiteral("/data"), QStringLiteral("-U"),
                   QString::fromLatin1(kSuperuser), QStringLiteral("-A"), QStringLiteral("trust"),
                   QStringLiteral("-E"), QStringLiteral("UTF8"), QStringLiteral("--locale=C"),
                   QStringLiteral("--no-sync")},
                  &output))
            return QStringLiteral("initdb failed: %1").arg(output);
        if (!ctl(startArguments()))
            return QStringLiteral("the test server did not start (see %1/server.log)")
                .arg(m_folder);
        m_running = true;
        return {};
    }

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_folder;
    bool m_running = false;
    int m_databases = 0;
};

} // namespace winnow::test

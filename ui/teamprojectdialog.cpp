#include "ui/teamprojectdialog.h"

#include "core/store/database.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFileInfo>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QUrl>

namespace winnow::ui {

QString askTeamProject(QWidget *parent) {
    QSettings settings;
    settings.beginGroup(QStringLiteral("teamProject"));
    QDialog dialog(parent);
    dialog.setWindowTitle(QObject::tr("Open Team Project"));
    auto *form = new QFormLayout(&dialog);
    auto *intro = new QLabel(
        QObject::tr("A team project lives on a PostgreSQL server. The password is read from "
                    "<tt>~/.pgpass</tt> or <tt>PGPASSWORD</tt>, never stored by Winnow."));
    intro->setWordWrap(true);
    form->addRow(intro);
    auto *host = new QLineEdit(
        settings.value(QStringLiteral("host"), QStringLiteral("localhost")).toString());
    host->setToolTip(QObject::tr("Name or address of the server"));
    auto *port = new QSpinBox;
    port->setRange(1, 65535);
    port->setValue(settings.value(QStringLiteral("port"), 5432).toInt());
    port->setToolTip(QObject::tr("PostgreSQL listens on 5432 unless set up otherwise"));
    auto *database = new QLineEdit(settings.value(QStringLiteral("database")).toString());
    database->setToolTip(QObject::tr("The project's database, made with winnow-cli init"));
    auto *user = new QLineEdit(
        settings.value(QStringLiteral("user"), qEnvironmentVariable("USER")).toString());
    user->setToolTip(
        QObject::tr("Your login, as the project's owner added it with winnow-cli team"));
    form->addRow(QObject::tr("&Server:"), host);
    form->addRow(QObject::tr("&Port:"), port);
    form->addRow(QObject::tr("&Database:"), database);
    form->addRow(QObject::tr("&User:"), user);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Open | QDialogButtonBox::Cancel);
    form->addRow(buttons);
    QObject::connect(buttons, &QDialogButtonBox::accepted, &dialog, &QDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, &dialog, &QDialog::reject);
    const auto complete = [&] {
        buttons->button(QDialogButtonBox::Open)
            ->setEnabled(!host->text().trimmed().isEmpty() &&
                         !database->text().trimmed().isEmpty() &&
                         !user->text().trimmed().isEmpty());
    };
    for (QLineEdit *edit : {host, database, user})
        QObject::connect(edit, &QLineEdit::textChanged, &dialog, complete);
    complete();
    (database->text().isEmpty() ? database : host)->setFocus();
    if (dialog.exec() != QDialog::Accepted)
        return {};
    settings.setValue(QStringLiteral("host"), host->text().trimmed());
    settings.setValue(QStringLiteral("port"), port->value());
    settings.setValue(QStringLiteral("database"), database->text().trimmed());
    settings.setValue(QStringLiteral("user"), user->text().trimmed());
    QUrl url;
    url.setScheme(QStringLiteral("postgresql"));
    url.setHost(host->text().trimmed());
    url.setPort(port->value());
    url.setUserName(user->text().trimmed());
    url.setPath(u'/' + database->text().trimmed());
    return url.toString(QUrl::FullyEncoded);
}

QString projectDisplayName(const QString &location) {
    if (!core::Database::isServerAddress(location))
        return QFileInfo(location).fileName();
    const QUrl url(location);
    QString host = url.host();
    if (host.isEmpty()) // a Unix socket folder, given as ?host=...
        host = QStringLiteral("this computer");
    return QObject::tr("%1 on %2").arg(url.path().mid(1), host);
}

} // namespace winnow::ui

#include "ui/userguide.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace winnow::ui {

void showUserGuide(QWidget *parent) {
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setObjectName(QStringLiteral("userGuide"));
    dialog->setWindowTitle(QObject::tr("Winnow User Guide"));
    dialog->resize(820, 760);
    auto *layout = new QVBoxLayout(dialog);
    auto *text = new QTextBrowser;
    text->setOpenExternalLinks(true);
    QFile guide(QStringLiteral(":/winnow/guide/user-guide.md"));
    text->setMarkdown(guide.open(QIODevice::ReadOnly)
                          ? QString::fromUtf8(guide.readAll())
                          : QObject::tr("The user guide is missing from this build."));
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->show();
}

} // namespace winnow::ui

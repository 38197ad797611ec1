#include "ui/userguide.h"

#include <QDialog>
#include <QDialogButtonBox>
#include <QFile>
#include <QImage>
#include <QTextBlock>
#include <QTextBrowser>
#include <QTextCursor>
#include <QTextDocument>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

// Screenshots are wider than the window: shown at `width`, their height in proportion.
void fitImages(QTextDocument *document, int width) {
    for (QTextBlock block = document->begin(); block.isValid(); block = block.next())
        for (auto it = block.begin(); !it.atEnd(); ++it) {
            const QTextFragment fragment = it.fragment();
            if (!fragment.charFormat().isImageFormat())
                continue;
            QTextImageFormat image = fragment.charFormat().toImageFormat();
            const QImage original(image.name().replace(QLatin1String("qrc:"), QLatin1String(":")));
            if (original.isNull() || original.width() <= width)
                continue;
            image.setWidth(width);
            image.setHeight(double(original.height()) * width / original.width());
            QTextCursor cursor(document);
            cursor.setPosition(fragment.position());
            cursor.setPosition(fragment.position() + fragment.length(), QTextCursor::KeepAnchor);
            cursor.setCharFormat(image);
        }
}

} // namespace

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
    fitImages(text->document(), 720);
    layout->addWidget(text);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->show();
}

} // namespace winnow::ui

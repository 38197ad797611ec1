#include "ui/keyguide.h"

#include <QAbstractButton>
#include <QAction>
#include <QDialog>
#include <QDialogButtonBox>
#include <QGroupBox>
#include <QLabel>
#include <QMainWindow>
#include <QMenu>
#include <QMenuBar>
#include <QSet>
#include <QTabWidget>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace winnow::ui {
namespace {

// "&Open Project…" -> "Open Project…"; "Save && Quit" keeps one '&'.
QString plain(QString text) {
    text.replace(QLatin1String("&&"), QStringLiteral("\x01"));
    text.remove(u'&');
    text.replace(u'\x01', u'&');
    return text;
}

// The letter after a lone '&', or none.
QChar mnemonic(const QString &text) {
    for (qsizetype i = 0; i + 1 < text.size(); ++i) {
        if (text[i] != u'&')
            continue;
        if (text[i + 1] == u'&') {
            ++i;
            continue;
        }
        return text[i + 1].toUpper();
    }
    return {};
}

QString keysOf(const QAction *action) {
    QStringList keys;
    for (const QKeySequence &key : action->shortcuts())
        keys << key.toString(QKeySequence::NativeText);
    return keys.join(QLatin1String(", "));
}

void addMenu(std::vector<KeyRow> &rows, const QMenu *menu, const QString &context) {
    for (const QAction *action : menu->actions()) {
        if (action->menu())
            addMenu(rows, action->menu(), context);
        else if (!action->shortcuts().isEmpty())
            rows.push_back({context, keysOf(action), plain(action->text()),
                            action->shortcutContext() != Qt::WidgetShortcut &&
                                action->shortcutContext() != Qt::WidgetWithChildrenShortcut});
    }
}

void addTab(std::vector<KeyRow> &rows, QWidget *tab, const QString &context) {
    QSet<QString> seen;
    const auto add = [&](const QString &keys, const QString &what) {
        if (keys.isEmpty() || seen.contains(keys + u'\t' + what))
            return;
        seen.insert(keys + u'\t' + what);
        rows.push_back({context, keys, what, false});
    };
    QList<QWidget *> widgets = tab->findChildren<QWidget *>();
    widgets.prepend(tab);
    for (QWidget *widget : std::as_const(widgets)) {
        for (const QString &line : widget->property(kKeyHelpProperty).toStringList()) {
            const QStringList parts = line.split(u'\t');
            if (parts.size() == 2)
                add(parts[0], parts[1]);
        }
        for (const QAction *action : widget->actions())
            if (!action->shortcuts().isEmpty())
                add(keysOf(action), plain(action->text()));
        if (const auto *button = qobject_cast<QAbstractButton *>(widget)) {
            if (const QChar letter = mnemonic(button->text()); !letter.isNull())
                add(QKeySequence(Qt::ALT | letter.unicode()).toString(QKeySequence::NativeText),
                    plain(button->text()));
            if (!button->shortcut().isEmpty() && mnemonic(button->text()).isNull())
                add(button->shortcut().toString(QKeySequence::NativeText), plain(button->text()));
        }
        if (const auto *label = qobject_cast<QLabel *>(widget); label && label->buddy())
            if (const QChar letter = mnemonic(label->text()); !letter.isNull())
                add(QKeySequence(Qt::ALT | letter.unicode()).toString(QKeySequence::NativeText),
                    plain(label->text()).remove(u':'));
        if (const auto *box = qobject_cast<QGroupBox *>(widget); box && box->isCheckable())
            if (const QChar letter = mnemonic(box->title()); !letter.isNull())
                add(QKeySequence(Qt::ALT | letter.unicode()).toString(QKeySequence::NativeText),
                    plain(box->title()));
    }
}

} // namespace

std::vector<KeyRow> keyRows(QMainWindow *window, QTabWidget *tabs) {
    std::vector<KeyRow> rows;
    for (const QAction *action : window->menuBar()->actions())
        if (const QChar letter = mnemonic(action->text()); !letter.isNull())
            rows.push_back(
                {QObject::tr("Menus"),
                 QKeySequence(Qt::ALT | letter.unicode()).toString(QKeySequence::NativeText),
                 QObject::tr("open the %1 menu").arg(plain(action->text())), true});
    for (const QAction *action : window->menuBar()->actions())
        if (action->menu())
            addMenu(rows, action->menu(), plain(action->text()));
    if (tabs)
        for (int i = 0; i < tabs->count(); ++i)
            addTab(rows, tabs->widget(i), plain(tabs->tabText(i)));
    return rows;
}

QString keySheetHtml(const std::vector<KeyRow> &rows) {
    QString html = QStringLiteral("<h2>Keyboard shortcuts</h2>");
    QString context;
    for (const KeyRow &row : rows) {
        if (row.context != context) {
            if (!context.isEmpty())
                html += QStringLiteral("</table>");
            context = row.context;
            html += QStringLiteral("<h3>%1</h3><table cellspacing=0 cellpadding=3>")
                        .arg(context.toHtmlEscaped());
        }
        html += QStringLiteral("<tr><td width=160><b>%1</b></td><td>%2</td></tr>")
                    .arg(row.keys.toHtmlEscaped(), row.what.toHtmlEscaped());
    }
    if (!context.isEmpty())
        html += QStringLiteral("</table>");
    return html;
}

QString keySheetMarkdown(const std::vector<KeyRow> &rows) {
    QString text;
    QString context;
    for (const KeyRow &row : rows) {
        if (row.context != context) {
            context = row.context;
            text +=
                QStringLiteral("\n**%1**\n\n| key | what it does |\n| --- | --- |\n").arg(context);
        }
        text += QStringLiteral("| %1 | %2 |\n")
                    .arg(QString(row.keys).replace(u'|', QLatin1String("\\|")),
                         QString(row.what).replace(u'|', QLatin1String("\\|")));
    }
    return text;
}

void showKeyboardShortcuts(QWidget *parent, const std::vector<KeyRow> &rows) {
    auto *dialog = new QDialog(parent);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->setWindowTitle(QObject::tr("Keyboard Shortcuts"));
    dialog->resize(560, 640);
    auto *layout = new QVBoxLayout(dialog);
    auto *sheet = new QTextBrowser;
    sheet->setObjectName(QStringLiteral("keySheet"));
    sheet->setHtml(keySheetHtml(rows));
    layout->addWidget(sheet);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close);
    QObject::connect(buttons, &QDialogButtonBox::rejected, dialog, &QDialog::reject);
    layout->addWidget(buttons);
    dialog->show();
}

} // namespace winnow::ui

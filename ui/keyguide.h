#pragma once

// Help > Keyboard Shortcuts: every key of the window and of each tab, read from what is there
// (actions and their shortcuts, button mnemonics, and the keys a view reads itself, which it
// names in its keyHelp property), so the sheet cannot drift from the program.

#include <QString>
#include <QStringList>
#include <vector>

class QMainWindow;
class QTabWidget;
class QWidget;

namespace winnow::ui {

// The dynamic property a view sets to name the keys its key handler reads: "KEY\tWHAT" each.
inline constexpr char kKeyHelpProperty[] = "keyHelp";

struct KeyRow {
    QString context; // a menu's or a tab's name
    QString keys;    // as the platform writes them: "Ctrl+O", "Alt+A", "Space"
    QString what;
    bool everywhere = false; // a window-wide key: nothing in a tab may use it too
};

// Menus first (in menu bar order), then each tab of `tabs` (in tab order), shown or not.
std::vector<KeyRow> keyRows(QMainWindow *window, QTabWidget *tabs);
// The rows as an HTML page, a table per context.
QString keySheetHtml(const std::vector<KeyRow> &rows);
// The same as Markdown, for README.md.
QString keySheetMarkdown(const std::vector<KeyRow> &rows);
void showKeyboardShortcuts(QWidget *parent, const std::vector<KeyRow> &rows);

} // namespace winnow::ui

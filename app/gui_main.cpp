#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Winnow"));
    QApplication::setApplicationName(QStringLiteral("Winnow"));
    QApplication::setApplicationVersion(QStringLiteral(WINNOW_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("winnow"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Image-classification dataset workbench"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder to open"), QStringLiteral("[DIR]"));
    parser.process(app);

    winnow::ui::MainWindow window;
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const auto opened = window.openProject(parser.positionalArguments().first());
        if (!opened)
            QMessageBox::warning(&window, QStringLiteral("Cannot open project"), opened.error().message);
    }
    return QApplication::exec();
}

#include "ui/keyguide.h"
#include "ui/mainwindow.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>
#include <QTextStream>

int main(int argc, char *argv[]) {
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Winnow"));
    QApplication::setApplicationName(QStringLiteral("Winnow"));
    QApplication::setApplicationVersion(QStringLiteral(WINNOW_VERSION));
    QApplication::setDesktopFileName(QStringLiteral("org.winnow.Winnow"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Image-classification dataset workbench"));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addPositionalArgument(QStringLiteral("DIR"), QStringLiteral("project folder to open"),
                                 QStringLiteral("[DIR]"));
    const QCommandLineOption annotator(QStringLiteral("annotator"),
                                       QStringLiteral("label as NAME (skips the question)"),
                                       QStringLiteral("NAME"));
    const QCommandLineOption view(
        QStringLiteral("view"),
        QStringLiteral("open on browse, label, review, annotators, curate, train or model"),
        QStringLiteral("NAME"));
    const QCommandLineOption keys(
        QStringLiteral("keys"),
        QStringLiteral("print every keyboard shortcut as Markdown (the Help sheet) and exit"));
    parser.addOptions({annotator, view, keys});
    parser.process(app);

    winnow::ui::MainWindow window;
    if (parser.isSet(keys)) {
        QTextStream(stdout) << winnow::ui::keySheetMarkdown(
            winnow::ui::keyRows(&window, window.tabs()));
        return 0;
    }
    window.setAskForAnnotator(!parser.isSet(annotator));
    window.show();
    if (!parser.positionalArguments().isEmpty()) {
        const auto opened = window.openProject(parser.positionalArguments().first());
        if (!opened) {
            QMessageBox::warning(&window, QStringLiteral("Cannot open project"),
                                 opened.error().message);
        } else {
            if (parser.isSet(annotator)) {
                if (const auto set = window.setAnnotator(parser.value(annotator)); !set)
                    QMessageBox::warning(&window, QStringLiteral("Cannot label"),
                                         set.error().message);
            }
            if (parser.isSet(view) && !window.showView(parser.value(view)))
                QMessageBox::warning(&window, QStringLiteral("Unknown view"), parser.value(view));
        }
    }
    return QApplication::exec();
}
